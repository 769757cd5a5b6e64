//! Application-side role members (specs/oneaccess.md §2.6 #36–#38): `account_Ids` with a capital
//! I, a DELETE with a JSON body, and a GET whose paging may come in a (leniently parsed) body.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use projections::app_accounts::AccountRow;
use projections::page::PageRequest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::body::{paging, text, without_trailing_commas, Body, Paging, Params};
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::roles;
use usecases::AppState;

/// The role and the accounts to add to it or remove from it (Tables 3-163 and 3-168).
#[derive(Deserialize, ToSchema)]
pub struct MembersBody {
    #[serde(default, deserialize_with = "text")]
    role_id: Option<String>,
    /// 1 to 50 account ids of the application (PARAM.0029 otherwise); also read as `account_ids`.
    #[serde(rename = "account_Ids", alias = "account_ids", default)]
    account_ids: Option<Vec<String>>,
}

/// Which accounts were changed and which were not (unknown accounts, or ones already in the
/// role or not in it).
#[derive(Serialize, ToSchema)]
pub struct MembersOutcome {
    success_list: Vec<String>,
    fail_list: Vec<String>,
}

/// Adds accounts to an application-side role; some may fail while the others are added.
#[utoipa::path(
    post,
    path = "/applications/{application_id}/role-member",
    tag = "application roles",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = MembersBody,
    responses(
        (status = 200, description = "The accounts added and those that were not.",
            body = MembersOutcome),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), no such role (APP_ROLE.0001), an empty or over-long list \
            (PARAM.0029).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn add_members(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    Body(body): Body<MembersBody>,
) -> Result<Json<MembersOutcome>, OneAccessError> {
    let ids = body.account_ids.unwrap_or_default();
    let outcome =
        roles::add_members(&state, &caller.context, &application_id, body.role_id, ids).await?;
    Ok(Json(MembersOutcome {
        success_list: outcome.success,
        fail_list: outcome.fail,
    }))
}

/// Removes accounts from an application-side role (a DELETE with a JSON body).
#[utoipa::path(
    delete,
    path = "/applications/{application_id}/role-member",
    tag = "application roles",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = MembersBody,
    responses(
        (status = 200, description = "The accounts removed and those that were not.",
            body = MembersOutcome),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), no such role (APP_ROLE.0001), an empty or over-long list \
            (PARAM.0029).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn remove_members(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    Body(body): Body<MembersBody>,
) -> Result<Json<MembersOutcome>, OneAccessError> {
    let ids = body.account_ids.unwrap_or_default();
    let outcome =
        roles::remove_members(&state, &caller.context, &application_id, body.role_id, ids).await?;
    Ok(Json(MembersOutcome {
        success_list: outcome.success,
        fail_list: outcome.fail,
    }))
}

/// `RoleMemberInfo`, in the documented field order: an account in the role.
#[derive(Serialize, ToSchema)]
pub struct RoleMember {
    id: String,
    account_name: String,
    name: String,
    /// The application organisation, null when none.
    #[schema(required = true)]
    org_id: Option<String>,
    disabled: bool,
    account_type: String,
    #[schema(value_type = Object)]
    extension: Map<String, Value>,
}

impl From<AccountRow> for RoleMember {
    fn from(row: AccountRow) -> Self {
        Self {
            id: row.account_id,
            account_name: row.account_name,
            name: row.name,
            org_id: row.org_id,
            disabled: row.disabled,
            account_type: row.account_type,
            extension: row.extension,
        }
    }
}

/// A page of a role's members, with the page asked for.
#[derive(Serialize, ToSchema)]
pub struct MemberList {
    total: i64,
    /// The page index.
    offset: i64,
    /// The page size.
    limit: i64,
    role_members: Vec<RoleMember>,
}

/// The paging of the member list in a body: numbers or numeric strings; other values are
/// ignored.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes the body, which is read as a JSON value.
pub struct BodyPaging {
    offset: Option<NumberOrText>,
    limit: Option<NumberOrText>,
}

/// A number, or a string holding one.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum NumberOrText {
    Number(i64),
    Text(String),
}

/// Paging from the query string, or from a JSON body whose values may be numeric strings and
/// which may carry a trailing comma, as the reference prints it.
fn member_paging(params: Params, body: &Bytes) -> Result<PageRequest, OneAccessError> {
    let mut params = params;
    let text = String::from_utf8_lossy(body);
    if !text.trim().is_empty() {
        let value: Value = serde_json::from_str(&without_trailing_commas(&text))
            .map_err(|e| OneAccessError::with("PARAM.0000", [e.to_string()]))?;
        for key in ["offset", "limit"] {
            let given = match value.get(key) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            if let Some(given) = given {
                params.0.entry(key.to_string()).or_insert(given);
            }
        }
    }
    paging(&params)
}

/// Lists the members of an application-side role; the paging may also come in a JSON body.
#[utoipa::path(
    get,
    path = "/applications/{application_id}/role-member-list/{role_id}",
    tag = "application roles",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("role_id" = String, Path, description = "The role."),
        Paging,
    ),
    request_body(
        content = Option<BodyPaging>,
        description = "The reference puts the paging of this GET in a body; read when the query \
            leaves a value out. Trailing commas are allowed.",
    ),
    responses(
        (status = 200, description = "A page of members.", body = MemberList),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), no such role (APP_ROLE.0001), a body that is not JSON (PARAM.0000), a \
            bad page index or size (PAGE.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_members(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
    params: Params,
    body: Bytes,
) -> Result<Json<MemberList>, OneAccessError> {
    let request = member_paging(params, &body)?;
    roles::role_of(&state, &caller.tenant_id, &application_id, &role_id).await?;
    let page = projections::app_roles::members(state.pool(), &caller.tenant_id, &role_id, request)
        .await?
        .map(RoleMember::from);
    Ok(Json(MemberList {
        total: page.total,
        offset: page.request.index(),
        limit: page.request.limit(),
        role_members: page.items,
    }))
}
