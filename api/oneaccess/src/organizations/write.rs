//! Create (#14, 201), update (#15, 200) and delete (#16, 204) an organisation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules;
use crate::body::{text, Body};
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use domain::OrganizationId;
use idaas_http::caller::ManagementCaller;
use usecases::organizations::{self, OrgChange};
use usecases::AppState;

/// Tables 3-66 (create) and 3-71 (update).
#[derive(Deserialize, ToSchema)]
pub struct OrgBody {
    /// Chinese or English letters, digits, `_` and `-`, at most 64 characters; required on
    /// create (ORG.0010), unchanged when empty on update.
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
    /// Required on create (ORG.0011), unchanged when empty on update.
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    /// The parent organisation's id. On create, absent, `""` or `null` is the top level. On
    /// update, absent or `""` leaves it (the reference's update example sends `""` and its detail
    /// example shows the parent kept) and `null` moves the organisation to the top level.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(value_type = Option<String>)]
    parent_id: Option<Option<String>>,
    /// `department` (the default on create), `company`, `unit` or `group` (ORG.0018).
    #[serde(default, deserialize_with = "text")]
    category: Option<String>,
}

/// A string field where an explicit `null` differs from an absent field.
fn nullable_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    text(deserializer).map(Some)
}

impl From<OrgBody> for OrgChange {
    fn from(body: OrgBody) -> Self {
        Self {
            code: body.code.map(|c| c.trim().to_string()),
            name: body.name,
            // `Some("")` asks the use case for the top level.
            parent_id: match body.parent_id {
                None => None,
                Some(None) => Some(String::new()),
                Some(Some(p)) => Some(p.trim().to_string()).filter(|p| !p.is_empty()),
            },
            category: body.category,
            details: Default::default(),
        }
    }
}

/// The organisation's id.
#[derive(Serialize, ToSchema)]
pub struct OrgIdBody {
    org_id: String,
}

/// Creates an organisation.
#[utoipa::path(
    post,
    path = "/organizations",
    tag = "organizations",
    request_body = OrgBody,
    responses(
        (status = 201, description = "The new organisation's id.", body = OrgIdBody),
        (status = 400, description = "A missing, duplicate or invalid code or name (ORG.0010, \
            ORG.0012, ORG.0014, ORG.0011, ORG.0015), an unknown parent (ORG.0002), an unknown \
            category (ORG.0018).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Body(body): Body<OrgBody>,
) -> Result<(StatusCode, Json<OrgIdBody>), OneAccessError> {
    let change = rules::for_create(body.into())?;
    let org_id = organizations::create(&state, &caller.context, change).await?;
    Ok((
        StatusCode::CREATED,
        Json(OrgIdBody {
            org_id: org_id.into_string(),
        }),
    ))
}

/// Updates an organisation: empty fields stay; `"parent_id": null` moves it to the top level.
///
/// An unknown organisation is ORG.0001 before any input rule, as the service answers (ADR 0002).
#[utoipa::path(
    put,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = String, Path, description = "The organisation.")),
    request_body = OrgBody,
    responses(
        (status = 200, description = "The organisation's id.", body = OrgIdBody),
        (status = 400, description = "No such organisation (ORG.0001), a duplicate or invalid code \
            or name (ORG.0012, ORG.0014, ORG.0015), an unknown parent (ORG.0002), itself as its \
            parent (ORG.0017), an unknown category (ORG.0018).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
    Body(body): Body<OrgBody>,
) -> Result<Json<OrgIdBody>, OneAccessError> {
    let id = OrganizationId::new(org_id.clone());
    if !organizations::exists(&state, &caller.context, &id).await? {
        return Err(OneAccessError::new("ORG.0001"));
    }
    let change = rules::for_update(body.into())?;
    organizations::update(&state, &caller.context, &id, change).await?;
    Ok(Json(OrgIdBody { org_id }))
}

/// Deletes an organisation that has no children and no users.
#[utoipa::path(
    delete,
    path = "/organizations/{org_id}",
    tag = "organizations",
    params(("org_id" = String, Path, description = "The organisation.")),
    responses(
        (status = 204, description = "Deleted; no body."),
        (status = 400, description = "No such organisation (ORG.0001), one with children or users \
            (ORG.0016).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn delete_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
) -> Result<StatusCode, OneAccessError> {
    organizations::delete(&state, &caller.context, &OrganizationId::new(org_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
