//! Get (#17) and list (#18) organisations.

use axum::extract::{Path, State};
use axum::Json;
use projections::organizations::{OrgRow, OrgScope};
use serde::Serialize;

use crate::body::{paging, Params};
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::AppState;

/// `ResponseOrgInfo` (Table 3-79).
#[derive(Serialize)]
pub struct OrgInfo {
    org_id: String,
    org_code: String,
    name: String,
    parent_id: Option<String>,
    category: String,
}

impl From<OrgRow> for OrgInfo {
    fn from(row: OrgRow) -> Self {
        Self {
            org_id: row.org_id,
            org_code: row.org_code,
            name: row.name,
            parent_id: row.parent_id,
            category: row.category,
        }
    }
}

/// `GET /organizations/{org_id}`.
pub async fn get_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
) -> Result<Json<OrgInfo>, OneAccessError> {
    let row = projections::organizations::get(state.pool(), &caller.tenant_id, &org_id)
        .await?
        .ok_or(OneAccessError::new("ORG.0001"))?;
    Ok(Json(row.into()))
}

#[derive(Serialize)]
pub struct OrgList {
    total: i64,
    organizations: Vec<OrgInfo>,
}

/// `GET /organizations?org_id=&all_child=false&offset=0&limit=10`, the four cases of §2.3 #18.
pub async fn list_orgs(
    State(state): State<AppState>,
    caller: ManagementCaller,
    params: Params,
) -> Result<Json<OrgList>, OneAccessError> {
    let request = paging(&params)?;
    let all_child = match params.text("all_child") {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(_) => {
            return Err(OneAccessError::with(
                "PARAM.0000",
                ["all_child must be true or false".to_string()],
            ))
        }
    };
    let pool = state.pool();
    let tenant = &caller.tenant_id;
    let org = match params.text("org_id") {
        Some(id) => Some(
            projections::organizations::get(pool, tenant, id)
                .await?
                .ok_or(OneAccessError::new("ORG.0001"))?,
        ),
        None => None,
    };
    let scope = match (&org, all_child) {
        (None, false) => OrgScope::Roots,
        (None, true) => OrgScope::All,
        (Some(org), false) => OrgScope::WithChildren(org),
        (Some(org), true) => OrgScope::Subtree(org),
    };
    let page = projections::organizations::list(pool, tenant, scope, request)
        .await?
        .map(OrgInfo::from);
    Ok(Json(OrgList {
        total: page.total,
        organizations: page.items,
    }))
}
