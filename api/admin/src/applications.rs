//! `/admin/v1/applications`: register, read, configure, enable/disable, rotate the secret.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::application::{Configuration, ProtocolSettings};
use projections::applications::ApplicationRow;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::AdminError;
use super::strict::known_fields;
use idaas_http::caller::ManagementCaller;
use usecases::applications::{self, ApplicationChange, ChangeRefused, NewApplication};
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/applications", get(list).post(create))
        .route(
            "/applications/{application_id}",
            get(read).patch(configure).delete(delete),
        )
        .route("/applications/{application_id}/enable", post(enable))
        .route("/applications/{application_id}/disable", post(disable))
        .route(
            "/applications/{application_id}/rotate-secret",
            post(rotate_secret),
        )
}

/// An application as the admin API shows it: never a secret or its hash.
fn view(app: ApplicationRow) -> Value {
    json!({
        "application_id": app.application_id,
        "name": app.name,
        "client_id": app.client_id,
        "enabled": app.enabled,
        "api_product": app.api_product,
        "authority": app.management_authority().map(|a| a.as_str()),
        "granted_applications": app.granted_applications,
        "app_orgs": app.app_orgs,
        "app_roles": app.app_roles,
        "protocols": app.protocols,
        "account_extensions": app.account_extensions,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppBody {
    name: Option<String>,
    api_product: Option<bool>,
    app_orgs: Option<bool>,
    app_roles: Option<bool>,
    /// OAuth/OIDC, CAS and SAML settings; on PATCH they replace the current ones whole.
    protocols: Option<ProtocolSettings>,
    /// The account model: extension attributes an account of the application may carry.
    account_extensions: Option<Vec<String>>,
}

/// The application body; nested protocol settings are read strictly too.
fn parse(body: &[u8]) -> Result<AppBody, AdminError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    if let Some(protocols) = value.get("protocols") {
        let mut template = serde_json::to_value(ProtocolSettings::default()).unwrap_or_default();
        template["saml"] =
            serde_json::to_value(domain::protocols::SamlServiceProvider::new("", ""))
                .unwrap_or_default();
        for optional in ["slo_url", "signing_certificate", "encryption_certificate"] {
            template["saml"][optional] = json!("");
        }
        template["saml"]["attribute_mapping"] = Value::Null;
        template["refresh_token_lifetime_secs"] = json!(0);
        // Left out of a payload when `none`, so not in the default's JSON.
        template["release_authorization"] = json!("none");
        known_fields(protocols, &template, "protocols.")?;
    }
    serde_json::from_value(value).map_err(|e| AdminError::invalid(format!("invalid body: {e}")))
}

async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Value>, AdminError> {
    let apps = projections::applications::list(state.pool(), &caller.tenant_id).await?;
    Ok(Json(Value::Array(apps.into_iter().map(view).collect())))
}

async fn create(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let body = parse(&body)?;
    let app = NewApplication {
        name: body.name.unwrap_or_default(),
        api_product: body.api_product.unwrap_or(false),
        app_orgs: body.app_orgs.unwrap_or(false),
        app_roles: body.app_roles.unwrap_or(false),
        protocols: body.protocols.unwrap_or_default(),
        account_extensions: body.account_extensions.unwrap_or_default(),
        ..Default::default()
    };
    let registered = applications::register_now(&state, &super::context(&caller), app).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "application_id": registered.application_id,
            "client_id": registered.client_id,
            "client_secret": registered.client_secret,
        })),
    ))
}

async fn current(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> Result<ApplicationRow, AdminError> {
    projections::applications::get(state.pool(), tenant, application_id)
        .await?
        .ok_or_else(|| AdminError::not_found("application does not exist"))
}

async fn read(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    Ok(Json(view(
        current(&state, &caller.tenant_id, &application_id).await?,
    )))
}

/// Applies a change and shows the application as it is now.
async fn run(
    state: &AppState,
    caller: &ManagementCaller,
    application_id: &str,
    change: ApplicationChange,
) -> Result<(Json<Value>, Option<String>), AdminError> {
    let target = current(state, &caller.tenant_id, application_id).await?;
    if !usecases::authority::may_change(&caller.held, &target) {
        return Err(super::refuse(
            state,
            caller,
            "this application holds more authority than the caller",
        )
        .await);
    }
    let secret = applications::change(state, &super::context(caller), application_id, change)
        .await
        .map_err(|e| match e {
            ChangeRefused::Service(e) => AdminError::from(e),
            refused => AdminError::conflict(refused.to_string()),
        })?;
    match current(state, &caller.tenant_id, application_id).await {
        Ok(app) => Ok((Json(view(app)), secret)),
        Err(_) => Ok((Json(Value::Null), secret)),
    }
}

async fn configure(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AdminError> {
    let body = parse(&body)?;
    current(&state, &caller.tenant_id, &application_id).await?;
    let change = ApplicationChange::Configure(Box::new(Configuration {
        name: body.name,
        api_product: body.api_product,
        app_orgs: body.app_orgs,
        app_roles: body.app_roles,
        protocols: body.protocols,
        account_extensions: body.account_extensions,
        ..Configuration::default()
    }));
    Ok(run(&state, &caller, &application_id, change).await?.0)
}

async fn enable(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    Ok(
        run(&state, &caller, &application_id, ApplicationChange::Enable)
            .await?
            .0,
    )
}

async fn disable(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    Ok(
        run(&state, &caller, &application_id, ApplicationChange::Disable)
            .await?
            .0,
    )
}

/// A new secret, shown once; the old one stops working at once.
async fn rotate_secret(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    let (app, secret) = run(
        &state,
        &caller,
        &application_id,
        ApplicationChange::RotateSecret,
    )
    .await?;
    Ok(Json(
        json!({ "client_id": app.0["client_id"], "client_secret": secret }),
    ))
}

/// Deletes an application without accounts (409 otherwise); its client id is free again.
async fn delete(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<StatusCode, AdminError> {
    run(&state, &caller, &application_id, ApplicationChange::Delete)
        .await
        .map(|_| StatusCode::NO_CONTENT)
}
