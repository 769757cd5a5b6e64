//! Failures that are not the request's fault, answered in each surface's own shape (the shapes
//! live with the surfaces): a program error is a 500; storage that cannot take the request now (a
//! full disk, an unreachable database) is a 503 with `Retry-After`, and nothing was written; a
//! full password pool is a 503 and a rate limit a 429, both with `Retry-After` (ops/adr/0012).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use usecases::fault::RETRY_AFTER_SECONDS;
use usecases::ServiceError;

/// A failure of the server or its storage, with what was logged about it already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A program error (500).
    Internal,
    /// Storage is temporarily unavailable (503 + `Retry-After`).
    Unavailable,
    /// Every password thread is busy and the queue is full (503 + `Retry-After`).
    Overloaded,
    /// A rate limit refused the request (429 + `Retry-After` in seconds).
    Throttled(u64),
}

impl Failure {
    /// Classifies and logs `error` (with the request's span, which carries its request id).
    pub fn of(error: &anyhow::Error, what: &str) -> Self {
        match usecases::fault::unavailable(error) {
            Some(fault) => {
                tracing::warn!(fault = fault.kind.as_str(), cause = %fault.cause, "{what}: storage unavailable");
                Self::Unavailable
            }
            None => {
                tracing::error!(error = %format!("{error:#}"), "{what} failed");
                Self::Internal
            }
        }
    }

    /// The failure behind a service error, if it is one (logged here).
    pub fn of_service(error: &ServiceError) -> Option<Self> {
        match error {
            ServiceError::Unavailable(fault) => {
                tracing::warn!(fault = fault.kind.as_str(), cause = %fault.cause, "storage unavailable");
                Some(Self::Unavailable)
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                Some(Self::Internal)
            }
            ServiceError::Overloaded => Some(Self::Overloaded),
            // Not logged one by one: a flood of them would flood the log too; the request line
            // carries the 429.
            ServiceError::Throttled {
                retry_after_seconds,
            } => Some(Self::Throttled(*retry_after_seconds)),
            _ => None,
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable | Self::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The error word of the OAuth-style shapes (RFC 6749 §5.2 has none for 429: a rate limit
    /// is `temporarily_unavailable` too, with its own status and `Retry-After`).
    pub fn oauth_error(self) -> &'static str {
        match self {
            Self::Internal => "server_error",
            _ => "temporarily_unavailable",
        }
    }

    /// A sentence for the people reading an error page or message.
    pub fn message(self) -> String {
        match self {
            Self::Internal => "internal error".into(),
            Self::Unavailable => "storage is temporarily unavailable; try again later".into(),
            Self::Overloaded => "the server is busy; try again in a moment".into(),
            Self::Throttled(seconds) => {
                format!("too many requests; try again in {seconds} seconds")
            }
        }
    }

    /// Adds `Retry-After` to a 503 or 429.
    pub fn finish(self, mut response: Response) -> Response {
        let seconds = match self {
            Self::Internal => return response,
            Self::Unavailable => RETRY_AFTER_SECONDS,
            Self::Overloaded => 1,
            Self::Throttled(seconds) => seconds,
        };
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }
}

/// Adds `Retry-After` (seconds) to a response.
pub fn retry_after(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
}
