//! Get (#27) and list (#28) an application's accounts.

use axum::extract::{Path, State};
use axum::Json;
use domain::app_account::ACCOUNT_TYPES;
use serde::Serialize;

use super::dto::{AccountDetail, RoleInfo};
use crate::body::{paging, Params};
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::accounts;
use usecases::AppState;

/// An account's roles, each with its privileges and their resource items.
async fn roles_of(
    state: &AppState,
    tenant: &str,
    account_id: &str,
) -> anyhow::Result<Vec<RoleInfo>> {
    let mut roles = Vec::new();
    for role in projections::app_roles::of_account(state.pool(), tenant, account_id).await? {
        let privileges =
            projections::privileges::of_role(state.pool(), tenant, &role.role_id).await?;
        roles.push(RoleInfo::new(role, privileges));
    }
    Ok(roles)
}

/// `GET /applications/{application_id}/accounts/{account_id}`.
pub async fn get_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, account_id)): Path<(String, String)>,
) -> Result<Json<AccountDetail>, OneAccessError> {
    let row = accounts::account_of(&state, &caller.tenant_id, &application_id, &account_id).await?;
    let roles = roles_of(&state, &caller.tenant_id, &account_id).await?;
    Ok(Json(AccountDetail::new(row, roles)))
}

#[derive(Serialize)]
pub struct AccountList {
    total: i64,
    accounts: Vec<AccountDetail>,
}

/// `GET /applications/{application_id}/accounts?account_type=&offset=0&limit=10`.
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    params: Params,
) -> Result<Json<AccountList>, OneAccessError> {
    let request = paging(&params)?;
    let account_type = params.text("account_type");
    if account_type.is_some_and(|t| !ACCOUNT_TYPES.contains(&t)) {
        return Err(OneAccessError::new("APP_ACCOUNT.0003"));
    }
    accounts::application(&state, &caller.tenant_id, &application_id).await?;
    let page = projections::app_accounts::list_for_application(
        state.pool(),
        &caller.tenant_id,
        &application_id,
        account_type,
        request,
    )
    .await?;
    let mut accounts = Vec::with_capacity(page.items.len());
    for row in page.items {
        let roles = roles_of(&state, &caller.tenant_id, &row.account_id).await?;
        accounts.push(AccountDetail::new(row, roles));
    }
    Ok(Json(AccountList {
        total: page.total,
        accounts,
    }))
}
