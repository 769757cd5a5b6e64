//! Create (#14, 201), update (#15, 200) and delete (#16, 204) an organisation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::rules;
use crate::body::{text, Body};
use crate::error::OneAccessError;
use domain::OrganizationId;
use idaas_http::caller::ManagementCaller;
use usecases::organizations::{self, OrgChange};
use usecases::AppState;

/// Tables 3-66 (create) and 3-71 (update).
#[derive(Deserialize)]
pub struct OrgBody {
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    /// Absent or `""`: unchanged (the reference's update example sends `""` and its detail
    /// example shows the parent kept); `null`: to the top level.
    #[serde(default, deserialize_with = "nullable_text")]
    parent_id: Option<Option<String>>,
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

#[derive(Serialize)]
pub struct OrgIdBody {
    org_id: String,
}

/// `POST /organizations`.
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

/// `PUT /organizations/{org_id}`: empty `code`, `name` or `parent_id` leave them unchanged;
/// `"parent_id": null` moves the organisation to the top level (ADR 0002).
/// An unknown organisation is ORG.0001 before any input rule, as the service answers.
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

/// `DELETE /organizations/{org_id}`: refused with ORG.0016 while it has children or users.
pub async fn delete_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
) -> Result<StatusCode, OneAccessError> {
    organizations::delete(&state, &caller.context, &OrganizationId::new(org_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
