//! `PUT /admin/v1/applications/{application_id}/authority` (ops/adr/0014): what an application's
//! management credential may do — `directory`, `tenant_admin`, `operator` (default tenant only)
//! or `null` (the API product alone: a directory client) — and, for a directory client, the other
//! applications whose accounts and roles it manages. A caller grants at most its own authority,
//! never changes an application above its own nor its own. Audited as
//! `application.authority_changed`.

use axum::extract::{Path, State};
use axum::routing::put;
use axum::{Json, Router};
use domain::authority::Authority;
use serde::Deserialize;
use serde_json::Value;

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::authority::{self, GrantRefused};
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/applications/{application_id}/authority", put(grant))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantBody {
    authority: Option<String>,
    #[serde(default)]
    applications: Vec<String>,
}

async fn grant(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AdminError> {
    let body: GrantBody = serde_json::from_slice(&body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    let level = match body.authority.as_deref() {
        None => None,
        Some(text) => Some(Authority::parse(text).ok_or_else(|| {
            AdminError::invalid("authority must be directory, tenant_admin, operator or null")
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
    Ok(Json(serde_json::json!({
        "application_id": app.application_id,
        "authority": app.management_authority().map(|a| a.as_str()),
        "granted_applications": app.granted_applications,
    })))
}
