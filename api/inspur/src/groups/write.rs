//! GRP-04 create or change (an `id` changes the name and description; the organisation and
//! the external id are fixed) and GRP-02 delete (answered with the group as it was).

use axum::extract::{Path, State};
use axum::response::Response;
use domain::group::{GroupCommand, GroupFields};
use serde::Deserialize;
use serde_json::json;
use usecases::groups as cases;
use usecases::AppState;
use utoipa::ToSchema;

use super::{group, refused, view, Group};
use crate::apps::described::{CallRefused, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::text;
use crate::lenient::{body, present};
use crate::schema::{Envelope, ErrorEnvelope};

/// The body of GRP-04: without `id` it creates (`name` and `organId` required), with one it
/// changes `name` and `description` (the organisation and the external id are fixed). Blank
/// text is the same as absent.
#[derive(Deserialize, ToSchema)]
pub struct GroupBody {
    /// The group to change; absent to create one.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    name: Option<String>,
    /// Create only.
    #[serde(default, deserialize_with = "text", rename = "externalId")]
    #[schema(value_type = LenientText)]
    external_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
    /// The organisation the group belongs to (create only).
    #[serde(default, deserialize_with = "text", rename = "organId")]
    #[schema(value_type = LenientText)]
    organ_id: Option<String>,
}

/// Creates a group, or changes one named by `id` (GRP-04).
#[utoipa::path(
    post,
    path = "/groups",
    tag = "groups",
    operation_id = "saveGroup",
    request_body = GroupBody,
    responses(
        (status = 200, description = "The saved group.", body = Envelope<Group>),
        (status = 400, description = "A missing `name` or `organId` on create, a bad body, or an unknown organisation: `组织机构不存在`.", body = ErrorEnvelope),
        (status = 404, description = "No group with that `id`: `资源不存在`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn save(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: GroupBody = body(&bytes)?;
    let zone = state.config.utc_offset_minutes;
    if let Some(id) = present(body.id) {
        let command = GroupCommand::Update {
            name: present(body.name),
            description: present(body.description),
            now: state.now(),
        };
        cases::change(&state, &caller.context, &id, command)
            .await
            .map_err(refused)?;
        return Ok(ok(json!(view(&group(&state, &caller, &id).await?, zone))));
    }
    let fields = GroupFields {
        name: present(body.name).ok_or_else(|| InspurError::invalid("name 不能为空"))?,
        external_id: present(body.external_id),
        description: present(body.description),
        organ_id: present(body.organ_id).ok_or_else(|| InspurError::invalid("organId 不能为空"))?,
    };
    let id = cases::create(&state, &caller.context, fields)
        .await
        .map_err(refused)?;
    Ok(ok(json!(view(&group(&state, &caller, &id).await?, zone))))
}

/// Deletes a group, its memberships with it (GRP-02).
#[utoipa::path(
    delete,
    path = "/groups/{groupId}",
    tag = "groups",
    operation_id = "deleteGroup",
    params(("groupId" = String, Path, description = "The group.")),
    responses(
        (status = 200, description = "The group as it was.", body = Envelope<Group>),
        (status = 400, description = "Outside the envelope, in plain text: a path segment that is not UTF-8.", content_type = "text/plain", body = String),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(group_id): Path<String>,
) -> Result<Response, InspurError> {
    let before = group(&state, &caller, &group_id).await?;
    let command = GroupCommand::Delete { now: state.now() };
    cases::change(&state, &caller.context, &group_id, command)
        .await
        .map_err(refused)?;
    Ok(ok(json!(view(&before, state.config.utc_offset_minutes))))
}
