//! A sign-in that passed the password but still has a step to take (a forced password change, a
//! second factor): carried in a short-lived cookie, MAC'd with the server's secret key and bound
//! to the step it was issued for.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use usecases::AppState;

pub const LIFETIME_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// The password must be changed (forced or expired), or may be (expiring soon).
    ChangePassword,
    /// The TOTP code is still to be entered.
    Otp,
    /// A signed-in user setting up TOTP: the new secret waits here until a code confirms it.
    Enroll,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub tenant_id: String,
    pub user_id: String,
    pub step: Step,
    pub return_to: Option<String>,
    pub client_id: Option<String>,
    pub remember_me: bool,
    /// The password change may be skipped (PASSWORD_WARN) — and was, once this is set.
    pub may_skip: bool,
    pub skipped_warning: bool,
    /// A TOTP secret awaiting confirmation (enrolment only), base32.
    pub secret: Option<String>,
    pub expires_at: i64,
}

impl Pending {
    pub fn new(
        tenant_id: &str,
        user_id: &str,
        step: Step,
        return_to: Option<String>,
        client_id: Option<String>,
        remember_me: bool,
        now: i64,
    ) -> Self {
        Self {
            tenant_id: tenant_id.to_string(),
            user_id: user_id.to_string(),
            step,
            return_to,
            client_id,
            remember_me,
            may_skip: false,
            skipped_warning: false,
            secret: None,
            expires_at: now + LIFETIME_MS,
        }
    }

    pub fn encode(&self, state: &AppState) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default());
        let mac = state.keys().secret_hash(&format!("pending.{body}"));
        format!("{body}.{mac}")
    }

    /// The pending sign-in a cookie carries, if its MAC holds, it is for this tenant and step,
    /// and it has not expired.
    pub fn decode(state: &AppState, value: &str, tenant_id: &str, step: Step) -> Option<Self> {
        let (body, mac) = value.split_once('.')?;
        if !state.keys().secret_matches(&format!("pending.{body}"), mac) {
            return None;
        }
        let pending: Self = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        (pending.tenant_id == tenant_id && pending.step == step && pending.expires_at > state.now())
            .then_some(pending)
    }
}
