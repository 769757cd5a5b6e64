//! The SDK's answers: the login result (`status` and what goes with it, HTTP 200 whatever the
//! status) and errors in the OneAccess shape (HTTP 400 `{error_code, error_msg}`, specs/oneaccess.md
//! §4), in Chinese when `X-L` (or `Accept-Language`) asks for it.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::OneAccessError;
use usecases::sdk::{LoginOutcome, SdkError};
use usecases::signin::SignInRefusal;

/// The login result of A2–A4 and A6: `status` with `session_token`, `id_token` and `expire` on
/// SUCCESS, `state_token` (and `data`) for a challenge, nothing more for ACCESS_DENIED.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResult {
    #[schema(value_type = LoginStatus)]
    pub status: &'static str,
    /// SUCCESS: the session, bound to the device, for `X-session-token` and the SSO tickets.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub session_token: Option<String>,
    /// SUCCESS: a JWT about the user for the application of `X-client-id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub id_token: Option<String>,
    /// SUCCESS: the session token's lifetime in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub expire: Option<i64>,
    /// A challenge: the token of the next step, sent back as `X-state-token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub state_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ChallengeDetails>, nullable = false)]
    pub data: Option<Value>,
}

/// Where a login stands: SUCCESS, a challenge to pass first, or ACCESS_DENIED (the user holds no
/// enabled account in the application of `X-client-id`).
#[derive(ToSchema)]
#[schema(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(dead_code)] // Describes `LoginResult::status`.
pub enum LoginStatus {
    Success,
    /// The password expires soon: change it (`POST /api/v2/sdk/pwd/update`) or keep it
    /// (`GET /api/v2/sdk/pwd/skip-update`).
    PasswordWarn,
    /// The password has expired: change it (`POST /api/v2/sdk/pwd/update`).
    PasswordExpired,
    /// A second factor is due: `POST /api/v2/sdk/mfa/totp`, or `GET /api/v2/sdk/mobile-by-token`
    /// then `POST /api/v2/sdk/mfa/sms`.
    MfaAuth,
    AccessDenied,
}

/// The details of a challenge.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes `LoginResult::data`, built as a JSON value.
pub struct ChallengeDetails {
    /// PASSWORD_WARN: the days left before the password expires.
    #[schema(nullable = false)]
    days_left: Option<i64>,
    /// MFA_AUTH: the second factors on offer, `totp` and, when the user has a mobile number,
    /// `sms`.
    #[schema(nullable = false)]
    factors: Option<Vec<String>>,
}

impl From<LoginOutcome> for LoginResult {
    fn from(outcome: LoginOutcome) -> Self {
        let empty = |status| LoginResult {
            status,
            session_token: None,
            id_token: None,
            expire: None,
            state_token: None,
            data: None,
        };
        match outcome {
            LoginOutcome::Success {
                session_token,
                id_token,
                expire,
            } => LoginResult {
                session_token: Some(session_token),
                id_token: Some(id_token),
                expire: Some(expire),
                ..empty("SUCCESS")
            },
            LoginOutcome::Challenge {
                challenge,
                state_token,
                data,
            } => LoginResult {
                state_token: Some(state_token),
                data,
                ..empty(challenge.as_str())
            },
            LoginOutcome::AccessDenied => empty("ACCESS_DENIED"),
        }
    }
}

/// A login result, never cached.
pub fn login_result(outcome: LoginOutcome) -> Response {
    no_store(Json(LoginResult::from(outcome)).into_response())
}

pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// LOGIN.0002 (with the attempts left), CAPTCHA.0002, LOGIN.0001 (with the minutes and seconds
/// until the lock ends) or USER.0004, as on the hosted login page.
fn refusal_error(refusal: SignInRefusal) -> OneAccessError {
    match refusal {
        SignInRefusal::BadCredentials { remaining, .. } => {
            OneAccessError::with("LOGIN.0002", [remaining.to_string()])
        }
        SignInRefusal::Captcha => OneAccessError::new("CAPTCHA.0002"),
        SignInRefusal::Locked { remaining_ms } => {
            let seconds = (remaining_ms + 999) / 1000;
            OneAccessError::with(
                "LOGIN.0001",
                [(seconds / 60).to_string(), (seconds % 60).to_string()],
            )
        }
        SignInRefusal::Disabled => OneAccessError::new("USER.0004"),
    }
}

/// The OneAccess code of an SDK refusal.
pub fn sdk_error(error: SdkError) -> OneAccessError {
    match error {
        SdkError::Refused(refusal) => refusal_error(refusal),
        SdkError::InvalidStateToken => OneAccessError::new("PARAM.0014"),
        SdkError::InvalidSessionToken => OneAccessError::new("PARAM.0030"),
        SdkError::InvalidTicket => OneAccessError::new("PARAM.0032"),
        SdkError::WrongCode => OneAccessError::new("CAPTCHA.0007"),
        SdkError::NotSent => OneAccessError::new("CAPTCHA.0006"),
        SdkError::Mobile => OneAccessError::new("MOBILE.0002"),
        SdkError::UnknownClient => OneAccessError::new("APP.0001"),
        SdkError::DisabledClient => OneAccessError::new("APP.0003"),
        SdkError::NoAccount => OneAccessError::new("APP_ACCOUNT.0001"),
        SdkError::NotChangeable(field) => OneAccessError::with(
            "PARAM.0000",
            [format!("{field} cannot be changed through the SDK")],
        ),
        SdkError::Service(e) => e.into(),
    }
}

/// The description of an SDK call's 429.
pub const THROTTLED: &str = "`COM.0002`: too many requests from this address, with `Retry-After`.";

/// The description of an SDK call's 5XX.
pub const FAILED: &str = "`COM.0002`: the server failed (500), or its storage or its password \
    checks cannot take the request now (503, with `Retry-After`). When finding the tenant fails, \
    the body is the text \"System busy. Please try again later.\"";

impl From<SdkError> for OneAccessError {
    fn from(error: SdkError) -> Self {
        sdk_error(error)
    }
}
