//! Reading users (specs/oneaccess.md §2.2 #9 by id, #10 by username, #11 list).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::UserDetail;
use super::UserId;
use crate::body::{paging, text, Body, Paging, Params};
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use projections::users::UserRow;
use usecases::AppState;

/// Gets a user by id.
#[utoipa::path(
    get,
    path = "/users/{user_id}",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    responses(
        (status = 200, description = "The user.", body = UserDetail),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// The username to look up (Table 3-49).
#[derive(Deserialize, ToSchema)]
pub struct ByUserNameBody {
    /// Required (USER.0008); surrounding blanks are ignored.
    #[serde(default, deserialize_with = "text")]
    user_name: Option<String>,
}

/// Gets a user by username.
#[utoipa::path(
    post,
    path = "/users/user-by-username",
    tag = "users",
    request_body = ByUserNameBody,
    responses(
        (status = 200, description = "The user.", body = UserDetail),
        (status = 400, description = "No username (USER.0008), no such user (USER.0001).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// A page of users.
#[derive(Serialize, ToSchema)]
pub struct UserList {
    /// How many users there are in all.
    total: i64,
    users: Vec<UserDetail>,
}

/// Lists users: every user, or an organisation's direct members (primary or secondary), in
/// creation order.
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    params(
        ("org_id" = Option<String>, Query, description = "The organisation whose direct members to \
            list; absent or empty, every user."),
        Paging,
    ),
    responses(
        (status = 200, description = "A page of users.", body = UserList),
        (status = 400, description = "A bad page index or size (PAGE.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
