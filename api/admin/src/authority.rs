//! `PUT /admin/v1/applications/{application_id}/authority` (ops/adr/0014): what an application's
//! management credential may do — `directory`, `tenant_admin`, `operator` (default tenant only)
//! or `null` (the API product alone: a directory client) — and, for a directory client, the other
//! applications whose accounts and roles it manages. A caller grants at most its own authority,
//! never changes an application above its own nor its own. Audited as
//! `application.authority_changed`.

use axum::extract::{Path, State};
use axum::Json;
use domain::authority::Authority;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use super::schema::AuthorityName;
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::authority::{self, GrantRefused};
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(grant))
}

/// The authority to grant. `authority` left out or null: the API product alone (a directory
/// client).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct GrantBody {
    #[schema(value_type = Option<AuthorityName>)]
    authority: Option<String>,
    /// For a directory client, the other applications whose accounts and roles it manages (at
    /// most 1000).
    #[serde(default)]
    #[schema(max_items = 1000)]
    applications: Vec<String>,
}

/// What an application's management credential may do now.
#[derive(Serialize, ToSchema)]
struct Granted {
    application_id: String,
    /// Null without the API product.
    #[schema(value_type = Option<AuthorityName>, required = true)]
    authority: Option<&'static str>,
    /// The other applications a directory client manages.
    granted_applications: Vec<String>,
}

/// Grants what an application's management credential may do (ops/adr/0014).
///
/// The applications a directory client manages too. `directory`, `tenant_admin`, `operator` (default tenant only) or null (the API product alone:
/// a directory client). A caller grants at most its own authority and never changes its own or
/// a greater application's. Recorded as `application.authority_changed`.
#[utoipa::path(
    put,
    operation_id = "grant_authority",
    path = "/applications/{application_id}/authority",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = GrantBody,
    responses(
        (status = 200, description = "The application's authority now.", body = Granted),
        (status = 400, description = "An unknown field, not an authority, more than 1000 applications, or no API product.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential; above the caller's own authority, the caller's own application, an application above the caller, or an operator outside the default tenant (recorded).", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "The application kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn grant(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Granted>, AdminError> {
    let body: GrantBody = serde_json::from_slice(&body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    let level = match body.authority.as_deref() {
        None => None,
        Some(text) => Some(Authority::parse(text).ok_or_else(|| {
            AdminError::invalid(
                "authority must be directory, tenant_admin, operator, auditor or null",
            )
        })?),
    };
    if body.applications.len() > 1000 {
        return Err(AdminError::invalid("at most 1000 granted applications"));
    }
    let context = super::context(&caller);
    let granted = authority::grant(
        &state,
        &context,
        &caller.held,
        &application_id,
        level,
        body.applications,
    )
    .await?;
    match granted {
        Ok(()) => {}
        Err(GrantRefused::NotFound) => {
            return Err(AdminError::not_found("application does not exist"))
        }
        Err(GrantRefused::NoApiProduct) => {
            return Err(AdminError::invalid(GrantRefused::NoApiProduct.to_string()))
        }
        Err(refused) => return Err(super::refuse(&state, &caller, &refused.to_string()).await),
    }
    let app = projections::applications::get(state.pool(), &caller.tenant_id, &application_id)
        .await?
        .ok_or_else(|| AdminError::not_found("application does not exist"))?;
    Ok(Json(Granted {
        authority: app.management_authority().map(|a| a.as_str()),
        application_id: app.application_id,
        granted_applications: app.granted_applications,
    }))
}
