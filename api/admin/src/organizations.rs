//! `GET`/`PUT /admin/v1/organizations/{org_id}/government`: an organisation's government profile
//! (ops/adr/0019; the organisation fields of the Hainan directory, specs/oneaccess-sdk-and-hainan-uaa.md
//! §2.1, §2.2 003-17): its type, administrative division, unified social credit code, address and
//! contact, the unit's full name, sector line and department level, and extended attributes.
//! A `PUT` changes the fields it names (`extend_map` as a whole) in one `organization.updated`
//! event, checked by the rules a type imposes; both answer `{org_id, government}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use domain::gov_profile::{GovProfile, OrgType};
use domain::organization::OrgDetails;
use domain::OrganizationId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use usecases::organizations::{self, OrgChange};
use usecases::AppState;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use super::schema::{Government, OrgTypeCode};
use super::strict::parse_strict;
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(read, change))
}

/// The fields of a government profile to change: a field left out, null or blank stays;
/// `extend_map` given replaces the whole map. A unit needs `unit_name`, `belong_line` and
/// `department_level`; a temporary organisation `unit_name` and `belong_line`; a sector-line
/// node `belong_line`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct GovernmentBody {
    #[schema(value_type = Option<OrgTypeCode>)]
    org_type: Option<String>,
    /// The administrative division's code.
    #[schema(max_length = 32)]
    area_code: Option<String>,
    #[schema(max_length = 100)]
    area_name: Option<String>,
    /// 18 characters of 0-9 and A-Y without I, O, S, V, Z.
    #[schema(pattern = "^[0-9A-HJ-NPQRTUWXY]{18}$")]
    unified_social_credit_code: Option<String>,
    #[schema(max_length = 200)]
    address: Option<String>,
    /// The contact person.
    #[schema(max_length = 50)]
    contacts: Option<String>,
    #[schema(max_length = 32)]
    contact_tel: Option<String>,
    #[schema(max_length = 16)]
    contact_tel_area_code: Option<String>,
    /// The unit's full name.
    #[schema(max_length = 200)]
    unit_name: Option<String>,
    /// The sector line.
    #[schema(max_length = 64)]
    belong_line: Option<String>,
    #[schema(max_length = 64)]
    department_level: Option<String>,
    #[schema(max_length = 16)]
    zip_code: Option<String>,
    /// Extended attributes, free: at most 50, 4096 characters as JSON.
    extend_map: Option<Map<String, Value>>,
}

/// An organisation's government profile.
#[derive(Serialize, ToSchema)]
struct GovernmentAnswer {
    org_id: String,
    #[schema(value_type = Government)]
    government: GovProfile,
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

async fn answer(
    state: &AppState,
    tenant: &str,
    org_id: &str,
) -> Result<Json<GovernmentAnswer>, AdminError> {
    let organ = projections::organs::get(state.pool(), tenant, org_id)
        .await?
        .ok_or_else(|| AdminError::not_found("organization does not exist"))?;
    Ok(Json(GovernmentAnswer {
        org_id: organ.org_id,
        government: organ.gov,
    }))
}

/// An organisation's government profile (the Hainan directory's organisation fields).
#[utoipa::path(
    get,
    operation_id = "read_government_profile",
    path = "/organizations/{org_id}/government",
    tag = "organizations",
    params(("org_id" = String, Path, description = "The organisation.")),
    responses(
        (status = 200, description = "The profile.", body = GovernmentAnswer),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 404, description = "No such organisation.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn read(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
) -> Result<Json<GovernmentAnswer>, AdminError> {
    answer(&state, &caller.tenant_id, &org_id).await
}

/// Changes the named fields of an organisation's government profile.
///
/// Checked by the rules its type imposes; recorded as `organization.updated`.
#[utoipa::path(
    put,
    operation_id = "change_government_profile",
    path = "/organizations/{org_id}/government",
    tag = "organizations",
    params(("org_id" = String, Path, description = "The organisation.")),
    request_body = GovernmentBody,
    responses(
        (status = 200, description = "The profile now.", body = GovernmentAnswer),
        (status = 400, description = "An unknown field, a bad value, or a field its type requires is missing.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 404, description = "No such organisation.", body = ErrorBody),
        (status = 409, description = "The organisation kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn change(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Result<Json<GovernmentAnswer>, AdminError> {
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
