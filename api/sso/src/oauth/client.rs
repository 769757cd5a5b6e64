//! Client authentication at the token, introspection and revocation endpoints:
//! `client_secret_basic` (RFC 6749 §2.3.1) or `client_secret_post`, never both at once.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use projections::applications::ApplicationRow;

use super::error::WireError;
use usecases::oauth::OAuthError;
use usecases::AppState;

fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decode = || {
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |v: &str| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={v}"))
                .ok()
                .and_then(|mut pairs| pairs.pop())
                .map(|(_, v)| v)
        };
        Some((unescape(id)?, unescape(secret)?))
    };
    Some(decode())
}

/// The enabled application the request authenticates as.
pub async fn authenticate(
    state: &AppState,
    tenant: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<ApplicationRow, WireError> {
    let basic = basic_credentials(headers);
    let posted = form.get("client_secret").map(String::as_str);
    let used_basic = basic.is_some();
    let fail = |text: &str| WireError {
        error: OAuthError::InvalidClient(text.to_string()),
        basic: used_basic,
    };
    let (client_id, secret) = match (basic, posted) {
        (Some(_), Some(_)) => {
            return Err(OAuthError::InvalidRequest(
                "use one client authentication method, not both".into(),
            )
            .into())
        }
        (Some(None), None) => return Err(fail("malformed Basic credentials")),
        (Some(Some((id, secret))), None) => (id, secret),
        (None, Some(secret)) => {
            let Some(id) = form.get("client_id") else {
                return Err(fail("client_id required"));
            };
            (id.clone(), secret.to_string())
        }
        (None, None) => return Err(fail("client authentication required")),
    };
    if let Some(form_id) = form.get("client_id") {
        if *form_id != client_id {
            return Err(fail("client_id does not match the authenticated client"));
        }
    }
    let app = projections::applications::by_client_id(state.pool(), tenant, &client_id)
        .await
        .map_err(WireError::from)?;
    let Some(app) = app.filter(|a| state.keys().secret_matches(&secret, &a.client_secret_hash))
    else {
        return Err(fail("Invalid client credentials"));
    };
    if !app.enabled {
        return Err(fail("the client is disabled"));
    }
    Ok(app)
}
