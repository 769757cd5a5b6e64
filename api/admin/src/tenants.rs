//! `/admin/v1/tenants`: the operator (a management credential of the default tenant) lists and
//! creates tenants and manages their host names; every other tenant gets 403. A host name is a
//! unique claim: one another tenant holds, or the default tenant's public host, is 409.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use domain::authority::Authority;
use domain::tenant::DEFAULT_TENANT_ID;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::tenants;
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tenants", get(list).post(create))
        .route(
            "/tenants/{tenant_id}/domains",
            get(list_domains).post(add_domain),
        )
        .route(
            "/tenants/{tenant_id}/domains/{domain}",
            delete(remove_domain),
        )
}

/// Tenants and their host names are the operator's (a refusal is recorded, ADR 0014).
async fn operator_only(state: &AppState, caller: &ManagementCaller) -> Result<(), AdminError> {
    if caller.tenant_id == DEFAULT_TENANT_ID && caller.authority() == Authority::Operator {
        Ok(())
    } else {
        Err(super::refuse(state, caller, "only the operator manages tenants").await)
    }
}

async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Value>, AdminError> {
    operator_only(&state, &caller).await?;
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
    operator_only(&state, &caller).await?;
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

async fn domains_of(state: &AppState, tenant_id: &str) -> Result<Json<Value>, AdminError> {
    let domains = usecases::tenant_hosts::domains(&state.bus, tenant_id)
        .await?
        .ok_or_else(|| AdminError::not_found("tenant does not exist"))?;
    Ok(Json(json!({"tenant_id": tenant_id, "domains": domains})))
}

async fn list_domains(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(tenant_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    operator_only(&state, &caller).await?;
    domains_of(&state, &tenant_id).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    domain: String,
}

/// The operator's command acting on another tenant's stream, attributed to the operator.
fn on_tenant(caller: &ManagementCaller, tenant_id: &str) -> usecases::Context {
    let mut context = super::context(caller);
    context.tenant_id = tenant_id.to_string();
    context
}

async fn add_domain(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(tenant_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AdminError> {
    operator_only(&state, &caller).await?;
    let body: DomainBody = serde_json::from_slice(&body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    // The tenant must exist (404 otherwise).
    let _ = domains_of(&state, &tenant_id).await?;
    let reserved = usecases::tenant_hosts::reserved_hosts(&state.config);
    let context = on_tenant(&caller, &tenant_id);
    usecases::tenant_hosts::add_domain(&state.bus, &context, &body.domain, &reserved).await?;
    domains_of(&state, &tenant_id).await
}

async fn remove_domain(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((tenant_id, domain)): Path<(String, String)>,
) -> Result<Json<Value>, AdminError> {
    operator_only(&state, &caller).await?;
    let _ = domains_of(&state, &tenant_id).await?;
    let context = on_tenant(&caller, &tenant_id);
    usecases::tenant_hosts::remove_domain(&state.bus, &context, &domain).await?;
    if let Some(host) = domain::tenant::normalise_domain(&domain) {
        state.tenants.forget(&host);
    }
    domains_of(&state, &tenant_id).await
}
