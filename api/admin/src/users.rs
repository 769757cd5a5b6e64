//! `POST /admin/v1/users/{user_id}/unlock`: lifts a sign-in lockout (ops/adr/0012) — the
//! account's and every device's — and clears the failure counts; audited as `login.unlocked`
//! with the calling credential as actor. Answers `{"user_id", "unlocked"}`, `unlocked` false when
//! there was nothing to lift (no event is written then).
//!
//! `PUT /admin/v1/users/{user_id}/posts`: the posts a user holds in the organisations it belongs
//! to and its place among their members (Hainan `posJob`, `sortNum`; ops/adr/0019), `{"posts":
//! [{"org_id", "post", "sort"}]}`; fields left out stay; answers the memberships.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use usecases::posts::{PostChange, PostRefused};

use super::error::AdminError;
use super::strict::parse_strict;
use idaas_http::caller::ManagementCaller;
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{user_id}/unlock", post(unlock))
        .route("/users/{user_id}/posts", put(posts))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct PostsBody {
    posts: Vec<PostBody>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct PostBody {
    org_id: String,
    post: Option<String>,
    sort: Option<i64>,
}

async fn posts(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AdminError> {
    let template = PostsBody {
        posts: vec![PostBody::default()],
    };
    let body: PostsBody = parse_strict(&body, &template)?;
    if body.posts.is_empty() || body.posts.len() > 100 {
        return Err(AdminError::invalid("posts holds 1 to 100 memberships"));
    }
    let changes = body
        .posts
        .into_iter()
        .map(|p| PostChange {
            org_id: p.org_id,
            post: p.post.map(|v| v.trim().to_string()),
            sort: p.sort,
        })
        .collect();
    let context = super::context(&caller);
    usecases::posts::set(&state, &context, &user_id, changes)
        .await
        .map_err(|e| match e {
            PostRefused::Service(usecases::ServiceError::User(
                domain::user::UserError::NotFound,
            )) => AdminError::not_found("user does not exist"),
            PostRefused::Service(other) => other.into(),
            refused => AdminError::invalid(refused.to_string()),
        })?;
    let user = projections::users::get(state.pool(), &caller.tenant_id, &user_id)
        .await?
        .ok_or_else(|| AdminError::not_found("user does not exist"))?;
    let posts: Vec<Value> = user
        .relations
        .iter()
        .map(|r| {
            json!({"org_id": r.org_id, "primary": r.is_primary(), "post": r.post, "sort": r.sort})
        })
        .collect();
    Ok(Json(json!({ "user_id": user_id, "posts": posts })))
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
