//! `POST /admin/v1/users/{user_id}/unlock`: lifts a sign-in lockout (ops/adr/0012) — the
//! account's and every device's — and clears the failure counts; audited as `login.unlocked`
//! with the calling credential as actor. Answers `{"user_id", "unlocked"}`, `unlocked` false when
//! there was nothing to lift (no event is written then).

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/users/{user_id}/unlock", post(unlock))
}

async fn unlock(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(user_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    let context = super::context(&caller);
    let unlocked = usecases::signin::unlock(&state.bus, &context, &user_id, state.now())
        .await?
        .ok_or_else(|| AdminError::not_found("user does not exist"))?;
    Ok(Json(json!({
        "user_id": unlocked.user_id,
        "unlocked": unlocked.changed,
    })))
}
