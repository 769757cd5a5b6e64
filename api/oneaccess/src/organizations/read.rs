//! Get (#17) and list (#18) organisations.

use axum::extract::{Path, State};
use axum::Json;
use projections::organizations::{OrgRow, OrgScope};
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::{paging, Paging, Params};
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::AppState;

/// `ResponseOrgInfo` (Table 3-79).
#[derive(Serialize, ToSchema)]
pub struct OrgInfo {
    org_id: String,
    org_code: String,
    name: String,
    /// Null for a top-level organisation.
    #[schema(required = true)]
    parent_id: Option<String>,
    /// `department`, `company`, `unit` or `group` (other values set through the other APIs).
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

/// Gets an organisation.
#[utoipa::path(
    get,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = String, Path, description = "The organisation.")),
    responses(
        (status = 200, description = "The organisation.", body = OrgInfo),
        (status = 400, description = "No such organisation (ORG.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// A page of organisations.
#[derive(Serialize, ToSchema)]
pub struct OrgList {
    total: i64,
    organizations: Vec<OrgInfo>,
}

/// Lists organisations: the top level, every one, an organisation with its children, or its
/// whole subtree (§2.3 #18).
#[utoipa::path(
    get,
    path = "/organizations",
    tag = "organizations",
    params(
        ("org_id" = Option<String>, Query, description = "Absent or empty: from the top level; \
            given: that organisation and its children (or its subtree)."),
        ("all_child" = Option<bool>, Query, description = "`true`: every level below (the whole \
            tree without `org_id`); `false` (the default): one level."),
        Paging,
    ),
    responses(
        (status = 200, description = "A page of organisations.", body = OrgList),
        (status = 400, description = "No such organisation (ORG.0001), an `all_child` that is not \
            true or false (PARAM.0000), a bad page index or size (PAGE.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
