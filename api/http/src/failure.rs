//! Failures that are not the request's fault, answered in each surface's own shape (the shapes
//! live with the surfaces): a program error is a 500; storage that cannot take the request now (a
//! full disk, an unreachable database) is a 503 with `Retry-After`, and nothing was written.

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
            _ => None,
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// Adds `Retry-After` to a 503.
    pub fn finish(self, mut response: Response) -> Response {
        if self == Self::Unavailable {
            retry_after(&mut response);
        }
        response
    }
}

/// Adds `Retry-After` (seconds) to a response.
pub fn retry_after(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
}
