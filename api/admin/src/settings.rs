//! `/admin/v1/tenant/settings`: the caller's tenant's password policy, user-attribute rules
//! (keyed by canonical attribute names; version-1 names are accepted and renamed), organisation
//! policy, lockout and management token lifetime.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use domain::password::PasswordPolicy;
use domain::tenant::{
    AttributeRule, LockoutPolicy, OrganizationPolicy, Tenant, TenantCommand, TenantSettings,
    UserAttributeRules,
};

use super::strict::{known_fields, parse_strict};
use domain::Aggregate;
use serde::Deserialize;

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::AppState;
use usecases::{settings, ServiceError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tenant/settings", get(read))
        .route("/tenant/settings/password-policy", put(password_policy))
        .route("/tenant/settings/user-attributes", put(user_attributes))
        .route("/tenant/settings/lockout", put(lockout))
        .route("/tenant/settings/organizations", put(organizations))
        .route(
            "/tenant/settings/management-token-lifetime",
            put(token_lifetime),
        )
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid(format!("invalid body: {e}")))
}

async fn read(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<TenantSettings>, AdminError> {
    Ok(Json(settings(&state, &caller.tenant_id).await?))
}

async fn change(
    state: &AppState,
    caller: &ManagementCaller,
    command: TenantCommand,
) -> Result<Json<TenantSettings>, AdminError> {
    state
        .bus
        .execute::<Tenant, _>(&super::context(caller), &caller.tenant_id, |t| {
            t.decide(command.clone(), &())
        })
        .await
        .map_err(ServiceError::from)?;
    Ok(Json(settings(state, &caller.tenant_id).await?))
}

async fn password_policy(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let policy: PasswordPolicy = parse_strict(&body, &PasswordPolicy::default())?;
    change(&state, &caller, TenantCommand::SetPasswordPolicy(policy)).await
}

async fn user_attributes(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let rules: UserAttributeRules = parse(&body)?;
    let template = serde_json::to_value(AttributeRule {
        pattern: Some(String::new()),
        ..Default::default()
    })
    .unwrap_or_default();
    let given: serde_json::Value = parse(&body)?;
    if let serde_json::Value::Object(map) = &given {
        for (attribute, rule) in map {
            known_fields(rule, &template, &format!("{attribute}."))?;
        }
    }
    change(&state, &caller, TenantCommand::SetUserAttributes(rules)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifetime {
    seconds: u32,
}

async fn token_lifetime(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let lifetime: Lifetime = parse(&body)?;
    change(
        &state,
        &caller,
        TenantCommand::SetManagementTokenLifetime(lifetime.seconds),
    )
    .await
}

async fn lockout(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let policy: LockoutPolicy = parse_strict(&body, &LockoutPolicy::default())?;
    change(&state, &caller, TenantCommand::SetLockout(policy)).await
}

/// Whether organisation names must be unique among siblings (OneAccess's rule, the default).
async fn organizations(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let policy: OrganizationPolicy = parse_strict(&body, &OrganizationPolicy::default())?;
    change(
        &state,
        &caller,
        TenantCommand::SetOrganizationPolicy(policy),
    )
    .await
}
