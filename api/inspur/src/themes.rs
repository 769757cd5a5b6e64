//! Login themes and the console login (specs/inspur-idaas.md §2.2 THEME-01, §2.11 LOGIN-01):
//! the catalogue of named themes the hosted login applies (`usecases::login_themes`), and the
//! console's "login, creating the realm" call, which finds the caller's tenant already there
//! (ops/adr/0015).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use usecases::login_themes::{NamedTheme, CREATOR, THEMES};
use usecases::AppState;

use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/logintheme/listthemes", get(list))
        .route("/login", get(login))
}

fn view(theme: &NamedTheme, zone: i32) -> Value {
    let time = wire(theme.created_at, zone);
    json!({
        "id": theme.id,
        "themeName": theme.name,
        "createdTime": time,
        "updatedTime": time,
        "creator": CREATOR,
    })
}

/// THEME-01 `GET /logintheme/listthemes`: every theme in id order, not paged.
async fn list(
    State(state): State<AppState>,
    _caller: InspurCaller,
) -> Result<Response, InspurError> {
    let zone = state.config.utc_offset_minutes;
    Ok(ok(Value::Array(
        THEMES.iter().map(|t| view(t, zone)).collect(),
    )))
}

/// LOGIN-01 `GET /login`: idempotent provisioning of the caller's realm. A management token
/// belongs to a tenant that exists, so this answers that tenant (the `realm` and `accountId`
/// the App objects carry) with `created` false, and changes nothing.
async fn login(caller: InspurCaller) -> Result<Response, InspurError> {
    Ok(ok(json!({
        "realm": caller.tenant_id,
        "accountId": caller.tenant_id,
        "created": false,
    })))
}
