//! ORG-08 grant or revoke applications for an organisation (`action` `auth`/`unauth`, `data:
//! true`) and ORG-09 the organisations an application may still be granted to (`type` "1") or is
//! granted to (`type` "2"), a page whose rows use the document's snake_case keys.

use axum::extract::{Path, State};
use axum::response::Response;
use domain::app_grant::Grantee;
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::app_grants::{self, GrantRefused};
use usecases::AppState;
use utoipa::ToSchema;

use super::ROOT;
use crate::apps::described::{CallRefused, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::body;
use crate::lenient::text;
use crate::schema::{Envelope, ErrorEnvelope, PageOf};
use projections::organs;

/// The body of ORG-08.
#[derive(Deserialize, ToSchema)]
pub struct AuthBody {
    /// The applications to grant or revoke.
    #[serde(default, rename = "appIdList")]
    #[schema(value_type = Vec<String>, required = true)]
    app_id_list: Option<Vec<String>>,
    /// "auth" grants, "unauth" revokes.
    #[serde(default, deserialize_with = "text")]
    #[schema(
        value_type = String,
        required = true,
        pattern = "^\\s*(auth|unauth)\\s*$",
        examples("auth", "unauth")
    )]
    action: Option<String>,
}

/// Grants applications to an organisation, or revokes them; idempotent (ORG-08).
#[utoipa::path(
    post,
    path = "/organs/{organId}/action/auth",
    tag = "organs",
    operation_id = "grantOrganApps",
    params(("organId" = String, Path, description = "The organisation.")),
    request_body = AuthBody,
    responses(
        (status = 200, description = "`true`.", body = Envelope<bool>),
        (status = 400, description = "A missing `appIdList`, an `action` other than auth or unauth, a bad body, or an unknown application: `应用不存在: {appId}`. Outside the envelope, in plain text: a path segment that is not UTF-8.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 403, description = "The credential does not manage one of the applications: `无权限`.", body = ErrorEnvelope),
        (status = 404, description = "No such organisation: `资源不存在`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn auth(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(organ_id): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: AuthBody = body(&bytes)?;
    let apps = body
        .app_id_list
        .ok_or_else(|| InspurError::invalid("appIdList 不能为空"))?;
    let grant = match body.action.as_deref().map(str::trim) {
        Some("auth") => true,
        Some("unauth") => false,
        _ => return Err(InspurError::invalid("action 必须是 auth 或 unauth")),
    };
    organs::get(state.pool(), &caller.tenant_id, &organ_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    caller.require_manages_each(&state, &apps).await?;
    app_grants::set(
        &state,
        &caller.context,
        Grantee::Organization,
        &organ_id,
        &apps,
        grant,
    )
    .await
    .map_err(|e| match e {
        GrantRefused::NoApplication(app) => InspurError::rule(format!("应用不存在: {app}")),
        GrantRefused::NoOrganization(_) => InspurError::not_found(),
        GrantRefused::Service(other) => other.into(),
    })?;
    Ok(ok(json!(true)))
}

/// The body of ORG-09.
#[derive(Deserialize, ToSchema)]
pub struct AuthAppBody {
    /// "1" the organisations the application may still be granted to, "2" those it is
    /// granted to (the number is read too).
    #[serde(default, deserialize_with = "text", rename = "type")]
    #[schema(
        value_type = String,
        required = true,
        pattern = "^\\s*[12]\\s*$",
        examples("1", "2")
    )]
    kind: Option<String>,
    /// Only organisations whose name contains this.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    name: Option<String>,
}

/// A row of ORG-09, in the document's snake_case keys.
#[derive(Serialize, ToSchema)]
pub struct AuthAppOrgan {
    /// The names from the root down, `/`-joined.
    path: String,
    code: String,
    /// "-1" for a root.
    parent_id: String,
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    id: String,
    /// "1" without child organisations, "0" with some.
    is_leaf: &'static str,
    #[schema(required = true)]
    order: Option<i64>,
}

/// A page of the organisations an application may be granted to, or is granted to (ORG-09).
#[utoipa::path(
    post,
    path = "/organs/auth-app/{appId}/page/{pageNo}/{pageSize}",
    tag = "organs",
    operation_id = "pageOrgansForApp",
    params(
        ("appId" = String, Path, description = "The application."),
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
    ),
    request_body = AuthAppBody,
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<AuthAppOrgan>>),
        (status = 400, description = "A page number or size out of range, a `type` other than 1 or 2, or a bad body. Outside the envelope, in plain text: a path segment that is not UTF-8.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn for_app(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((app_id, page_no, page_size)): Path<(String, String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let body: AuthAppBody = body(&bytes)?;
    let granted = match body.kind.as_deref().map(str::trim) {
        Some("1") => false,
        Some("2") => true,
        _ => return Err(InspurError::invalid("type 必须是 1(可授权) 或 2(已授权)")),
    };
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let page = projections::app_grants::organs_for_app(
        state.pool(),
        &caller.tenant_id,
        &app_id,
        granted,
        name,
        request,
    )
    .await?;
    let mut rows = Vec::new();
    for organ in &page.items {
        let path = organs::name_path(state.pool(), &caller.tenant_id, organ).await?;
        rows.push(AuthAppOrgan {
            path,
            code: organ.code.clone(),
            parent_id: organ.parent_id.clone().unwrap_or_else(|| ROOT.to_string()),
            name: organ.name.clone(),
            description: organ.description.clone(),
            id: organ.org_id.clone(),
            is_leaf: if organ.has_children { "0" } else { "1" },
            order: organ.order,
        });
    }
    Ok(ok(crate::page::object(page.with_items(rows))))
}
