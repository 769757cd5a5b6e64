//! `PUT /admin/v1/applications/{application_id}/audit-reading` (ops/adr/0022): whether an
//! application's management credential may read the audit API (`/audit/v1`) — `events`,
//! `personal` (personal values too) or `null` (not at all; an auditor still reads events). Only
//! a tenant administrator grants, never to its own application nor above its own level.
//! Audited as `application.audit_reading_changed`.

use axum::extract::{Path, State};
use axum::Json;
use domain::authority::AuditReading;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::authority::GrantRefused;
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(grant))
}

/// What an application's credential may read of the audit API.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ReadingName {
    /// Events and histories, personal values masked.
    Events,
    /// Personal values too.
    Personal,
}

/// The audit reading to grant; null takes it away.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReadingBody {
    #[schema(value_type = Option<ReadingName>, required = true)]
    reading: Option<String>,
}

/// What the application's credential reads of the audit API now.
#[derive(Serialize, ToSchema)]
struct Reading {
    application_id: String,
    /// Null: it does not read the audit API.
    #[schema(value_type = Option<ReadingName>, required = true)]
    reading: Option<&'static str>,
}

/// Grants or takes away reading the audit API (ops/adr/0022).
#[utoipa::path(
    put,
    operation_id = "grant_audit_reading",
    path = "/applications/{application_id}/audit-reading",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = ReadingBody,
    responses(
        (status = 200, description = "What the application reads now.", body = Reading),
        (status = 400, description = "An unknown field, not a reading, or no API product.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential, the caller's own application, or an application above the caller (recorded).", body = ErrorBody),
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
) -> Result<Json<Reading>, AdminError> {
    let body: ReadingBody = serde_json::from_slice(&body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    let reading = match body.reading.as_deref() {
        None => None,
        Some(text) => Some(
            AuditReading::parse(text)
                .ok_or_else(|| AdminError::invalid("reading must be events, personal or null"))?,
        ),
    };
    let context = super::context(&caller);
    let granted = usecases::audit::grant(
        &state.bus,
        &context,
        Some(&caller.held),
        &application_id,
        reading,
        state.now(),
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
    Ok(Json(Reading {
        reading: app.reads_audit().map(|r| r.as_str()),
        application_id: app.application_id,
    }))
}
