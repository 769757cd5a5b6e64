//! USR-06 the account-import template (an `.xlsx` attachment, not in the envelope) and USR-09
//! the bulk import (specs/inspur-idaas.md §2.6; decisions in ops/adr/0015): an `.xlsx` in a
//! multipart part (`file`, else the first file part) or as the whole body. Each row is created on
//! its own, like USR-10, so good rows land and bad ones are reported with their line number and
//! why (partial success); the organisation and user type columns take a code or an id.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use usecases::AppState;
use utoipa::ToSchema;

use super::described::{Binary, WorkbookForm};
use super::write::{create_one, UserBody};
use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, ok_saying, InspurError};
use crate::schema::{Envelope, ErrorEnvelope};
use crate::sheet::{self, SheetRow};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What an import did: every row is created on its own, so good rows land and bad ones are
/// reported.
#[derive(Serialize, ToSchema)]
struct ImportReport {
    /// The rows read.
    total: usize,
    /// The rows whose user was created.
    success: usize,
    /// The rows refused.
    fail: usize,
    /// Why each refused row was refused, in sheet order.
    errors: Vec<RowRefused>,
}

/// A refused row.
#[derive(Serialize, ToSchema)]
struct RowRefused {
    /// The row's line number in the sheet.
    row: usize,
    /// The row's sign-in name, as given ("" when blank).
    #[serde(rename = "accountName")]
    account_name: String,
    /// The refusal, as USR-10 words it.
    message: String,
}

/// The account-import template, an `.xlsx` attachment outside the envelope (USR-06).
#[utoipa::path(
    get,
    path = "/user/modelDown",
    tag = "users",
    operation_id = "downloadUserTemplate",
    responses(
        (status = 200, description = "The template workbook (`userTemplate.xlsx`), not enveloped.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Binary,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"userTemplate.xlsx\"`"))),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn template(_caller: InspurCaller) -> Result<Response, InspurError> {
    let bytes = sheet::template().map_err(|e| {
        tracing::error!(error = %e, "writing the import template");
        InspurError::failed(idaas_http::failure::Failure::Internal)
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"userTemplate.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The workbook's bytes: the `file` part of a multipart body, else its first file part, else
/// the whole body.
async fn workbook(state: &AppState, request: Request) -> Result<Vec<u8>, InspurError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        return Ok(bytes.to_vec());
    }
    let mut parts = Multipart::from_request(request, state)
        .await
        .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
    let mut first = None;
    while let Some(part) = parts
        .next_field()
        .await
        .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?
    {
        let named_file = part.name() == Some("file");
        let is_file = named_file || part.file_name().is_some();
        if !is_file {
            continue;
        }
        let bytes = part
            .bytes()
            .await
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        if named_file {
            return Ok(bytes.to_vec());
        }
        first.get_or_insert(bytes.to_vec());
    }
    first.ok_or_else(|| InspurError::invalid("缺少文件(file)"))
}

/// An organisation or user type named by its id or its code: the id.
async fn organ_id(state: &AppState, tenant: &str, id_or_code: &str) -> anyhow::Result<String> {
    if let Some(organ) = projections::organs::get(state.pool(), tenant, id_or_code).await? {
        return Ok(organ.org_id);
    }
    Ok(
        projections::organizations::by_code(state.pool(), tenant, id_or_code)
            .await?
            .map(|o| o.org_id)
            .unwrap_or_else(|| id_or_code.to_string()),
    )
}

async fn type_id(state: &AppState, tenant: &str, id_or_code: &str) -> anyhow::Result<String> {
    Ok(
        projections::user_types::by_id_or_code(state.pool(), tenant, id_or_code)
            .await?
            .map(|t| t.type_id)
            .unwrap_or_else(|| id_or_code.to_string()),
    )
}

fn some(text: String) -> Option<String> {
    Some(text).filter(|t| !t.is_empty())
}

/// Creates one row's user.
async fn create_row(
    state: &AppState,
    caller: &InspurCaller,
    row: SheetRow,
) -> Result<(), InspurError> {
    let tenant = &caller.tenant_id;
    let organization_id = match some(row.organization) {
        Some(org) => Some(organ_id(state, tenant, &org).await?),
        None => None,
    };
    let user_type = match some(row.user_type) {
        Some(t) => Some(type_id(state, tenant, &t).await?),
        None => None,
    };
    let body = UserBody {
        id: None,
        account_name: some(row.account_name),
        email: some(row.email),
        phone: some(row.phone),
        nick_name: some(row.nick_name),
        expiration_time: some(row.expiration_time),
        description: some(row.description),
        external_id: some(row.external_id),
        organization_id,
        user_type,
        password: some(row.password),
        status: None,
    };
    create_one(state, caller, body, domain::user::CREATED_BY_IMPORT).await?;
    Ok(())
}

/// Creates a user from each row of an `.xlsx` workbook laid out as the template (USR-09).
#[utoipa::path(
    post,
    path = "/user/userInfoImport",
    tag = "users",
    operation_id = "importUsers",
    request_body(content(
        (WorkbookForm = "multipart/form-data"),
        (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ), description = "The workbook in a multipart part, or as the whole body (of any other type)."),
    responses(
        (status = 200, description = "What the import did; `message` \"ok\" when every row was created, else `导入完成: 成功 {n} 条, 失败 {m} 条`.", body = Envelope<ImportReport>),
        (status = 400, description = "No workbook (`参数错误: 缺少文件(file)`), an unreadable one, or a bad body.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn import(
    State(state): State<AppState>,
    caller: InspurCaller,
    request: Request,
) -> Result<Response, InspurError> {
    let bytes = workbook(&state, request).await?;
    let rows = tokio::task::spawn_blocking(move || sheet::rows(&bytes))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading an import workbook");
            InspurError::failed(idaas_http::failure::Failure::Internal)
        })?
        .map_err(|e| InspurError::invalid(e.to_string()))?;
    let total = rows.len();
    let mut errors = Vec::new();
    for row in rows {
        let line = row.line;
        let account_name = row.account_name.clone();
        if let Err(refusal) = create_row(&state, &caller, row).await {
            errors.push(RowRefused {
                row: line,
                account_name,
                message: refusal.message().to_string(),
            });
        }
    }
    let failed = errors.len();
    let report = json!(ImportReport {
        total,
        success: total - failed,
        fail: failed,
        errors,
    });
    if failed == 0 {
        return Ok(ok(report));
    }
    let message = format!("导入完成: 成功 {} 条, 失败 {failed} 条", total - failed);
    Ok(ok_saying(&message, report))
}

/// The import as the document prints it, a `GET` with a multipart body (USR-09).
#[utoipa::path(
    get,
    path = "/user/userInfoImport",
    tag = "users",
    operation_id = "importUsersByGet",
    request_body(content(
        (WorkbookForm = "multipart/form-data"),
        (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ), description = "The workbook in a multipart part, or as the whole body (of any other type)."),
    responses(
        (status = 200, description = "What the import did, as the `POST` answers.", body = Envelope<ImportReport>),
        (status = 400, description = "No workbook (`参数错误: 缺少文件(file)`), an unreadable one, or a bad body.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn import_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    request: Request,
) -> Result<Response, InspurError> {
    import(state, caller, request).await
}
