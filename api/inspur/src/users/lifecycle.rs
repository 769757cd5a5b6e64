//! The calls that name users by id (specs/inspur-idaas.md §2.6): USR-11 dimission (the users
//! leave: kept, unable to sign in, listed only with `status=0`), USR-05 physical delete (with the
//! users' extended-field values) and USR-12 removal to the top organisation. The ids come from a
//! JSON body, a form or the query.

use axum::extract::State;
use axum::response::Response;
use projections::directory_users;
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::AppState;
use utoipa::ToSchema;

use super::described::Null;
use crate::apps::described::{CallRefused, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::text;
use crate::schema::{Envelope, ErrorEnvelope};

/// Every named user exists, or the request is refused before anything changes.
async fn existing(
    state: &AppState,
    caller: &InspurCaller,
    users: &[String],
) -> Result<(), InspurError> {
    for user in users {
        if directory_users::get(state.pool(), &caller.tenant_id, user)
            .await?
            .is_none()
        {
            return Err(InspurError::rule(format!("账户不存在: {user}")));
        }
    }
    Ok(())
}

/// The users leave (dimission, USR-11): kept, unable to sign in, listed only with `status=0`.
#[utoipa::path(
    post,
    path = "/user/dimission",
    tag = "users",
    operation_id = "dimissionUsers",
    params(IdsQuery),
    request_body(content(
        (Option<IdsBody> = "application/json"),
        (Option<IdsBody> = "application/x-www-form-urlencoded"),
    ), description = "The users (`idList`, `id`), here or in the query."),
    responses(
        (status = 200, description = "How many users left, as text (e.g. \"2\").", body = Envelope<String>),
        (status = 400, description = "No ids, more than 1000, a bad body, or an unknown user: `账户不存在: {id}` (nothing changes then).", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn dimission(
    State(state): State<AppState>,
    caller: InspurCaller,
    uri: axum::http::Uri,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let users = ids(uri.query(), &bytes)?;
    existing(&state, &caller, &users).await?;
    for user in &users {
        usecases::users::leave(&state, &caller.context, user).await?;
    }
    Ok(ok(json!(users.len().to_string())))
}

/// The users a call names: `idList`, `id`, or both (at most 1000). As form fields, `idList`
/// may repeat or hold comma-separated ids.
#[derive(Deserialize, Default, ToSchema)]
pub struct IdsBody {
    /// The users' ids.
    #[serde(default, rename = "idList")]
    #[schema(value_type = Vec<String>)]
    id_list: Option<Vec<String>>,
    /// One user's id.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
}

/// The users a call names in its query (with those of the body).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Described only: `ids` reads the query itself.
pub struct IdsQuery {
    /// The users' ids: repeated, or comma-separated (`idList[]` is read too).
    #[param(rename = "idList")]
    id_list: Option<Vec<String>>,
    /// One user's id, or comma-separated ids.
    id: Option<String>,
}

/// The user ids a request names: `idList` (a JSON array, or repeated or comma-separated form or
/// query fields) or a single `id`.
fn ids(query: Option<&str>, bytes: &[u8]) -> Result<Vec<String>, InspurError> {
    let mut ids = Vec::new();
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    let text = std::str::from_utf8(bytes).unwrap_or("").trim();
    if text.starts_with('{') {
        let body: IdsBody = serde_json::from_str(text)
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        ids.extend(body.id_list.unwrap_or_default());
        ids.extend(body.id);
    } else if !text.is_empty() {
        pairs.extend(serde_urlencoded::from_str::<Vec<(String, String)>>(text).unwrap_or_default());
    }
    for (key, value) in pairs {
        if key == "id" || key == "idList" || key == "idList[]" {
            ids.extend(value.split(',').map(|v| v.trim().to_string()));
        }
    }
    ids.retain(|id| !id.is_empty());
    ids.dedup();
    if ids.is_empty() {
        return Err(InspurError::invalid("idList 不能为空"));
    }
    if ids.len() > 1000 {
        return Err(InspurError::invalid("一次最多 1000 个账户"));
    }
    Ok(ids)
}

/// Deletes users for good, with their extended-field values (USR-05).
#[utoipa::path(
    post,
    path = "/user/delete",
    tag = "users",
    operation_id = "deleteUsers",
    params(IdsQuery),
    request_body(content(
        (Option<IdsBody> = "application/json"),
        (Option<IdsBody> = "application/x-www-form-urlencoded"),
    ), description = "The users (`idList`, `id`), here or in the query."),
    responses(
        (status = 200, description = "Deleted; `data` null.", body = Envelope<Null>),
        (status = 400, description = "No ids, more than 1000, a bad body, or an unknown user: `账户不存在: {id}` (nothing changes then).", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    uri: axum::http::Uri,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let users = ids(uri.query(), &bytes)?;
    existing(&state, &caller, &users).await?;
    for user in &users {
        usecases::users::change_life(&state, &caller.context, user, usecases::Lifecycle::Delete)
            .await?;
        usecases::field_values::clear(&state, &caller.context, user)
            .await
            .map_err(|e| match e {
                usecases::field_values::ValueRefused::Service(e) => InspurError::from(e),
                other => InspurError::invalid(other),
            })?;
    }
    Ok(ok(Value::Null))
}

/// Moves users to the top organisation (USR-12).
///
/// The top organisation is the first root, where a user made without an organisation is placed.
#[utoipa::path(
    post,
    path = "/user/remove",
    tag = "users",
    operation_id = "removeUsers",
    params(IdsQuery),
    request_body(content(
        (Option<IdsBody> = "application/x-www-form-urlencoded"),
        (Option<IdsBody> = "application/json"),
    ), description = "The users (`idList`, `id`), here or in the query."),
    responses(
        (status = 200, description = "Moved; `data` null.", body = Envelope<Null>),
        (status = 400, description = "No ids, more than 1000, a bad body, or no organisation at all: `没有根组织机构`.", body = ErrorEnvelope),
        (status = 404, description = "An unknown user: `资源不存在` (the users before it have moved).", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: InspurCaller,
    uri: axum::http::Uri,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let users = ids(uri.query(), &bytes)?;
    let root = projections::organizations::first_root(state.pool(), &caller.tenant_id)
        .await?
        .ok_or_else(|| InspurError::rule("没有根组织机构"))?;
    for user in &users {
        let request = usecases::users::UserRequest {
            input: Default::default(),
            password: None,
            pwd_must_modify: None,
            org_code: Some(root.org_code.clone()),
            relations: None,
        };
        usecases::users::update(&state, &caller.context, user, request).await?;
    }
    Ok(ok(Value::Null))
}
