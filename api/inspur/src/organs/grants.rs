//! ORG-08 grant or revoke applications for an organisation (`action` `auth`/`unauth`, `data:
//! true`) and ORG-09 the organisations an application may still be granted to (`type` "1") or is
//! granted to (`type` "2"), a page whose rows use the document's snake_case keys.

use axum::extract::{Path, State};
use axum::response::Response;
use domain::app_grant::Grantee;
use serde::Deserialize;
use serde_json::json;
use usecases::app_grants::{self, GrantRefused};
use usecases::AppState;

use super::ROOT;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::body;
use crate::lenient::text;
use projections::organs;

#[derive(Deserialize)]
pub struct AuthBody {
    #[serde(default, rename = "appIdList")]
    app_id_list: Option<Vec<String>>,
    #[serde(default, deserialize_with = "text")]
    action: Option<String>,
}

/// `POST /organs/{organId}/action/auth`.
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

#[derive(Deserialize)]
pub struct AuthAppBody {
    #[serde(default, deserialize_with = "text", rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
}

/// `POST /organs/auth-app/{appId}/page/{pageNo}/{pageSize}` with `{type, name}`.
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
        rows.push(json!({
            "path": path,
            "code": organ.code,
            "parent_id": organ.parent_id.clone().unwrap_or_else(|| ROOT.to_string()),
            "name": organ.name,
            "description": organ.description,
            "id": organ.org_id,
            "is_leaf": if organ.has_children { "0" } else { "1" },
            "order": organ.order,
        }));
    }
    let page = projections::page::Page {
        items: rows,
        total: page.total,
        request: page.request,
    };
    Ok(ok(crate::page::object(page)))
}
