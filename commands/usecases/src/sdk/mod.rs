//! The OneAccess SDK login (seed 002 A2–A10; specs/oneaccess-sdk-and-hainan-uaa.md §1.2–§1.4):
//! a password login from a device that either succeeds (an SSO session bound to the device, its
//! `session_token` and an `id_token`) or goes through the challenges still due, each with a
//! short-lived `state_token`; SMS codes for the second factor; one-time `sso_ticket`s minted from a
//! `session_token` for the application's server. Decisions are the `sdk_login`, `sms_code`,
//! `sso_session` and `sso_ticket` aggregates'; no token, code or ticket is stored in clear.

pub mod login;
pub mod mfa;
pub mod tickets;
mod tokens;

use domain::sdk_login::SdkChallenge;
use projections::users::UserRow;
use serde_json::{json, Value};
use store::Context;

use super::signin::{self, Challenge, SignInError, SignInRefusal};
use super::ServiceError;
use crate::state::AppState;

pub use tokens::{verify_state_token, Presented, StateClaims};

/// A `state_token` lives five minutes (the spec suggests 5–10).
pub const STATE_TOKEN_LIFETIME_MS: i64 = 5 * 60 * 1000;
/// A `session_token` lives twelve hours (the documented example's `expire`, 43200).
pub const SESSION_LIFETIME_MS: i64 = 12 * 3600 * 1000;
/// An SMS code lives five minutes.
pub const SMS_CODE_LIFETIME_MS: i64 = 5 * 60 * 1000;
/// An `sso_ticket` lives 300 seconds (the documented `expire`).
pub const SSO_TICKET_LIFETIME_MS: i64 = 300 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    /// Bad credentials, lockout, CAPTCHA or disabled user.
    #[error("sign-in refused")]
    Refused(SignInRefusal),
    /// PARAM.0014.
    #[error("invalid state token")]
    InvalidStateToken,
    /// PARAM.0030.
    #[error("invalid session token")]
    InvalidSessionToken,
    /// PARAM.0032.
    #[error("invalid sso ticket")]
    InvalidTicket,
    /// CAPTCHA.0007.
    #[error("incorrect verification code")]
    WrongCode,
    /// CAPTCHA.0006.
    #[error("the verification code could not be sent")]
    NotSent,
    /// MOBILE.0002: the user has no mobile number, or another one was given.
    #[error("unauthenticated mobile number")]
    Mobile,
    /// APP.0001.
    #[error("unknown client")]
    UnknownClient,
    /// APP.0003.
    #[error("disabled client")]
    DisabledClient,
    /// APP_ACCOUNT.0001: the user has no enabled account in the named application.
    #[error("no account in the application")]
    NoAccount,
    /// A profile change through the SDK names the password, or another mobile number or email.
    #[error("{0} cannot be changed here")]
    NotChangeable(&'static str),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<SignInError> for SdkError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Refused(refusal) => Self::Refused(refusal),
            SignInError::Service(e) => Self::Service(e),
        }
    }
}

impl From<anyhow::Error> for SdkError {
    fn from(error: anyhow::Error) -> Self {
        Self::Service(ServiceError::Internal(error))
    }
}

pub(crate) fn internal(what: &str, error: impl std::fmt::Display) -> SdkError {
    SdkError::Service(ServiceError::Internal(anyhow::anyhow!("{what}: {error}")))
}

/// The keyed hash of a device fingerprint: what sessions, logins and tickets are bound to.
pub fn device_hash(state: &AppState, fingerprint: &str) -> String {
    state
        .keys()
        .secret_hash(&format!("device-fingerprint:{fingerprint}"))
}

/// The context of a command the user makes.
pub(crate) fn as_user(ctx: &Context, user_id: &str) -> Context {
    crate::acting(ctx, "user", user_id)
}

/// What a login (or a step of it) answers.
#[derive(Debug)]
pub enum LoginOutcome {
    Success {
        session_token: String,
        id_token: String,
        /// The session_token's lifetime, in seconds.
        expire: i64,
    },
    Challenge {
        challenge: SdkChallenge,
        state_token: String,
        /// Details of the challenge: the days left before the password expires, the second
        /// factors on offer.
        data: Option<Value>,
    },
    AccessDenied,
}

/// The challenges a user has now, in order (password first, then the second factor), with the
/// details each answer carries.
pub(crate) async fn due(
    state: &AppState,
    tenant: &str,
    user: &UserRow,
) -> Result<Vec<(SdkChallenge, Option<Value>)>, SdkError> {
    let mut due = Vec::new();
    for challenge in signin::challenges(state, tenant, user).await? {
        due.push(match challenge {
            Challenge::PasswordExpired => (SdkChallenge::PasswordExpired, None),
            Challenge::PasswordWarn { days_left } => (
                SdkChallenge::PasswordWarn,
                Some(json!({ "days_left": days_left })),
            ),
            Challenge::SecondFactor => {
                let mut factors = vec!["totp"];
                if has_mobile(user) {
                    factors.push("sms");
                }
                (SdkChallenge::MfaAuth, Some(json!({ "factors": factors })))
            }
        });
    }
    Ok(due)
}

pub(crate) fn has_mobile(user: &UserRow) -> bool {
    user.profile
        .mobile
        .as_deref()
        .is_some_and(|m| !m.trim().is_empty())
}
