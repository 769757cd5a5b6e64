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
use axum::Json;
use serde::{Deserialize, Serialize};
use usecases::posts::{PostChange, PostRefused};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use super::strict::parse_strict;
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(unlock))
        .routes(routes!(posts))
}

/// The posts to set: one entry per organisation membership to change.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
struct PostsBody {
    posts: Vec<PostBody>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
struct PostBody {
    /// An organisation the user belongs to.
    org_id: String,
    /// The post (job title) held there; left out, it stays.
    post: Option<String>,
    /// The user's place among the organisation's members; left out, it stays.
    sort: Option<i64>,
}

/// The user's memberships after the change.
#[derive(Debug, Serialize, ToSchema)]
struct PostsAnswer {
    user_id: String,
    posts: Vec<Membership>,
}

#[derive(Debug, Serialize, ToSchema)]
struct Membership {
    org_id: String,
    primary: bool,
    /// Null when the user holds no post there.
    #[schema(required = true)]
    post: Option<String>,
    /// Null when no place is set.
    #[schema(required = true)]
    sort: Option<i64>,
}

/// What an unlock did.
#[derive(Debug, Serialize, ToSchema)]
struct UnlockAnswer {
    user_id: String,
    /// False when there was no lockout to lift (nothing is recorded then).
    unlocked: bool,
}

/// Sets the posts a user holds in its organisations and its place among their members.
#[utoipa::path(
    put,
    path = "/users/{user_id}/posts",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    request_body = PostsBody,
    responses(
        (status = 200, description = "The memberships after the change.", body = PostsAnswer),
        (status = 400, description = "An unknown field, a bad value, or an organisation the user is not in.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential (recorded).", body = ErrorBody),
        (status = 404, description = "No such user.", body = ErrorBody),
        (status = 409, description = "The user kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn posts(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Result<Json<PostsAnswer>, AdminError> {
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
    let posts = user
        .relations
        .iter()
        .map(|r| Membership {
            org_id: r.org_id.clone(),
            primary: r.is_primary(),
            post: r.post.clone(),
            sort: r.sort,
        })
        .collect();
    Ok(Json(PostsAnswer { user_id, posts }))
}

/// Lifts a sign-in lockout, the account's and every device's, and clears the failure counts.
#[utoipa::path(
    post,
    path = "/users/{user_id}/unlock",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    responses(
        (status = 200, description = "What the unlock did.", body = UnlockAnswer),
        (status = 403, description = "Not a tenant administrator's credential (recorded).", body = ErrorBody),
        (status = 404, description = "No such user.", body = ErrorBody),
        (status = 409, description = "The user kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn unlock(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(user_id): Path<String>,
) -> Result<Json<UnlockAnswer>, AdminError> {
    let context = super::context(&caller);
    let unlocked = usecases::signin::unlock(&state.bus, &context, &user_id, state.now())
        .await?
        .ok_or_else(|| AdminError::not_found("user does not exist"))?;
    Ok(Json(UnlockAnswer {
        user_id: unlocked.user_id,
        unlocked: unlocked.changed,
    }))
}
