//! What the browser-facing surfaces (hosted login, OAuth 2.0 / OIDC, logout) share: the request's
//! tenant, issuer URL and metadata, and the session and CSRF cookies.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use usecases::Context;

use crate::context::RequestMeta;
use projections::sessions::SessionRow;
use usecases::oauth::Issuer;
use usecases::AppState;

pub const SURFACE: &str = "oneaccess-sso";
pub const SESSION_COOKIE: &str = "idaas_session";
pub const CSRF_COOKIE: &str = "idaas_csrf";
pub const PENDING_COOKIE: &str = "idaas_pending";

/// The request as the browser surfaces see it.
pub struct Browser {
    pub tenant_id: String,
    pub meta: RequestMeta,
    pub headers: HeaderMap,
    pub https: bool,
    pub host: String,
}

impl Browser {
    /// A command context acting as the anonymous browser (commands set their actor).
    pub fn context(&self) -> Context {
        Context {
            tenant_id: self.tenant_id.clone(),
            metadata: self.meta.metadata("anonymous", "-", SURFACE),
        }
    }

    pub fn issuer(&self) -> Issuer {
        Issuer {
            url: format!("{}/api/v1/oauth2", self.base_url()),
        }
    }

    pub fn base_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.host)
    }

    /// The live, complete SSO session this browser's cookie carries.
    pub async fn session(&self, state: &AppState) -> anyhow::Result<Option<SessionRow>> {
        let cookie = self.cookie(SESSION_COOKIE);
        usecases::sso::session_of_browser(state, &self.tenant_id, cookie.as_deref()).await
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        cookie(&self.headers, name)
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure over HTTPS; `max_age` 0 deletes.
    pub fn set_cookie(&self, name: &str, value: &str, max_age_secs: Option<i64>) -> HeaderValue {
        let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age_secs {
            text.push_str(&format!("; Max-Age={age}"));
        }
        if self.https {
            text.push_str("; Secure");
        }
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("x=; Path=/"))
    }

    /// The preferred language: `lang` (`zh`/`en`) if given, else `Accept-Language`.
    pub fn language(&self, lang: Option<&str>) -> crate::i18n::Lang {
        crate::i18n::Lang::pick(lang, &self.headers)
    }
}

/// The longest cookie value read: a browser's per-cookie limit. A pending sign-in carries the
/// request to resume (an authorisation URL of a few hundred characters) and its MAC.
const MAX_COOKIE_LEN: usize = 4096;

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty() && v.len() <= MAX_COOKIE_LEN)
}

impl FromRequestParts<AppState> for Browser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let tenant_id = crate::context::tenant_of(state, &parts.headers)
            .await
            .map_err(|e| {
                let failure = crate::failure::Failure::of(&e, "finding the tenant");
                let text = "System busy. Please try again later.";
                failure.finish((failure.status(), text).into_response())
            })?;
        // X-Forwarded-Proto is believed only from a trusted proxy.
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|axum::extract::ConnectInfo(a)| a.ip());
        let forwarded_https = peer.is_some_and(|p| state.trusted_proxies.contains(p))
            && parts
                .headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
        let requested = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                    })
            })
            .unwrap_or("localhost")
            .to_ascii_lowercase();
        let public = state.config.public_url.as_deref();
        let public_https = public.is_some_and(|u| u.starts_with("https://"));
        let https = state.config.public_https || public_https || forwarded_https;
        // The default tenant is where the public URL says; another tenant is at the host name it
        // claimed (the request reached it only through one of its claims).
        let host = match public {
            Some(url) if tenant_id == domain::tenant::DEFAULT_TENANT_ID => url
                .split_once("://")
                .map_or(requested.clone(), |(_, authority)| authority.to_string()),
            _ => requested,
        };
        Ok(Self {
            tenant_id,
            meta: RequestMeta::from_parts(parts),
            headers: parts.headers.clone(),
            https,
            host,
        })
    }
}

/// A relative path on this server that is safe to send the browser back to after sign-in.
pub fn safe_return_path(value: &str) -> Option<String> {
    let ok = value.starts_with('/')
        && !value.starts_with("//")
        && !value.starts_with("/\\")
        && value.len() <= 4096
        && !value.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| value.to_string())
}

pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => (StatusCode::BAD_REQUEST, "invalid redirect").into_response(),
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s[2..].to_string())
        .unwrap_or_default()
}

/// A page that posts `fields` to `action` (OAuth's form_post response mode, CAS `method=POST`),
/// by script when available and by a button otherwise.
pub fn form_post(action: &str, fields: &[(&str, String)]) -> Response {
    use crate::pages::escape;
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape(k),
                escape(v)
            )
        })
        .collect();
    let body = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>Submit</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="{}">{inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>"#,
        escape(action)
    );
    let mut response = Html(body).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
