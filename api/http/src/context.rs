//! The request context every command carries: the tenant (from the host name) and the request's
//! metadata (request id, client IP, user agent).

use std::cell::RefCell;
use std::future::Future;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use usecases::{AppState, Metadata};

/// The request's tenant: the one that claimed its `Host`, or the default tenant. Noted for the
/// request's access-log line (`noting_tenant`).
pub async fn tenant_of(state: &AppState, headers: &HeaderMap) -> anyhow::Result<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let tenant = state.tenants.resolve(state, host).await?;
    note_tenant(&tenant);
    Ok(tenant)
}

tokio::task_local! {
    /// The tenant the request being handled resolved to. Every resolution goes through
    /// `tenant_of`, in an extractor of the handler, which runs in the request's task.
    static RESOLVED_TENANT: RefCell<Option<String>>;
}

/// Handles a request (`handling`) and returns its answer with the tenant it resolved to, if it
/// resolved one: the access log's `tenant` without resolving the host a second time.
pub async fn noting_tenant<F: Future>(handling: F) -> (F::Output, Option<String>) {
    let noted = async {
        let output = handling.await;
        (output, RESOLVED_TENANT.with(RefCell::take))
    };
    RESOLVED_TENANT.scope(RefCell::new(None), noted).await
}

/// Notes `tenant` as the current request's (outside `noting_tenant`, nothing happens).
pub fn note_tenant(tenant: &str) {
    let _ = RESOLVED_TENANT.try_with(|noted| *noted.borrow_mut() = Some(tenant.to_string()));
}

/// The client's address, set on every request by the server (the peer, or the address a trusted
/// proxy forwarded for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// Request id, client IP and user agent of the current request.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn from_parts(parts: &Parts) -> Self {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(256).collect::<String>())
        };
        let client_ip = match parts.extensions.get::<ClientAddress>() {
            Some(ClientAddress(address)) => Some(address.to_string()),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string()),
        };
        Self {
            request_id: header("x-request-id"),
            client_ip,
            user_agent: header("user-agent"),
        }
    }

    /// Event metadata for a command made by `actor` through `surface`.
    pub fn metadata(&self, actor_kind: &str, actor_id: &str, surface: &str) -> Metadata {
        Metadata {
            actor_id: Some(actor_id.to_string()),
            actor_kind: Some(actor_kind.to_string()),
            surface: Some(surface.to_string()),
            request_id: self.request_id.clone(),
            correlation_id: self.request_id.clone(),
            causation_id: None,
            client_ip: self.client_ip.clone(),
            user_agent: self.user_agent.clone(),
            on_behalf_of: None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}
