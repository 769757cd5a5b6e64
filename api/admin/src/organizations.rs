//! `GET`/`PUT /admin/v1/organizations/{org_id}/government`: an organisation's government profile
//! (ops/adr/0019; the organisation fields of the Hainan directory, specs/oneaccess-sdk-and-hainan-uaa.md
//! §2.1, §2.2 003-17): its type, administrative division, unified social credit code, address and
//! contact, the unit's full name, sector line and department level, and extended attributes.
//! A `PUT` changes the fields it names (`extend_map` as a whole) in one `organization.updated`
//! event, checked by the rules a type imposes; both answer `{org_id, government}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use domain::gov_profile::{GovProfile, OrgType};
use domain::organization::OrgDetails;
use domain::OrganizationId;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use usecases::organizations::{self, OrgChange};
use usecases::AppState;

use super::error::AdminError;
use super::strict::parse_strict;
use idaas_http::caller::ManagementCaller;

pub fn router() -> Router<AppState> {
    Router::new().route("/organizations/{org_id}/government", get(read).put(change))
}

/// The body of a `PUT`: every field optional.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct GovernmentBody {
    org_type: Option<String>,
    area_code: Option<String>,
    area_name: Option<String>,
    unified_social_credit_code: Option<String>,
    address: Option<String>,
    contacts: Option<String>,
    contact_tel: Option<String>,
    contact_tel_area_code: Option<String>,
    unit_name: Option<String>,
    belong_line: Option<String>,
    department_level: Option<String>,
    zip_code: Option<String>,
    extend_map: Option<Map<String, Value>>,
}

fn text(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl GovernmentBody {
    fn profile(self) -> Result<GovProfile, AdminError> {
        let org_type = match text(self.org_type) {
            None => None,
            Some(code) => Some(OrgType::of_code(&code).ok_or_else(|| {
                let known: Vec<&str> = OrgType::ALL.iter().map(|t| t.code()).collect();
                AdminError::invalid(format!("org_type must be one of {}", known.join(", ")))
            })?),
        };
        Ok(GovProfile {
            org_type,
            area_code: text(self.area_code),
            area_name: text(self.area_name),
            unified_social_credit_code: text(self.unified_social_credit_code),
            address: text(self.address),
            contacts: text(self.contacts),
            contact_tel: text(self.contact_tel),
            contact_tel_area_code: text(self.contact_tel_area_code),
            unit_name: text(self.unit_name),
            belong_line: text(self.belong_line),
            department_level: text(self.department_level),
            zip_code: text(self.zip_code),
            extend_map: self.extend_map.unwrap_or_default(),
        })
    }
}

async fn answer(state: &AppState, tenant: &str, org_id: &str) -> Result<Json<Value>, AdminError> {
    let organ = projections::organs::get(state.pool(), tenant, org_id)
        .await?
        .ok_or_else(|| AdminError::not_found("organization does not exist"))?;
    Ok(Json(json!({
        "org_id": organ.org_id,
        "government": organ.gov,
    })))
}

async fn read(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    answer(&state, &caller.tenant_id, &org_id).await
}

async fn change(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AdminError> {
    // Every field is in the template (as null), so only misspelt ones are refused; the
    // extended attributes are free.
    let body: GovernmentBody = parse_strict(&body, &GovernmentBody::default())?;
    let gov = body.profile()?;
    let context = super::context(&caller);
    let id = OrganizationId::new(org_id.clone());
    if !organizations::exists(&state, &context, &id).await? {
        return Err(AdminError::not_found("organization does not exist"));
    }
    let change = OrgChange {
        code: None,
        name: None,
        parent_id: None,
        category: None,
        details: OrgDetails {
            gov,
            ..OrgDetails::default()
        },
    };
    organizations::update(&state, &context, &id, change)
        .await
        .map_err(|e| match e {
            usecases::ServiceError::Organization(refusal) => {
                AdminError::invalid(refusal.to_string())
            }
            other => other.into(),
        })?;
    answer(&state, &caller.tenant_id, &org_id).await
}
