//! Applications (specs/inspur-idaas.md §2.7, APP-01…10) — the tenant's applications, the same
//! ones the admin API and OneAccess manage: the Inspur fields are the application's details
//! (`domain::app_details`), its redirect URI and token lifetimes are its OAuth settings, and its
//! grants to organisations are the ones ORG-08/09 manage. Reads are in `read`, changes in
//! `write`. The client secret is shown once, when the application is created.

pub(crate) mod described;
mod read;
mod write;

use idaas_http::openapi::ApiRouter;
use projections::applications::ApplicationRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::time::wire;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(read::list))
        .routes(routes!(read::page))
        .routes(routes!(read::for_organ))
        .routes(routes!(write::create))
        .routes(routes!(write::update))
        .routes(routes!(read::detail, write::delete))
        .routes(routes!(write::grant_organs))
        .routes(routes!(read::verify_code, read::verify_code_by_get))
        .routes(routes!(read::verify_name, read::verify_name_by_get))
}

/// The App object (§2.7). Numeronyms are spelled out (`accountId`, `clientId`); flags are
/// strings. Every key is always present.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct App {
    id: String,
    app_name: String,
    /// The code given at creation or since; the client id when none was given.
    app_code: String,
    /// A file id (FILE-01).
    #[schema(required = true)]
    app_icon: Option<String>,
    /// Kept as given; "0" when never given.
    app_auth_type: String,
    /// Kept as given; "0" when never given.
    authinfo_sync_type: String,
    /// An application type's code.
    #[schema(required = true)]
    app_type_code: Option<String>,
    /// Kept as given; "0" when never given.
    equip_type: String,
    /// "1" enabled, "0" disabled.
    app_status: String,
    /// Kept as given; "1" when never given.
    app_auth_status: String,
    #[schema(required = true)]
    creator: Option<String>,
    /// The tenant (the document's `a5tId`).
    account_id: String,
    /// "0"; "1" in the answer to a delete.
    app_delete_flag: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    /// Seconds.
    access_token_timeout: u32,
    /// Seconds; null when the application issues no refresh tokens.
    #[schema(required = true)]
    refresh_token_timeout: Option<u32>,
    /// The OAuth redirect URI (the first, when it has several).
    #[schema(required = true)]
    redirect_uri: Option<String>,
    #[schema(required = true)]
    homepage_url: Option<String>,
    /// The OAuth client id: the code given at creation, never changed.
    client_id: String,
    /// The OAuth client secret, only in the answer to a create (shown this once); else null.
    #[schema(required = true)]
    client_secret: Option<String>,
    /// Kept as given; "0" when never given.
    app_owner: String,
    /// With `userId` in APP-03: "1" when that user is granted the application, else "0";
    /// otherwise null.
    #[schema(required = true)]
    id_bind: Option<String>,
    /// The tenant.
    realm: String,
    /// A login theme's name.
    #[schema(required = true)]
    login_theme: Option<String>,
    #[schema(required = true)]
    description: Option<String>,
}

/// The App object of an application; `deleted` sets `appDeleteFlag` "1" (the answer to a
/// delete). No secret is in it.
pub(crate) fn view(app: &ApplicationRow, tenant: &str, zone: i32, deleted: bool) -> App {
    let details = &app.details;
    let flag = |value: &Option<String>, default: &str| {
        value.clone().unwrap_or_else(|| default.to_string())
    };
    let yes = |value: bool| if value { "1" } else { "0" }.to_string();
    App {
        id: app.application_id.clone(),
        app_name: app.name.clone(),
        app_code: details
            .code
            .clone()
            .unwrap_or_else(|| app.client_id.clone()),
        app_icon: details.icon.clone(),
        app_auth_type: flag(&details.auth_type, "0"),
        authinfo_sync_type: flag(&details.sync_type, "0"),
        app_type_code: details.type_code.clone(),
        equip_type: flag(&details.device_type, "0"),
        app_status: yes(app.enabled),
        app_auth_status: flag(&details.auth_status, "1"),
        creator: app.creator.clone(),
        account_id: tenant.to_string(),
        app_delete_flag: yes(deleted),
        created_time: wire(app.created_at, zone),
        updated_time: wire(app.updated_at.max(app.created_at), zone),
        access_token_timeout: app.protocols.access_token_lifetime_secs,
        refresh_token_timeout: app.protocols.refresh_token_lifetime_secs,
        redirect_uri: app.protocols.redirect_uris.first().cloned(),
        homepage_url: details.homepage_url.clone(),
        client_id: app.client_id.clone(),
        client_secret: None,
        app_owner: flag(&details.owner, "0"),
        id_bind: None,
        realm: tenant.to_string(),
        login_theme: details.theme.clone(),
        description: details.description.clone(),
    }
}
