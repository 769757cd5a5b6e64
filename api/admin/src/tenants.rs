//! `/admin/v1/tenants`: the operator (a management credential of the default tenant) lists and
//! creates tenants and manages their host names; every other tenant gets 403. A host name is a
//! unique claim: one another tenant holds, or the default tenant's public host, is 409.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::authority::Authority;
use domain::tenant::DEFAULT_TENANT_ID;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::tenants;
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(list_domains, add_domain))
        .routes(routes!(remove_domain))
}

/// A tenant and the host names it is reached at.
#[derive(Serialize, ToSchema)]
struct TenantView {
    tenant_id: String,
    name: String,
    domains: Vec<String>,
}

/// A new tenant's management credential; the secret is shown this once.
#[derive(Serialize, ToSchema)]
struct TenantCredential {
    tenant_id: String,
    /// The tenant's management application (it holds the API product).
    application_id: String,
    client_id: String,
    /// Shown once.
    client_secret: String,
}

/// A tenant's host names.
#[derive(Serialize, ToSchema)]
struct Domains {
    tenant_id: String,
    domains: Vec<String>,
}

/// Tenants and their host names are the operator's (a refusal is recorded, ADR 0014).
async fn operator_only(state: &AppState, caller: &ManagementCaller) -> Result<(), AdminError> {
    if caller.tenant_id == DEFAULT_TENANT_ID && caller.authority() == Authority::Operator {
        Ok(())
    } else {
        Err(super::refuse(state, caller, "only the operator manages tenants").await)
    }
}

/// Every tenant (operator only: a credential of the default tenant).
#[utoipa::path(
    get,
    operation_id = "list_tenants",
    path = "/tenants",
    tag = "tenants",
    responses(
        (status = 200, description = "The tenants.", body = Vec<TenantView>),
        (status = 403, description = "Not the operator (recorded).", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Vec<TenantView>>, AdminError> {
    operator_only(&state, &caller).await?;
    let rows = projections::tenants::list(state.pool()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(t, domains)| TenantView {
                tenant_id: t.tenant_id,
                name: t.name,
                domains,
            })
            .collect(),
    ))
}

/// A tenant to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantBody {
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// The host names it is reached at: at least one, each unique across tenants.
    #[serde(default)]
    #[schema(min_items = 1)]
    domains: Vec<String>,
}

/// Creates a tenant with its management application (operator only).
///
/// The management credential is shown this once.
#[utoipa::path(
    post,
    operation_id = "create_tenant",
    path = "/tenants",
    tag = "tenants",
    request_body = TenantBody,
    responses(
        (status = 201, description = "Created.", body = TenantCredential),
        (status = 400, description = "An unknown field, a bad name, no host name or a bad one.", body = ErrorBody),
        (status = 403, description = "Not the operator (recorded).", body = ErrorBody),
        (status = 409, description = "A host name another tenant holds, or the default tenant's public host.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn create(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<TenantCredential>), AdminError> {
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
        Json(TenantCredential {
            tenant_id: created.tenant_id,
            application_id: created.application_id,
            client_id: created.client_id,
            client_secret: created.client_secret,
        }),
    ))
}

async fn domains_of(state: &AppState, tenant_id: &str) -> Result<Json<Domains>, AdminError> {
    let domains = usecases::tenant_hosts::domains(&state.bus, tenant_id)
        .await?
        .ok_or_else(|| AdminError::not_found("tenant does not exist"))?;
    Ok(Json(Domains {
        tenant_id: tenant_id.to_string(),
        domains,
    }))
}

/// A tenant's host names (operator only).
#[utoipa::path(
    get,
    operation_id = "list_tenant_domains",
    path = "/tenants/{tenant_id}/domains",
    tag = "tenants",
    params(("tenant_id" = String, Path, description = "The tenant.")),
    responses(
        (status = 200, description = "Its host names.", body = Domains),
        (status = 403, description = "Not the operator (recorded).", body = ErrorBody),
        (status = 404, description = "No such tenant.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn list_domains(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(tenant_id): Path<String>,
) -> Result<Json<Domains>, AdminError> {
    operator_only(&state, &caller).await?;
    domains_of(&state, &tenant_id).await
}

/// A host name to claim.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    /// Letters, digits, dots and hyphens (a port is dropped); stored in lower case.
    #[schema(max_length = 253)]
    domain: String,
}

/// The operator's command acting on another tenant's stream, attributed to the operator.
fn on_tenant(caller: &ManagementCaller, tenant_id: &str) -> usecases::Context {
    let mut context = super::context(caller);
    context.tenant_id = tenant_id.to_string();
    context
}

/// Claims another host name for a tenant (operator only).
#[utoipa::path(
    post,
    operation_id = "add_tenant_domain",
    path = "/tenants/{tenant_id}/domains",
    tag = "tenants",
    params(("tenant_id" = String, Path, description = "The tenant.")),
    request_body = DomainBody,
    responses(
        (status = 200, description = "Its host names now.", body = Domains),
        (status = 400, description = "An unknown field, or not a host name.", body = ErrorBody),
        (status = 403, description = "Not the operator (recorded).", body = ErrorBody),
        (status = 404, description = "No such tenant.", body = ErrorBody),
        (status = 409, description = "Another tenant holds it, it is the default tenant's public host, or the tenant kept changing.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn add_domain(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(tenant_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Domains>, AdminError> {
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

/// Gives up one of a tenant's host names (operator only; a tenant keeps at least one).
#[utoipa::path(
    delete,
    operation_id = "remove_tenant_domain",
    path = "/tenants/{tenant_id}/domains/{domain}",
    tag = "tenants",
    params(
        ("tenant_id" = String, Path, description = "The tenant."),
        ("domain" = String, Path, description = "One of its host names."),
    ),
    responses(
        (status = 200, description = "Its host names now.", body = Domains),
        (status = 403, description = "Not the operator (recorded).", body = ErrorBody),
        (status = 404, description = "No such tenant, or not one of its host names.", body = ErrorBody),
        (status = 409, description = "Its last host name, or the tenant kept changing.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn remove_domain(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((tenant_id, domain)): Path<(String, String)>,
) -> Result<Json<Domains>, AdminError> {
    operator_only(&state, &caller).await?;
    let _ = domains_of(&state, &tenant_id).await?;
    let context = on_tenant(&caller, &tenant_id);
    usecases::tenant_hosts::remove_domain(&state.bus, &context, &domain).await?;
    domains_of(&state, &tenant_id).await
}
