//! AuthnRequests held outside the event log until they are answered (ops/adr/0027; DESIGN.md
//! "Audit and compliance", short-lived protocol records). Anyone can send an AuthnRequest (or
//! `?sp=`) without a credential, so receiving one writes nothing permanent: it waits in
//! `saml_requests` with an expiry. The answer records it: the `saml_login.requested` event and
//! the assertion (or a refusal that names a user) go on the sign-in stream back to back. A refusal
//! that names nobody (`NoPassive` without a session) writes no event.
//!
//! Replay protection: a request ID is refused while its held row lives (longer than the
//! AuthnRequest's accepted age, after which `authn::check` refuses it anyway) and for ever once
//! its stream exists.

use domain::saml_login::{Requested, SamlLogin};
use store::Context;

use super::{record_request, RequestRefusal};
use crate::state::AppState;
use crate::ServiceError;

/// How long a request is held: its accepted age on either side of the clock skew, then the
/// round trip through the login page.
pub const HOLD_MS: i64 = super::authn::REQUEST_LIFETIME_MS
    + 2 * super::xml::CLOCK_SKEW_MS
    + crate::sso::RETURN_WINDOW_MS;

fn internal(e: impl std::fmt::Display) -> RequestRefusal {
    RequestRefusal::Internal(ServiceError::Internal(anyhow::anyhow!(
        "holding an AuthnRequest: {e}"
    )))
}

/// Holds a request until it is answered; `Replayed` when its stream or a held row has the id.
pub async fn hold(
    state: &AppState,
    tenant: &str,
    login_id: &str,
    requested: &Requested,
) -> Result<(), RequestRefusal> {
    let recorded = super::login(state, tenant, login_id)
        .await
        .map_err(internal)?;
    if recorded.requested.is_some() {
        return Err(RequestRefusal::Replayed);
    }
    let json = serde_json::to_string(requested).map_err(internal)?;
    let now = state.now();
    let pool = state.pool();
    match store::ephemeral::put_saml_request(pool, tenant, login_id, &json, now, now + HOLD_MS)
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(RequestRefusal::Replayed),
        Err(e) => Err(internal(e)),
    }
}

/// A sign-in waiting for its answer: recorded on its stream, or held.
pub struct Pending {
    /// As the stream has it, or as held (`refused` once a held request was answered).
    pub login: SamlLogin,
    /// When held: the time it was received.
    pub held_since: Option<i64>,
}

/// The sign-in `login_id` names: its stream if recorded, else a held request that has not
/// expired, else an empty one.
pub async fn pending(state: &AppState, tenant: &str, login_id: &str) -> anyhow::Result<Pending> {
    let login = super::login(state, tenant, login_id).await?;
    if login.requested.is_some() {
        // A request recorded but never answered is not answered after its hold time either,
        // so that no event changes a sign-in row the purge may have removed.
        let stale =
            login.issued.is_none() && !login.refused && login.requested_at + HOLD_MS < state.now();
        return Ok(Pending {
            login: if stale { SamlLogin::default() } else { login },
            held_since: None,
        });
    }
    let held = store::ephemeral::saml_request(state.pool(), tenant, login_id, state.now()).await?;
    Ok(match held {
        Some(held) => Pending {
            login: SamlLogin {
                requested: Some(serde_json::from_str(&held.requested)?),
                refused: held.answered,
                ..SamlLogin::default()
            },
            held_since: Some(held.requested_at),
        },
        None => Pending {
            login,
            held_since: None,
        },
    })
}

/// Just before an answer that is recorded: takes the held request (the first answer wins) and
/// writes `saml_login.requested` on its stream, as the SP (SP-initiated) or the browser
/// (IdP-initiated) asked it. Nothing to do for a request already on its stream.
pub async fn record(
    state: &AppState,
    ctx: &Context,
    login_id: &str,
    pending: &Pending,
) -> Result<(), RequestRefusal> {
    let (Some(at), Some(requested)) = (pending.held_since, pending.login.requested.clone()) else {
        return Ok(());
    };
    if !take(state, &ctx.tenant_id, login_id).await? {
        return Err(RequestRefusal::Replayed);
    }
    let ctx = match &requested.request_id {
        Some(_) => crate::acting(ctx, "application", &requested.application_id),
        None => ctx.clone(),
    };
    record_request(state, &ctx, login_id, requested, at).await
}

/// Marks a held request answered without recording it (a refusal that names nobody); `false`
/// when another answer came first.
pub async fn take(state: &AppState, tenant: &str, login_id: &str) -> Result<bool, RequestRefusal> {
    store::ephemeral::answer_saml_request(state.pool(), tenant, login_id)
        .await
        .map_err(internal)
}
