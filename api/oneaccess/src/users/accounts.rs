//! A user's application accounts (specs/oneaccess.md §2.2 #12 authorise, #13 list).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::body::{text, Body};
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::accounts::{self, AccountRequest};
use usecases::AppState;

/// The account to make (Table 3-58).
#[derive(Deserialize, ToSchema)]
pub struct AuthorizeBody {
    /// The account's name in the application; the username when absent.
    #[serde(default, deserialize_with = "text")]
    account_name: Option<String>,
}

/// The new account's id.
#[derive(Serialize, ToSchema)]
pub struct AccountIdBody {
    account_id: String,
}

/// Gives a user an account in an application (answered 200, not 201).
#[utoipa::path(
    post,
    path = "/users/{user_id}/applications/{application_id}/accounts",
    tag = "users",
    params(
        ("user_id" = String, Path, description = "The user."),
        ("application_id" = String, Path, description = "The application."),
    ),
    request_body = AuthorizeBody,
    responses(
        (status = 200, description = "The new account's id.", body = AccountIdBody),
        (status = 400, description = "No such user (USER.0001) or application (APP.0001), a \
            disabled application (APP.0003), an account that exists already (APP_ACCOUNT.0002), an \
            invalid account name (APP_ACCOUNT.0036).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn authorize_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((user_id, application_id)): Path<(String, String)>,
    Body(body): Body<AuthorizeBody>,
) -> Result<Json<AccountIdBody>, OneAccessError> {
    let request = AccountRequest {
        user_id: Some(user_id),
        account_name: body.account_name,
        ..Default::default()
    };
    let account_id = accounts::create(&state, &caller.context, &application_id, request).await?;
    Ok(Json(AccountIdBody { account_id }))
}

/// `Accounts` (Table 3-62), in the documented field order.
#[derive(Serialize, ToSchema)]
pub struct UserAccount {
    id: String,
    application_id: String,
    account_name: String,
    account_type: String,
    name: String,
    #[schema(value_type = Object)]
    extension: Map<String, Value>,
}

/// Every account of the user (not paged).
#[derive(Serialize, ToSchema)]
pub struct UserAccounts {
    total: usize,
    accounts: Vec<UserAccount>,
}

/// Lists every application account of a user (not paged).
#[utoipa::path(
    get,
    path = "/users/{user_id}/accounts",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    responses(
        (status = 200, description = "The user's accounts.", body = UserAccounts),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_user_accounts(
    State(state): State<AppState>,
    caller: ManagementCaller,
    super::UserId(user_id): super::UserId,
) -> Result<Json<UserAccounts>, OneAccessError> {
    let tenant = &caller.tenant_id;
    projections::users::get(state.pool(), tenant, &user_id)
        .await?
        .ok_or(OneAccessError::new("USER.0001"))?;
    let rows = projections::app_accounts::list_for_user(state.pool(), tenant, &user_id).await?;
    let accounts: Vec<UserAccount> = rows
        .into_iter()
        .map(|r| UserAccount {
            id: r.account_id,
            application_id: r.application_id,
            account_name: r.account_name,
            account_type: r.account_type,
            name: r.name,
            extension: r.extension,
        })
        .collect();
    Ok(Json(UserAccounts {
        total: accounts.len(),
        accounts,
    }))
}
