//! Applications (specs/inspur-idaas.md §2.7, APP-01…10) — the tenant's applications, the same
//! ones the admin API and OneAccess manage: the Inspur fields are the application's details
//! (`domain::app_details`), its redirect URI and token lifetimes are its OAuth settings, and its
//! grants to organisations are the ones ORG-08/09 manage. Reads are in `read`, changes in
//! `write`. The client secret is shown once, when the application is created.

mod read;
mod write;

use axum::routing::{get, post};
use axum::Router;
use projections::applications::ApplicationRow;
use serde_json::{json, Value};
use usecases::AppState;

use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps/list", get(read::list))
        .route("/apps/listapps/page/{page_no}/{page_size}", get(read::page))
        .route(
            "/apps/{id}/listapporgauthinfo/page/{page_no}/{page_size}",
            get(read::for_organ),
        )
        .route("/apps", post(write::create))
        .route("/apps/updateapp", post(write::update))
        .route("/apps/{id}", get(read::detail).delete(write::delete))
        .route("/apps/{id}/action/auth/organs", post(write::grant_organs))
        .route(
            "/apps/action/verify-appcode/{code}",
            post(read::verify_code).get(read::verify_code),
        )
        .route(
            "/apps/action/verify-appname/{name}",
            post(read::verify_name).get(read::verify_name),
        )
}

/// The App object (§2.7) of an application; `deleted` sets `appDeleteFlag` "1" (the answer to
/// a delete). Numeronyms are spelled out (`accountId`, `clientId`); no secret is in it.
pub(crate) fn view(app: &ApplicationRow, tenant: &str, zone: i32, deleted: bool) -> Value {
    let details = &app.details;
    let flag = |value: &Option<String>, default: &str| {
        json!(value.clone().unwrap_or_else(|| default.to_string()))
    };
    json!({
        "id": app.application_id,
        "appName": app.name,
        "appCode": details.code.clone().unwrap_or_else(|| app.client_id.clone()),
        "appIcon": details.icon,
        "appAuthType": flag(&details.auth_type, "0"),
        "authinfoSyncType": flag(&details.sync_type, "0"),
        "appTypeCode": details.type_code,
        "equipType": flag(&details.device_type, "0"),
        "appStatus": if app.enabled { "1" } else { "0" },
        "appAuthStatus": flag(&details.auth_status, "1"),
        "creator": app.creator,
        "accountId": tenant,
        "appDeleteFlag": if deleted { "1" } else { "0" },
        "createdTime": wire(app.created_at, zone),
        "updatedTime": wire(app.updated_at.max(app.created_at), zone),
        "accessTokenTimeout": app.protocols.access_token_lifetime_secs,
        "refreshTokenTimeout": app.protocols.refresh_token_lifetime_secs,
        "redirectUri": app.protocols.redirect_uris.first(),
        "homepageUrl": details.homepage_url,
        "clientId": app.client_id,
        "clientSecret": null,
        "appOwner": flag(&details.owner, "0"),
        "idBind": null,
        "realm": tenant,
        "loginTheme": details.theme,
        "description": details.description,
    })
}
