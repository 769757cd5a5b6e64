//! `/admin/v1/applications`: register, read, configure, enable/disable, rotate the secret.

mod body;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::application::Configuration;
use projections::applications::ApplicationRow;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use body::{parse, AppBody, Application, Credential, RotatedSecret};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::applications::{self, ApplicationChange, ChangeRefused, NewApplication};
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, configure, delete))
        .routes(routes!(enable))
        .routes(routes!(disable))
        .routes(routes!(rotate_secret))
}

/// The tenant's applications.
#[utoipa::path(
    get,
    operation_id = "list_applications",
    path = "/applications",
    tag = "applications",
    responses(
        (status = 200, description = "Every application of the tenant.", body = Vec<Application>),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Vec<Application>>, AdminError> {
    let apps = projections::applications::list(state.pool(), &caller.tenant_id).await?;
    Ok(Json(apps.into_iter().map(Application::from).collect()))
}

/// Registers an application; its client secret is answered this once.
#[utoipa::path(
    post,
    operation_id = "register_application",
    path = "/applications",
    tag = "applications",
    request_body = AppBody,
    responses(
        (status = 201, description = "Registered.", body = Credential),
        (status = 400, description = "An unknown field (in the protocol settings too) or a bad value.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn create(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Credential>), AdminError> {
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
        Json(Credential {
            application_id: registered.application_id,
            client_id: registered.client_id,
            client_secret: registered.client_secret,
        }),
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

/// One application.
#[utoipa::path(
    get,
    operation_id = "read_application",
    path = "/applications/{application_id}",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "The application.", body = Application),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn read(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Application>, AdminError> {
    let app = current(&state, &caller.tenant_id, &application_id).await?;
    Ok(Json(app.into()))
}

/// Applies a change and shows the application as it is now (none if it is gone).
async fn run(
    state: &AppState,
    caller: &ManagementCaller,
    application_id: &str,
    change: ApplicationChange,
) -> Result<(Json<Option<Application>>, Option<String>), AdminError> {
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
    let now = current(state, &caller.tenant_id, application_id).await.ok();
    Ok((Json(now.map(Application::from)), secret))
}

/// Changes an application's settings; fields left out stay.
#[utoipa::path(
    patch,
    operation_id = "configure_application",
    path = "/applications/{application_id}",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = AppBody,
    responses(
        (status = 200, description = "The application as it is now (null only if it was deleted in the meantime).", body = Application),
        (status = 400, description = "An unknown field (in the protocol settings too) or a bad value.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential, or the application holds more authority than the caller (recorded).", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "Removing the API product from the tenant's last management application, a name another application with a code holds, or the application kept changing.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn configure(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Option<Application>>, AdminError> {
    let body: AppBody = parse(&body)?;
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

/// Enables an application.
#[utoipa::path(
    post,
    operation_id = "enable_application",
    path = "/applications/{application_id}/enable",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "The application as it is now (null only if it was deleted in the meantime).", body = Application),
        (status = 403, description = "Not a tenant administrator's credential, or the application holds more authority than the caller (recorded).", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "The application kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn enable(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Option<Application>>, AdminError> {
    let change = ApplicationChange::Enable;
    Ok(run(&state, &caller, &application_id, change).await?.0)
}

/// Disables an application: it signs no one in and its management tokens stop working.
#[utoipa::path(
    post,
    operation_id = "disable_application",
    path = "/applications/{application_id}/disable",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "The application as it is now (null only if it was deleted in the meantime).", body = Application),
        (status = 403, description = "Not a tenant administrator's credential, or the application holds more authority than the caller (recorded).", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "It is the tenant's last management application, or it kept changing.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn disable(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Option<Application>>, AdminError> {
    let change = ApplicationChange::Disable;
    Ok(run(&state, &caller, &application_id, change).await?.0)
}

/// A new client secret, shown once; the old one stops working at once.
#[utoipa::path(
    post,
    operation_id = "rotate_client_secret",
    path = "/applications/{application_id}/rotate-secret",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "The new secret.", body = RotatedSecret),
        (status = 403, description = "Not a tenant administrator's credential, or the application holds more authority than the caller (recorded).", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "The application kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn rotate_secret(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<RotatedSecret>, AdminError> {
    let change = ApplicationChange::RotateSecret;
    let (Json(app), secret) = run(&state, &caller, &application_id, change).await?;
    Ok(Json(RotatedSecret {
        client_id: app.map(|app| app.client_id),
        client_secret: secret,
    }))
}

/// Deletes an application without accounts; its client id is free again.
#[utoipa::path(
    delete,
    operation_id = "delete_application",
    path = "/applications/{application_id}",
    tag = "applications",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "Not a tenant administrator's credential, or the application holds more authority than the caller (recorded).", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "It has accounts, it is the tenant's last management application, or it kept changing.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn delete(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<StatusCode, AdminError> {
    run(&state, &caller, &application_id, ApplicationChange::Delete)
        .await
        .map(|_| StatusCode::NO_CONTENT)
}
