//! OAuth 2.0 / OIDC issuance (specs/oneaccess.md §2.10–§2.11, §3.3–§3.4): codes, access tokens
//! (JWTs signed by the tenant's key), id tokens and rotating refresh tokens. Each issuance is an
//! event on the authorisation's own stream; codes and refresh tokens are kept only as keyed
//! hashes, access tokens only by their `jti`. One grant per file.

mod authorization;
mod client_credentials;
mod code;
mod implicit;
mod opaque;
mod refresh;
mod revocation;
mod tokens;

pub use authorization::{released_authorization, ReleasedAuthorization, PERMISSIONS, ROLES};
pub use client_credentials::client_credentials;
pub use code::{issue_code, redeem_code};
pub use implicit::implicit;
pub use refresh::refresh;
pub use revocation::{live_access_token, live_refresh_token, revoke_grant, revoke_token};
use tokens::tokens;
pub use tokens::{half_hash, user_claims, userinfo_claims};

use crate::state::AppState;
use domain::oauth_grant::{AccessGrant, OAuthGrantError, RefreshGrant, Subject};
use domain::protocols::AccessTokenFormat;
use projections::applications::ApplicationRow;
use projections::sessions::SessionRow;
use projections::users::UserRow;
use store::BusError;

pub const CODE_LIFETIME_MS: i64 = 5 * 60 * 1000;

/// The scopes this provider knows. `get_user_info` is OneAccess's; the rest are OIDC's.
pub const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "phone",
    "offline_access",
    "get_user_info",
];

pub const DEFAULT_SCOPE: &str = "get_user_info";

/// An OAuth error as the token endpoint reports it (RFC 6749 §5.2).
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    InvalidClient(String),
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::InvalidScope(_) => "invalid_scope",
            Self::Internal(_) => "server_error",
        }
    }
}

impl From<BusError<OAuthGrantError>> for OAuthError {
    fn from(error: BusError<OAuthGrantError>) -> Self {
        match error {
            BusError::Domain(OAuthGrantError::RefreshExpired | OAuthGrantError::NoRefresh) => {
                Self::InvalidGrant("Invalid refresh token".into())
            }
            BusError::Domain(e @ OAuthGrantError::RedirectMismatch) => {
                Self::InvalidGrant(e.to_string())
            }
            BusError::Domain(
                e @ (OAuthGrantError::VerifierMissing | OAuthGrantError::VerifierMismatch),
            ) => Self::InvalidGrant(e.to_string()),
            BusError::Domain(_) => Self::InvalidGrant("Invalid authorization code".into()),
            BusError::Conflict => Self::Internal(anyhow::anyhow!("grant kept changing")),
            other => Self::Internal(anyhow::anyhow!("{other}")),
        }
    }
}

/// What the token endpoint answers.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
}

/// Where tokens are issued from (the issuer URL of the request's host).
#[derive(Debug, Clone)]
pub struct Issuer {
    pub url: String,
}

pub fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split(' ').any(|s| s == wanted)
}

/// The requested scope, checked against the known scopes; the default when none is requested.
pub fn parse_scope(requested: Option<&str>) -> Result<String, OAuthError> {
    let requested = requested.map(str::trim).filter(|s| !s.is_empty());
    let Some(requested) = requested else {
        return Ok(DEFAULT_SCOPE.to_string());
    };
    let mut scopes: Vec<&str> = Vec::new();
    for scope in requested.split(' ').filter(|s| !s.is_empty()) {
        if !SCOPES.contains(&scope) {
            return Err(OAuthError::InvalidScope(format!("unknown scope {scope}")));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes.join(" "))
}

fn subject_of(session: &SessionRow) -> Subject {
    Subject {
        user_id: session.user_id.clone(),
        session_id: session.session_id.clone(),
        auth_time: session.auth_time,
    }
}

/// An access token to issue: what its grant records and, for an application with opaque
/// access tokens, the token itself (its `jti` is then the token's keyed hash: the token is found
/// by it, and is never stored).
#[derive(Debug, Clone)]
struct NewAccess {
    grant: AccessGrant,
    opaque: Option<String>,
}

fn access_grant(state: &AppState, app: &ApplicationRow, now: i64) -> NewAccess {
    let expires_at = now + i64::from(app.protocols.access_token_lifetime_secs) * 1000;
    match app.protocols.access_token_format {
        AccessTokenFormat::Jwt => NewAccess {
            grant: AccessGrant {
                jti: state.ids.ordered_uuid(),
                expires_at,
            },
            opaque: None,
        },
        AccessTokenFormat::Opaque => {
            let token = state.ids.base62(43);
            NewAccess {
                grant: AccessGrant {
                    jti: state.keys().secret_hash(&token),
                    expires_at,
                },
                opaque: Some(token),
            }
        }
    }
}

/// A refresh token, when the application has a refresh-token lifetime (as in OneAccess).
fn refresh_grant(
    state: &AppState,
    app: &ApplicationRow,
    now: i64,
) -> Option<(String, RefreshGrant)> {
    let lifetime = app.protocols.refresh_token_lifetime_secs?;
    let token = state.ids.base62(48);
    Some((
        token.clone(),
        RefreshGrant {
            refresh_hash: state.keys().secret_hash(&token),
            expires_at: now + i64::from(lifetime) * 1000,
        },
    ))
}

/// The user behind a grant, if they may still receive tokens for the application.
async fn usable_user(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
) -> Result<UserRow, OAuthError> {
    let user = crate::cache::lookups::user(state, tenant, user_id).await?;
    let Some(user) = user.filter(|u| u.can_sign_in(state.now())) else {
        return Err(OAuthError::InvalidGrant(
            "the user is disabled, expired or deleted".into(),
        ));
    };
    if !crate::signin::may_use(state, tenant, user_id, application_id).await? {
        return Err(OAuthError::InvalidGrant(
            "the user has no enabled account in this application, nor a grant of it".into(),
        ));
    }
    Ok(user)
}

/// The enabled application whose client credentials these are (RFC 6749 §2.3.1): the client id
/// names it and the secret matches its keyed hash (compared in constant time).
pub async fn authenticate_client(
    state: &AppState,
    tenant: &str,
    client_id: &str,
    secret: &str,
) -> Result<ApplicationRow, OAuthError> {
    let app = crate::cache::lookups::application_by_client_id(state, tenant, client_id).await?;
    // The application id only when the client id names one: a caller may send anything as a
    // client id, a mistyped secret included.
    let named = app.as_ref().map(|a| a.application_id.clone());
    let Some(app) = app.filter(|a| state.keys().secret_matches(secret, &a.client_secret_hash))
    else {
        tracing::warn!(target: "idaas::security", tenant = %tenant, application_id = %named.as_deref().unwrap_or("-"), "client authentication refused: unknown client or wrong secret");
        return Err(OAuthError::InvalidClient(
            "Invalid client credentials".into(),
        ));
    };
    if !app.enabled {
        tracing::warn!(target: "idaas::security", tenant = %tenant, application_id = %app.application_id, "client authentication refused: the client is disabled");
        return Err(OAuthError::InvalidClient("the client is disabled".into()));
    }
    Ok(app)
}
