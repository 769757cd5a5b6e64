//! `/admin/v1/tenant/settings`: the caller's tenant's password policy, user-attribute rules
//! (keyed by canonical attribute names; version-1 names are accepted and renamed), organisation
//! policy, lockout, management token lifetime and retention (ops/adr/0026).

use axum::extract::State;
use axum::Json;
use domain::password::PasswordPolicy;
use domain::retention::RetentionPolicy;
use domain::tenant::{
    AttributeRule, LockoutPolicy, OrganizationPolicy, Tenant, TenantCommand, TenantSettings,
    UserAttributeRules,
};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::strict::{known_fields, parse_strict};
use domain::Aggregate;
use serde::Deserialize;

use super::error::{AdminError, CallFailures, ErrorBody};
use super::schema;
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::AppState;
use usecases::{settings, ServiceError};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(read))
        .routes(routes!(password_policy))
        .routes(routes!(user_attributes))
        .routes(routes!(lockout))
        .routes(routes!(organizations))
        .routes(routes!(token_lifetime))
        .routes(routes!(retention))
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid(format!("invalid body: {e}")))
}

/// The tenant's settings.
#[utoipa::path(
    get,
    operation_id = "read_settings",
    path = "/tenant/settings",
    tag = "settings",
    responses(
        (status = 200, description = "The settings.", body = schema::Settings),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
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

/// Replaces the password policy.
#[utoipa::path(
    put,
    operation_id = "set_password_policy",
    path = "/tenant/settings/password-policy",
    tag = "settings",
    request_body = schema::PasswordPolicy,
    responses(
        (status = 200, description = "The settings now.", body = schema::Settings),
        (status = 400, description = "An unknown field or a value out of range (1 <= min_length <= max_length <= 128).", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The settings kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn password_policy(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let policy: PasswordPolicy = parse_strict(&body, &PasswordPolicy::default())?;
    change(&state, &caller, TenantCommand::SetPasswordPolicy(policy)).await
}

/// Replaces the user-attribute rules.
///
/// Keyed by attribute name, `extension.NAME` for an extension.
#[utoipa::path(
    put,
    operation_id = "set_user_attributes",
    path = "/tenant/settings/user-attributes",
    tag = "settings",
    request_body = schema::UserAttributes,
    responses(
        (status = 200, description = "The settings now.", body = schema::Settings),
        (status = 400, description = "An unknown field of a rule, more than 100 rules, or a pattern that is not a usable regular expression.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The settings kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
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

/// How long a management token lives.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lifetime {
    #[schema(minimum = 60, maximum = 86_400)]
    seconds: u32,
}

/// Sets how long a management token lives.
#[utoipa::path(
    put,
    operation_id = "set_management_token_lifetime",
    path = "/tenant/settings/management-token-lifetime",
    tag = "settings",
    request_body = Lifetime,
    responses(
        (status = 200, description = "The settings now.", body = schema::Settings),
        (status = 400, description = "An unknown field, or not 60 to 86400 seconds.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The settings kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
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

/// Sets the login lockout: failures before a lock, and its minutes.
#[utoipa::path(
    put,
    operation_id = "set_lockout",
    path = "/tenant/settings/lockout",
    tag = "settings",
    request_body = schema::Lockout,
    responses(
        (status = 200, description = "The settings now.", body = schema::Settings),
        (status = 400, description = "An unknown field, or a value out of range.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The settings kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn lockout(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let policy: LockoutPolicy = parse_strict(&body, &LockoutPolicy::default())?;
    change(&state, &caller, TenantCommand::SetLockout(policy)).await
}

/// Sets the organisation policy (fields left out take their defaults).
///
/// Whether organisation names must be unique among siblings (OneAccess's rule, the default) and
/// whether a grant to an organisation reaches its sub-organisations.
#[utoipa::path(
    put,
    operation_id = "set_organization_policy",
    path = "/tenant/settings/organizations",
    tag = "settings",
    request_body = schema::OrganizationPolicy,
    responses(
        (status = 200, description = "The settings now.", body = schema::Settings),
        (status = 400, description = "An unknown field or a wrong type.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The settings kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
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

/// Sets the retention policy: after how many days request metadata is forgotten and deleted users
/// are erased (null: never, the default).
#[utoipa::path(
    put,
    operation_id = "set_retention",
    path = "/tenant/settings/retention",
    tag = "settings",
    request_body = schema::Retention,
    responses(
        (status = 200, description = "The settings now.", body = schema::Settings),
        (status = 400, description = "An unknown field, or not 0 to 3650 days.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The settings kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn retention(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<Json<TenantSettings>, AdminError> {
    let policy: RetentionPolicy = parse(&body)?;
    change(&state, &caller, TenantCommand::SetRetention(policy)).await
}
