//! APP-05 create (the code becomes the client id; the secret is answered once), APP-06 update
//! (details, OAuth settings and the enabled state in one decision; the client id stays), APP-04
//! delete (answered with `appDeleteFlag` "1"; its grants go with it) and APP-02 grants of the
//! application to organisations (`organIdList`, `action` `auth`/`unauth`, `data: true`).

use axum::extract::{Path, State};
use axum::response::Response;
use domain::app_grant::Grantee;
use domain::application::{AppDetails, ApplicationError, Configuration, ProtocolSettings};
use domain::ClaimKind;
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::app_grants::{self, GrantRefused};
use usecases::applications::{self as cases, ApplicationChange, ChangeRefused, NewApplication};
use usecases::{AppState, ServiceError};
use utoipa::ToSchema;

use super::described::{body_requiring, CallRefused, LenientNumber, LenientText};
use super::{view, App};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::{body, number, present, text};
use crate::schema::{Envelope, ErrorEnvelope};

/// The body of APP-05 (create: `appName` and `appCode` required) and APP-06 (update: `id`
/// required, any other field changes what it names). Statuses and flags arrive as numbers or
/// strings; blank text is the same as absent. `a5tId` is accepted and not read: the tenant is
/// the caller's.
#[derive(Deserialize, Default, ToSchema)]
pub struct AppBody {
    /// The application to update (APP-06 only).
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// 1 to 100 characters, unique in the tenant.
    #[serde(default, deserialize_with = "text", rename = "appName")]
    #[schema(value_type = LenientText)]
    app_name: Option<String>,
    /// Unique in the tenant; on create it becomes the client id (1 to 128 letters, digits,
    /// `-`, `_` or `.`), which an update does not change.
    #[serde(default, deserialize_with = "text", rename = "appCode")]
    #[schema(value_type = LenientText)]
    app_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
    /// Kept as given.
    #[serde(default, deserialize_with = "text", rename = "authinfoSyncType")]
    #[schema(value_type = LenientText)]
    sync_type: Option<String>,
    /// Kept as given.
    #[serde(default, deserialize_with = "text", rename = "appAuthType")]
    #[schema(value_type = LenientText)]
    auth_type: Option<String>,
    /// 1 enabled, 0 disabled (on create: enabled unless 0).
    #[serde(default, deserialize_with = "text", rename = "appStatus")]
    #[schema(value_type = LenientText)]
    status: Option<String>,
    /// Kept as given.
    #[serde(default, deserialize_with = "text", rename = "appAuthStatus")]
    #[schema(value_type = LenientText)]
    auth_status: Option<String>,
    /// The OAuth redirect URI, absolute (replaces the application's redirect URIs).
    #[serde(default, deserialize_with = "text", rename = "redirectUri")]
    #[schema(value_type = LenientText)]
    redirect_uri: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "homepageUrl")]
    #[schema(value_type = LenientText)]
    homepage_url: Option<String>,
    /// Seconds (on create: 7200 when absent).
    #[serde(default, deserialize_with = "number", rename = "accessTokenTimeout")]
    #[schema(value_type = LenientNumber)]
    access_timeout: Option<i64>,
    /// Seconds (on create: 604800 when absent).
    #[serde(default, deserialize_with = "number", rename = "refreshTokenTimeout")]
    #[schema(value_type = LenientNumber)]
    refresh_timeout: Option<i64>,
    /// An application type's code.
    #[serde(default, deserialize_with = "text", rename = "appTypeCode")]
    #[schema(value_type = LenientText)]
    type_code: Option<String>,
    /// Kept as given.
    #[serde(default, deserialize_with = "text", rename = "appOwner")]
    #[schema(value_type = LenientText)]
    owner: Option<String>,
    /// A login theme's name.
    #[serde(default, deserialize_with = "text", rename = "loginTheme")]
    #[schema(value_type = LenientText)]
    theme: Option<String>,
    /// A file id (FILE-01).
    #[serde(default, deserialize_with = "text", rename = "appIcon")]
    #[schema(value_type = LenientText)]
    icon: Option<String>,
    /// Kept as given.
    #[serde(default, deserialize_with = "text", rename = "equipType")]
    #[schema(value_type = LenientText)]
    device_type: Option<String>,
}

body_requiring!(
    /// The body of APP-05.
    NewApp = AppBody["appName", "appCode"]
);
body_requiring!(
    /// The body of APP-06.
    AppChange = AppBody["id"]
);

impl AppBody {
    fn details(&self) -> AppDetails {
        AppDetails {
            code: present(self.app_code.clone()),
            description: present(self.description.clone()),
            homepage_url: present(self.homepage_url.clone()),
            icon: present(self.icon.clone()),
            type_code: present(self.type_code.clone()),
            theme: present(self.theme.clone()),
            auth_type: present(self.auth_type.clone()),
            sync_type: present(self.sync_type.clone()),
            auth_status: present(self.auth_status.clone()),
            owner: present(self.owner.clone()),
            device_type: present(self.device_type.clone()),
        }
    }

