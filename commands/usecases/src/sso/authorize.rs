//! The OAuth 2.0 / OIDC authorization request (RFC 6749 §4.1.1, §3.3; RFC 7636 §4.3; OIDC Core
//! §3.1.2.1, §3.2.2.1): checked against the client's registration, then answered with a code or
//! the implicit flow's tokens once the SSO pipeline lets the user proceed.

use std::collections::HashMap;

use projections::applications::ApplicationRow;
use projections::sessions::SessionRow;

use crate::oauth::{self, has_scope, Issuer, OAuthError, TokenSet};
use crate::{AppState, Context};

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
        // OIDC Core §3.2.2.1: the implicit flow's nonce is required.
        if get("nonce").is_none_or(str::is_empty) {
            return Err(OAuthError::InvalidRequest(
                "nonce is required with response_type id_token".into(),
            ));
        }
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
            // A client that must use PKCE must use it with S256 (RFC 9700 §2.1.1; RFC 7636 §4.2:
            // plain only where S256 is impossible, which no client registered for it is).
            if app.protocols.require_pkce && method != "S256" {
                return Err(OAuthError::InvalidRequest(
                    "this client must use code_challenge_method S256".into(),
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

/// Where the authorization response goes in the redirect (OAuth 2.0 Multiple Response Types §2.1,
/// Form Post Response Mode §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// An authorization request checked against the client's registration.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub app: ApplicationRow,
    /// Where the answer goes: the named URI (registered) or the only registered one.
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub state: Option<String>,
    /// The OIDC implicit flow (`id_token`, `id_token token`) instead of a code.
    pub implicit: bool,
    /// `id_token token`: an access token too.
    pub with_access: bool,
    pub scope: String,
    pub challenge: Option<(String, String)>,
    pub nonce: Option<String>,
    /// The redirect URI as the request named it, which the code is bound to (RFC 6749 §4.1.3).
    pub bound_redirect: Option<String>,
}

/// Why an authorization request is refused.
#[derive(Debug)]
pub enum Refusal {
    /// No client or redirect URI to answer to (RFC 6749 §4.1.2.1): an error page with this text.
    Page(String),
    /// The client is disabled: an error page.
    ApplicationDisabled,
    /// Answered to the client's redirect URI.
    Redirect {
        redirect_uri: String,
        mode: ResponseMode,
        state: Option<String>,
        code: &'static str,
        description: String,
    },
}

const BUSY: &str = "System busy. Please try again later.";

/// Checks an authorization request (RFC 6749 §4.1.1, §4.1.2.1; OIDC Core §3.1.2.1–§3.1.2.2).
pub async fn prepare(
    state: &AppState,
    tenant: &str,
    params: &HashMap<String, String>,
) -> Result<AuthorizeRequest, Refusal> {
    let get = |name: &str| params.get(name).map(String::as_str);
    let page = |text: &str| Refusal::Page(text.to_string());
    let client_id = get("client_id").ok_or_else(|| page("client_id required"))?;
    let app = crate::cache::lookups::application_by_client_id(state, tenant, client_id)
        .await
        .map_err(|_| page(BUSY))?
        .ok_or_else(|| page("unknown client_id"))?;
    let redirect_uri = match get("redirect_uri") {
        Some(uri) if app.protocols.redirect_allowed(uri) => uri.to_string(),
        Some(_) => return Err(page("redirect_uri is not registered for this client")),
        None => match app.protocols.redirect_uris.as_slice() {
            [only] => only.clone(),
            _ => return Err(page("redirect_uri required")),
        },
    };
    if !app.enabled {
        return Err(Refusal::ApplicationDisabled);
    }
    let client_state = get("state").map(str::to_string);
    let refuse = |mode, code, description: &str| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        mode,
        state: client_state.clone(),
        code,
        description: description.to_string(),
    };
    let mut response_type: Vec<&str> = get("response_type")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    response_type.sort_unstable();
    let implicit = match response_type.as_slice() {
        ["code"] => false,
        ["id_token"] | ["id_token", "token"] => true,
        _ => {
            return Err(refuse(
                ResponseMode::Query,
                "unsupported_response_type",
                "response_type must be code, id_token or id_token token",
            ))
        }
    };
    let default_mode = if implicit {
        ResponseMode::Fragment
    } else {
        ResponseMode::Query
    };
    let mode = match get("response_mode") {
        None => default_mode,
        Some("query") if !implicit => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => {
            return Err(refuse(
                default_mode,
                "invalid_request",
                "unsupported response_mode",
            ))
        }
    };
    let (scope, challenge) = check_request(&app, params, implicit)
        .map_err(|e| refuse(mode, e.code(), &e.to_string()))?;
    Ok(AuthorizeRequest {
        redirect_uri: redirect_uri.clone(),
        mode,
        state: client_state.clone(),
        implicit,
        with_access: response_type.contains(&"token"),
        scope,
        challenge,
        nonce: get("nonce").map(str::to_string),
        bound_redirect: get("redirect_uri").map(str::to_string),
        app,
    })
}

/// What the authorization endpoint answers with once the user may proceed.
pub enum Issued {
    Code(String),
    Implicit(TokenSet),
}

/// A code for the signed-in user, or the implicit flow's tokens.
pub async fn issue(
    state: &AppState,
    ctx: &Context,
    issuer: &Issuer,
    request: &AuthorizeRequest,
    session: &SessionRow,
) -> Result<Issued, OAuthError> {
    if request.implicit {
        let set = oauth::implicit(
            state,
            ctx,
            issuer,
            &request.app,
            session,
            &request.scope,
            request.nonce.clone(),
            request.with_access,
        )
        .await?;
        return Ok(Issued::Implicit(set));
    }
    let code = oauth::issue_code(
        state,
        ctx,
        &request.app,
        session,
        &request.scope,
        request.nonce.clone(),
        request.bound_redirect.clone(),
        request.challenge.clone(),
    )
    .await?;
    Ok(Issued::Code(code))
}
