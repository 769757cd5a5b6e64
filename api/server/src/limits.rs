//! Which requests the rate limits guard and how a refusal is answered (ops/adr/0012): one table
//! of every unauthenticated endpoint, so what is limited can be read in one place. Client
//! addresses come from `ClientAddress` (the peer, or `X-Forwarded-For` from trusted proxies).
//!
//! - sign-in: each request that checks a password or a second factor takes a token from its
//!   client address's bucket (the account's bucket is taken in the use case);
//! - anonymous: login pages, CAPTCHA images, authorization (also Inspur's `/render/…/auth`),
//!   CAS and SAML entry points;
//! - client failures: token, introspection, revocation, userinfo, management tokens, SSO
//!   tickets and Inspur's `/token` and `/token/verify` are refused once the address has used its refused-request budget; only refused
//!   requests (400, 401, 403) spend it, so busy clients with good credentials are never slowed.
//!
//! Discovery, JWKS and SAML metadata are public, served from memory, and not limited; CAS ticket
//! validation is not either (tickets are unguessable and answered 200 either way).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use idaas_http::context::ClientAddress;
use idaas_http::failure::Failure;
use idaas_http::i18n::Lang;
use usecases::limits::{client_address, rate_key, Rate};
use usecases::AppState;

/// How a surface answers a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A page of the hosted login, CAS or SAML (HTML, in the browser's language).
    Page,
    /// `{"error_code": "COM.0002", "error_msg"}` (OneAccess SDK and SSO tickets).
    OneAccess,
    /// `{"error": "temporarily_unavailable", "error_description"}` (RFC 6749 §5.2 endpoints).
    OAuth,
    /// The Inspur envelope with 429 (its token endpoints, §2.15).
    Inspur,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    SignIn,
    Anonymous,
    ClientFailures,
}

/// The limit and shape of a request, if it is limited.
fn classify(method: &Method, path: &str) -> Option<(Limit, Shape)> {
    use Limit::*;
    use Shape::*;
    let post = method == Method::POST;
    let cas = path
        .strip_prefix("/api/v1/cas")
        .or_else(|| path.strip_prefix("/cas"));
    Some(match path {
        "/api/v1/login/form" | "/api/v1/login/otp" | "/api/v1/login/password" if post => {
            (SignIn, Page)
        }
        "/api/v2/sdk/login"
        | "/api/v2/sdk/mfa/totp"
        | "/api/v2/sdk/mfa/sms"
        | "/api/v2/sdk/pwd/update" => (SignIn, OneAccess),
        p if p.starts_with("/api/v2/sdk/") => (Anonymous, OneAccess),
        p if p == "/api/v1/login" || p.starts_with("/api/v1/login/") => (Anonymous, Page),
        "/api/v1/logout" | "/api/v1/oauth2/authorize" | "/api/v1/oauth2/logout" => {
            (Anonymous, Page)
        }
        "/api/v1/saml2/idp/sso" | "/api/v1/saml2/idp/slo" => (Anonymous, Page),
        "/api/v1/oauth2/token"
        | "/api/v1/oauth2/introspect"
        | "/api/v1/oauth2/revoke"
        | "/api/v1/oauth2/userinfo"
        | "/api/v2/tenant/token" => (ClientFailures, OAuth),
        "/api/v2/tenant/sso/session-token/sso-ticket" | "/api/v2/tenant/sso/sso-ticket/verify" => {
            (ClientFailures, OneAccess)
        }
        "/token" | "/token/verify" => (ClientFailures, Inspur),
        p if p.starts_with("/render/") && p.ends_with("/auth") => (Anonymous, Page),
        _ => match cas {
            Some("/login" | "/logout") => (Anonymous, Page),
            _ => return None,
        },
    })
}