    /// `appStatus`: 1 enabled, 0 disabled.
    fn enabled(&self) -> Result<Option<bool>, InspurError> {
        match present(self.status.clone()).as_deref() {
            None => Ok(None),
            Some("1") => Ok(Some(true)),
            Some("0") => Ok(Some(false)),
            Some(_) => Err(InspurError::invalid("appStatus 必须是 0 或 1")),
        }
    }
}

/// A token lifetime in seconds as the protocol settings hold it.
fn seconds(value: Option<i64>, name: &str) -> Result<Option<u32>, InspurError> {
    value
        .map(|v| u32::try_from(v).map_err(|_| InspurError::invalid(format!("{name} 超出范围"))))
        .transpose()
}

/// A refused application change in the surface's words.
fn refused(error: ServiceError) -> InspurError {
    match error {
        ServiceError::Claimed(ClaimKind::ApplicationCode | ClaimKind::ClientId) => {
            InspurError::rule("应用编码已存在")
        }
        ServiceError::Claimed(ClaimKind::ApplicationName) => InspurError::rule("应用名称已存在"),
        ServiceError::Application(ApplicationError::NotFound) => InspurError::not_found(),
        ServiceError::Application(ApplicationError::InvalidName) => {
            InspurError::invalid("appName 为 1 到 100 个字符")
        }
        ServiceError::Application(ApplicationError::InvalidClientId)
        | ServiceError::Application(ApplicationError::InvalidDetails) => InspurError::invalid(
            "appCode 为 1 到 128 个字母、数字、-、_ 或 .,其余字段最多 512 个字符",
        ),
        ServiceError::Application(ApplicationError::Protocol(e)) => {
            InspurError::invalid(format!("redirectUri 或令牌有效期无效: {e}"))
        }
        other => other.into(),
    }
}

fn change_refused(error: ChangeRefused) -> InspurError {
    match error {
        ChangeRefused::LastManagementApplication => {
            InspurError::rule("不能停用或删除租户最后一个管理应用")
        }
        ChangeRefused::HasAccounts => InspurError::rule("应用下存在账号,禁止删除"),
        ChangeRefused::Service(e) => refused(e),
    }
}

async fn current(
    state: &AppState,
    caller: &InspurCaller,
    app_id: &str,
) -> Result<projections::applications::ApplicationRow, InspurError> {
    projections::applications::get(state.pool(), &caller.tenant_id, app_id)
        .await?
        .ok_or_else(InspurError::not_found)
}

