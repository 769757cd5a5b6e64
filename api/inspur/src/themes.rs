//! Login themes and the console login (specs/inspur-idaas.md §2.2 THEME-01, §2.11 LOGIN-01):
//! the catalogue of named themes the hosted login applies (`usecases::login_themes`), and the
//! console's "login, creating the realm" call, which finds the caller's tenant already there
//! (ops/adr/0015).

use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use serde_json::json;
use usecases::login_themes::{NamedTheme, CREATOR, THEMES};
use usecases::AppState;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::Envelope;
use crate::time::wire;
use idaas_http::openapi::ApiRouter;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(login))
}

/// A login theme: seed data, the same for every tenant.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Theme {
    id: &'static str,
    /// The name an application's `loginTheme` holds.
    theme_name: &'static str,
    created_time: String,
    /// The same as `createdTime`: themes do not change.
    updated_time: String,
    creator: &'static str,
}

fn view(theme: &NamedTheme, zone: i32) -> Theme {
    let time = wire(theme.created_at, zone);
    Theme {
        id: theme.id,
        theme_name: theme.name,
        created_time: time.clone(),
        updated_time: time,
        creator: CREATOR,
    }
}

/// The caller's realm, which a management token's tenant always has already.
#[derive(Serialize, ToSchema)]
struct Realm {
    /// The tenant's id.
    realm: String,
    /// The tenant's id (the `accountId` of the App objects).
    #[serde(rename = "accountId")]
    account_id: String,
    /// Always false: the tenant existed before the call.
    created: bool,
}

/// Lists every login theme in id order, not paged (THEME-01).
#[utoipa::path(
    get,
    path = "/logintheme/listthemes",
    tag = "themes",
    operation_id = "listThemes",
    responses(
        (status = 200, description = "Every theme, in id order.", body = Envelope<Vec<Theme>>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    _caller: InspurCaller,
) -> Result<Response, InspurError> {
    let zone = state.config.utc_offset_minutes;
    let themes: Vec<Theme> = THEMES.iter().map(|t| view(t, zone)).collect();
    Ok(ok(json!(themes)))
}

/// Provisions the caller's realm, idempotently: it exists already, so nothing changes (LOGIN-01).
#[utoipa::path(
    get,
    path = "/login",
    tag = "login",
    operation_id = "login",
    responses(
        (status = 200, description = "The caller's tenant, `created` false.", body = Envelope<Realm>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn login(caller: InspurCaller) -> Result<Response, InspurError> {
    Ok(ok(json!(Realm {
        realm: caller.tenant_id.clone(),
        account_id: caller.tenant_id,
        created: false,
    })))
}