/// Puts the client's address on the request (before anything reads it).
pub fn note_address(state: &AppState, request: &mut Request) {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if let Some(peer) = peer {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let client = client_address(peer, &forwarded, &state.trusted_proxies);
        request.extensions_mut().insert(ClientAddress(client));
    }
}

/// Applies the rate limit of the request's endpoint, if it has one.
pub async fn guard(state: &AppState, request: Request, next: Next) -> Response {
    let Some((limit, shape)) = classify(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let Some(ClientAddress(client)) = request.extensions().get::<ClientAddress>().copied() else {
        return next.run(request).await;
    };
    let limits = &state.config.limits;
    let (name, rate): (&'static str, Rate) = match limit {
        Limit::SignIn => ("sign_in_address", limits.sign_in_per_address),
        Limit::Anonymous => ("anonymous_address", limits.anonymous_per_address),
        Limit::ClientFailures => ("client_failures", limits.client_failures_per_address),
    };
    let key = rate_key(client);
    let now = state.now();
    let checked = match limit {
        Limit::ClientFailures => state.rates.check(name, &key, rate, now),
        _ => state.rates.take(name, &key, rate, now),
    };
    if let Err(limited) = checked {
        tracing::warn!(
            target: "idaas::security",
            limit = %name,
            retry_after_seconds = limited.retry_after_seconds,
            "request refused by a rate limit"
        );
        return refuse(shape, request.headers(), limited.retry_after_seconds);
    }
    let response = next.run(request).await;
    let refused = matches!(
        response.status(),
        StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    );
    if limit == Limit::ClientFailures && refused {
        state.rates.charge(name, &key, rate, state.now());
    }
    response
}

fn refuse(shape: Shape, headers: &HeaderMap, seconds: u64) -> Response {
    let failure = Failure::Throttled(seconds);
    match shape {
        Shape::OAuth => sso::oauth::error::failed(failure),
        Shape::Inspur => inspur::InspurError::failed(failure).into_response(),
        Shape::OneAccess => {
            let chinese = Lang::pick(None, headers).is_chinese();
            oneaccess::error::busy(failure, chinese)
        }
        Shape::Page => {
            let lang = Lang::pick(None, headers);
            let text = idaas_http::oneaccess_codes::message("COM.0002", &[], lang.is_chinese());
            let page = sso::login::message_page(
                lang,
                failure.status(),
                lang.text("sign_in"),
                &format!("{text} ({seconds} s)"),
            );
            failure.finish(page.into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unauthenticated_entry_point_is_classified() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(
            classify(&post, "/api/v1/login/form"),
            Some((Limit::SignIn, Shape::Page))
        );
        assert_eq!(
            classify(&post, "/api/v2/sdk/login"),
            Some((Limit::SignIn, Shape::OneAccess))
        );
        assert_eq!(
            classify(&get, "/api/v2/sdk/captcha"),
            Some((Limit::Anonymous, Shape::OneAccess))
        );
        for inspur in ["/token", "/token/verify"] {
            assert_eq!(
                classify(&post, inspur),
                Some((Limit::ClientFailures, Shape::Inspur)),
                "{inspur}"
            );
        }
        for page in [
            "/cas/login",
            "/api/v1/cas/login",
            "/api/v1/saml2/idp/sso",
            "/api/v1/login",
            "/render/default/app/auth",
        ] {
            assert_eq!(
                classify(&get, page),
                Some((Limit::Anonymous, Shape::Page)),
                "{page}"
            );
        }
        for client in [
            "/api/v1/oauth2/token",
            "/api/v2/tenant/token",
            "/api/v1/oauth2/introspect",
        ] {
            assert_eq!(
                classify(&post, client).map(|c| c.0),
                Some(Limit::ClientFailures)
            );
        }
        for free in [
            "/api/v1/oauth2/jwks",
            "/cas/serviceValidate",
            "/api/v2/tenant/users",
            "/readyz",
        ] {
            assert_eq!(classify(&get, free), None, "{free}");
        }
    }
}