/// Registers an application (APP-05): the answer is the App with its `clientId` (the code) and
/// `clientSecret`, shown this once.
#[utoipa::path(
    post,
    path = "/apps",
    tag = "applications",
    operation_id = "createApp",
    request_body = NewApp,
    responses(
        (status = 200, description = "The application, with its client secret.", body = Envelope<App>),
        (status = 400, description = "A bad body, a missing or bad field (`参数错误: …`), or a code or name \
            already taken (`应用编码已存在`, `应用名称已存在`).", body = ErrorEnvelope),
        (status = 403, description = "Only a tenant administrator's credential registers \
            applications: `无权限`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    caller.require_admin(&state).await?;
    let body: AppBody = body(&bytes)?;
    let name =
        present(body.app_name.clone()).ok_or_else(|| InspurError::invalid("appName 不能为空"))?;
    let code =
        present(body.app_code.clone()).ok_or_else(|| InspurError::invalid("appCode 不能为空"))?;
    let protocols = ProtocolSettings {
        redirect_uris: present(body.redirect_uri.clone()).into_iter().collect(),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        access_token_lifetime_secs: seconds(body.access_timeout, "accessTokenTimeout")?
            .unwrap_or(7200),
        refresh_token_lifetime_secs: Some(
            seconds(body.refresh_timeout, "refreshTokenTimeout")?.unwrap_or(604_800),
        ),
        ..ProtocolSettings::default()
    };
    let new = NewApplication {
        name,
        protocols,
        client_id: Some(code),
        details: body.details(),
        disabled: body.enabled()? == Some(false),
        ..NewApplication::default()
    };
    let registered = cases::register_now(&state, &caller.context, new)
        .await
        .map_err(refused)?;
    let app = current(&state, &caller, &registered.application_id).await?;
    let zone = state.config.utc_offset_minutes;
    let mut answer = view(&app, &caller.tenant_id, zone, false);
    answer.client_secret = Some(registered.client_secret);
    Ok(ok(json!(answer)))
}

/// Changes an application (APP-06): what the body names changes, the rest and the client id
/// stay; `message` "成功".
#[utoipa::path(
    post,
    path = "/apps/updateapp",
    tag = "applications",
    operation_id = "updateApp",
    request_body = AppChange,
    responses(
        (status = 200, description = "The application after the change.", body = Envelope<App>),
        (status = 400, description = "A bad body, a missing `id` or a bad field (`参数错误: …`), \
            a code or name already taken, or the tenant's last management application disabled.",
            body = ErrorEnvelope),
        (status = 403, description = "The caller's credential may not change this application: \
            `无权限`.", body = ErrorEnvelope),
        (status = 404, description = "No such application: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: AppBody = body(&bytes)?;
    let id = present(body.id.clone()).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let app = current(&state, &caller, &id).await?;
    caller.require_changes(&state, &app).await?;
    // The protocol settings change only when the body names one of them.
    let mut protocols = app.protocols.clone();
    let mut touched = false;
    if let Some(uri) = present(body.redirect_uri.clone()) {
        protocols.redirect_uris = vec![uri];
        touched = true;
    }
    if let Some(access) = seconds(body.access_timeout, "accessTokenTimeout")? {
        protocols.access_token_lifetime_secs = access;
        touched = true;
    }
    if let Some(refresh) = seconds(body.refresh_timeout, "refreshTokenTimeout")? {
        protocols.refresh_token_lifetime_secs = Some(refresh);
        touched = true;
    }
    let change = Configuration {
        name: present(body.app_name.clone()),
        protocols: touched.then_some(protocols),
        details: Some(body.details()),
        enabled: body.enabled()?,
        ..Configuration::default()
    };
    cases::change(
        &state,
        &caller.context,
        &id,
        ApplicationChange::Configure(Box::new(change)),
    )
    .await
    .map_err(change_refused)?;
    let app = current(&state, &caller, &id).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(saved(json!(view(&app, &caller.tenant_id, zone, false))))
}

/// Deletes an application and its grants (APP-04): the answer is the application as it was,
/// with `appDeleteFlag` "1".
#[utoipa::path(
    delete,
    path = "/apps/{appId}",
    tag = "applications",
    operation_id = "deleteApp",
    params(("appId" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "The deleted application.", body = Envelope<App>),
        (status = 400, description = "The application still has accounts, or it is the tenant's \
            last management application.", body = ErrorEnvelope),
        (status = 403, description = "The caller's credential may not delete this application: \
            `无权限`.", body = ErrorEnvelope),
        (status = 404, description = "No such application: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(app_id): Path<String>,
) -> Result<Response, InspurError> {
    let app = current(&state, &caller, &app_id).await?;
    caller.require_changes(&state, &app).await?;
    cases::change(&state, &caller.context, &app_id, ApplicationChange::Delete)
        .await
        .map_err(change_refused)?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(json!(view(&app, &caller.tenant_id, zone, true))))
}

/// The body of APP-02.
#[derive(Deserialize, ToSchema)]
pub struct AppOrgansBody {
    /// The organisations, at least one.
    #[serde(default, rename = "organIdList")]
    #[schema(value_type = Vec<String>, required = true, min_items = 1)]
    organ_ids: Option<Vec<String>>,
    /// `auth` grants, `unauth` revokes.
    #[serde(default, deserialize_with = "text")]
    #[schema(
        value_type = String,
        required = true,
        pattern = "^\\s*(auth|unauth)\\s*$",
        examples("auth", "unauth")
    )]
    action: Option<String>,
}

/// Grants an application to organisations or revokes it (APP-02); `data` true.
#[utoipa::path(
    post,
    path = "/apps/{appId}/action/auth/organs",
    tag = "applications",
    operation_id = "grantAppToOrgans",
    params(("appId" = String, Path, description = "The application.")),
    request_body = AppOrgansBody,
    responses(
        (status = 200, description = "Done: `data` true.", body = Envelope<bool>),
        (status = 400, description = "A bad body, no organisations, a bad `action` \
            (`参数错误: …`), or an organisation that does not exist (`组织机构不存在: …`).",
            body = ErrorEnvelope),
        (status = 403, description = "The caller's credential does not manage this application: \
            `无权限`.", body = ErrorEnvelope),
        (status = 404, description = "No such application: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn grant_organs(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(app_id): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: AppOrgansBody = body(&bytes)?;
    let mut organs = body
        .organ_ids
        .filter(|l| !l.is_empty())
        .ok_or_else(|| InspurError::invalid("organIdList 不能为空"))?;
    organs.sort();
    organs.dedup();
    let grant = match body.action.as_deref().map(str::trim) {
        Some("auth") => true,
        Some("unauth") => false,
        _ => return Err(InspurError::invalid("action 必须是 auth 或 unauth")),
    };
    current(&state, &caller, &app_id).await?;
    caller.require_manages(&state, &app_id).await?;
    app_grants::set_for_app(
        &state,
        &caller.context,
        &app_id,
        Grantee::Organization,
        &organs,
        grant,
    )
    .await
    .map_err(|e| match e {
        GrantRefused::NoApplication(_) => InspurError::not_found(),
        GrantRefused::NoOrganization(organ) => {
            InspurError::rule(format!("组织机构不存在: {organ}"))
        }
        GrantRefused::Service(other) => other.into(),
    })?;
    Ok(ok(Value::Bool(true)))
}
