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
    let mut detail = UserDetail::from_row(row, state.config.utc_offset_minutes);
    with_field_values(state, tenant, &mut detail).await?;
    Ok(Json(detail))
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
    let mut page = page.map(|r| UserDetail::from_row(r, zone));
    for detail in &mut page.items {
        with_field_values(&state, &caller.tenant_id, detail).await?;
    }
    Ok(Json(UserList {
        total: page.total,
        users: page.items,
    }))
}

/// The user's extended-field values (set through the Inspur API) among the extension
/// attributes, by field name; an attribute of the user's own keeps its value.
async fn with_field_values(
    state: &AppState,
    tenant: &str,
    detail: &mut UserDetail,
) -> Result<(), OneAccessError> {
    let values =
        projections::field_values::of_entity(state.pool(), tenant, &detail.user_id).await?;
    for value in values.into_iter().filter(|v| v.class == 0) {
        if let Some(name) = value.field_name {
            detail
                .extension
                .entry(name)
                .or_insert(serde_json::Value::String(value.value));
        }
    }
    Ok(())
}
