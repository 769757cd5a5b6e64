//! Reading users (specs/oneaccess.md §2.2 #9 by id, #10 by username, #11 list).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::dto::UserDetail;
use super::UserId;
use crate::body::{paging, text, Body, Params};
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use projections::users::UserRow;
use usecases::AppState;

/// `GET /users/{user_id}`.
pub async fn get_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<Json<UserDetail>, OneAccessError> {
    let row = projections::users::get(state.pool(), &caller.tenant_id, &user_id)
        .await?
        .ok_or(OneAccessError::new("USER.0001"))?;
    detail(&state, &caller.tenant_id, row).await
}

#[derive(Deserialize)]
pub struct ByUserNameBody {
    #[serde(default, deserialize_with = "text")]
    user_name: Option<String>,
}

/// `POST /users/user-by-username` with `{"user_name"}`.
pub async fn get_user_by_username(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Body(body): Body<ByUserNameBody>,
) -> Result<Json<UserDetail>, OneAccessError> {
    let user_name = body
        .user_name
        .filter(|n| !n.trim().is_empty())
        .ok_or(OneAccessError::new("USER.0008"))?;
    let row = projections::users::by_user_name(state.pool(), &caller.tenant_id, user_name.trim())
        .await?
        .ok_or(OneAccessError::new("USER.0001"))?;
    detail(&state, &caller.tenant_id, row).await
}

/// A user's detail, `locked` while sign-in failures have locked the account.
async fn detail(
    state: &AppState,
    tenant: &str,
    row: UserRow,
) -> Result<Json<UserDetail>, OneAccessError> {
    let mut rows = [row];
    projections::sessions::mark_locked(state.pool(), tenant, &mut rows, state.now()).await?;
    let [row] = rows;
    Ok(Json(UserDetail::from_row(
        row,
        state.config.utc_offset_minutes,
    )))
}

#[derive(Serialize)]
pub struct UserList {
    total: i64,
    users: Vec<UserDetail>,
}

/// `GET /users?org_id=&offset=0&limit=10`: an empty `org_id` lists every user; otherwise the
/// organisation's direct members (primary or secondary), in creation order.
pub async fn list_users(
    State(state): State<AppState>,
    caller: ManagementCaller,
    params: Params,
) -> Result<Json<UserList>, OneAccessError> {
    let request = paging(&params)?;
    let org_id = params.text("org_id");
    let mut page =
        projections::users::list(state.pool(), &caller.tenant_id, org_id, request).await?;
    let now = state.now();
    projections::sessions::mark_locked(state.pool(), &caller.tenant_id, &mut page.items, now)
        .await?;
    let zone = state.config.utc_offset_minutes;
    let page = page.map(|r| UserDetail::from_row(r, zone));
    Ok(Json(UserList {
        total: page.total,
        users: page.items,
    }))
}
