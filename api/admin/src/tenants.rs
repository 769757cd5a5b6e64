//! `/admin/v1/tenants`: the operator (a management credential of the default tenant) lists and
//! creates tenants; every other tenant gets 403.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use domain::tenant::DEFAULT_TENANT_ID;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::tenants;
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/tenants", get(list).post(create))
}

fn operator_only(caller: &ManagementCaller) -> Result<(), AdminError> {
    if caller.tenant_id == DEFAULT_TENANT_ID {
        Ok(())
    } else {
        Err(AdminError::forbidden(
            "only the default tenant's administrators manage tenants",
        ))
    }
}

async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Value>, AdminError> {
    operator_only(&caller)?;
    let rows = projections::tenants::list(state.pool()).await?;
    Ok(Json(Value::Array(
        rows.into_iter()
            .map(|(t, domains)| json!({"tenant_id": t.tenant_id, "name": t.name, "domains": domains}))
            .collect(),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantBody {
    name: String,
    #[serde(default)]
    domains: Vec<String>,
}

/// A tenant with its management application; the credential is shown once.
async fn create(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    operator_only(&caller)?;
    let body: TenantBody = serde_json::from_slice(&body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    if body.domains.is_empty() {
        return Err(AdminError::invalid(
            "a tenant needs at least one host name to be reached",
        ));
    }
    let created = tenants::create(&state, &body.name, body.domains, "admin").await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::to_value(created).unwrap_or_default()),
    ))
}
