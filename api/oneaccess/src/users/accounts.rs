//! A user's application accounts (specs/oneaccess.md §2.2 #12 authorise, #13 list).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::body::{text, Body};
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::accounts::{self, AccountRequest};
use usecases::AppState;

#[derive(Deserialize)]
pub struct AuthorizeBody {
    #[serde(default, deserialize_with = "text")]
    account_name: Option<String>,
}

#[derive(Serialize)]
pub struct AccountIdBody {
    account_id: String,
}

/// `POST /users/{user_id}/applications/{application_id}/accounts` — 200 (not 201).
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
#[derive(Serialize)]
pub struct UserAccount {
    id: String,
    application_id: String,
    account_name: String,
    account_type: String,
    name: String,
    extension: Map<String, Value>,
}

#[derive(Serialize)]
pub struct UserAccounts {
    total: usize,
    accounts: Vec<UserAccount>,
}

/// `GET /users/{user_id}/accounts` — not paginated.
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
