//! Get (#27) and list (#28) an application's accounts.

use axum::extract::{Path, State};
use axum::Json;
use domain::app_account::ACCOUNT_TYPES;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::{AccountDetail, RoleInfo};
use crate::body::{paging, Paging, Params};
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
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

/// Gets an application account with its roles and their privileges.
#[utoipa::path(
    get,
    path = "/applications/{application_id}/accounts/{account_id}",
    tag = "application accounts",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("account_id" = String, Path, description = "The account."),
    ),
    responses(
        (status = 200, description = "The account.", body = AccountDetail),
        (status = 400, description = "No such application (APP.0001) or account \
            (APP_ACCOUNT.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, account_id)): Path<(String, String)>,
) -> Result<Json<AccountDetail>, OneAccessError> {
    let row = accounts::account_of(&state, &caller.tenant_id, &application_id, &account_id).await?;
    let roles = roles_of(&state, &caller.tenant_id, &account_id).await?;
    Ok(Json(AccountDetail::new(row, roles)))
}

/// A page of accounts.
#[derive(Serialize, ToSchema)]
pub struct AccountList {
    total: i64,
    accounts: Vec<AccountDetail>,
}

/// Lists an application's accounts, in creation order.
#[utoipa::path(
    get,
    path = "/applications/{application_id}/accounts",
    tag = "application accounts",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("account_type" = Option<String>, Query, description = "Only accounts of this type: \
            `BASIC_ACCOUNT`, `ORPHAN_ACCOUNT` or `PUBLIC_ACCOUNT`; absent or empty, all."),
        Paging,
    ),
    responses(
        (status = 200, description = "A page of accounts.", body = AccountList),
        (status = 400, description = "No such application (APP.0001), an unknown account type \
            (APP_ACCOUNT.0003), a bad page index or size (PAGE.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
