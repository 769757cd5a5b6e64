//! Client authentication at the token, introspection and revocation endpoints:
//! `client_secret_basic` (RFC 6749 §2.3.1) or `client_secret_post`, never both at once.

use std::collections::HashMap;

use axum::http::HeaderMap;
use idaas_http::basic::basic_credentials;
use projections::applications::ApplicationRow;

use super::error::WireError;
use usecases::oauth::{self, OAuthError};
use usecases::AppState;

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
    oauth::authenticate_client(state, tenant, &client_id, &secret)
        .await
        .map_err(|error| WireError {
            error,
            basic: used_basic,
        })
}
