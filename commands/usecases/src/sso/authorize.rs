//! The checks of an OAuth 2.0 / OIDC authorization request against the client's registration
//! (RFC 6749 §4.1.1, §3.3; RFC 7636 §4.3; OIDC Core §3.1.2.1, §3.2.2.1).

use std::collections::HashMap;

use projections::applications::ApplicationRow;

use crate::oauth::{self, has_scope, OAuthError};

/// The granted scope and the PKCE challenge with its method.
type Checked = (String, Option<(String, String)>);

/// The request's scope and PKCE challenge, checked against the client's registration.
pub fn check_request(
    app: &ApplicationRow,
    params: &HashMap<String, String>,
    implicit: bool,
) -> Result<Checked, OAuthError> {
    let get = |name: &str| params.get(name).map(String::as_str);
    let grant = if implicit {
        "implicit"
    } else {
        "authorization_code"
    };
    if !app.protocols.allows_grant(grant) {
        return Err(OAuthError::UnauthorizedClient(format!(
            "the client may not use the {grant} flow"
        )));
    }
    let scope = oauth::parse_scope(get("scope"))?;
    if implicit && !has_scope(&scope, "openid") {
        return Err(OAuthError::InvalidScope(
            "the implicit flow needs the openid scope".into(),
        ));
    }
    if let Some(max_age) = get("max_age") {
        if max_age.parse::<u32>().is_err() {
            return Err(OAuthError::InvalidRequest(
                "max_age must be a non-negative integer".into(),
            ));
        }
    }
    if let Some(nonce) = get("nonce") {
        if nonce.len() > 512 {
            return Err(OAuthError::InvalidRequest("nonce is too long".into()));
        }
    }
    if let Some(state) = get("state") {
        if state.len() > 2048 {
            return Err(OAuthError::InvalidRequest("state is too long".into()));
        }
    }
    if implicit {
        return Ok((scope, None));
    }
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, Some(_)) => {
            return Err(OAuthError::InvalidRequest(
                "code_challenge_method without code_challenge".into(),
            ))
        }
        (None, None) if app.protocols.require_pkce => {
            return Err(OAuthError::InvalidRequest(
                "code_challenge required (PKCE)".into(),
            ))
        }
        (None, None) => None,
        (Some(challenge), method) => {
            let method = method.unwrap_or("plain");
            if !domain::pkce::METHODS.contains(&method) {
                return Err(OAuthError::InvalidRequest(
                    "code_challenge_method must be S256 or plain".into(),
                ));
            }
            if !domain::pkce::is_well_formed(challenge) {
                return Err(OAuthError::InvalidRequest(
                    "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]".into(),
                ));
            }
            Some((challenge.to_string(), method.to_string()))
        }
    };
    Ok((scope, challenge))
}
