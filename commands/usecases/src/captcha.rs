//! CAPTCHA challenges (ops/adr/0012): kept outside the event log, in a table of short-lived
//! records, because anyone may ask for one without a credential; each is answered once, right or
//! wrong, before it expires. What is audited is the sign-in it guarded (`login.failed` with
//! reason `captcha`).

use store::Context;

use crate::state::AppState;
use crate::ServiceError;

pub const LIFETIME_MS: i64 = 5 * 60 * 1000;

fn answer_hash(state: &AppState, captcha_id: &str, answer: &str) -> String {
    state.keys().secret_hash(&format!(
        "captcha:{captcha_id}:{}",
        answer.trim().to_ascii_uppercase()
    ))
}

/// A new challenge: its id and PNG image.
pub async fn issue(state: &AppState, ctx: &Context) -> Result<(String, Vec<u8>), ServiceError> {
    let captcha_id = state.ids.uuid();
    let answer = crate::captcha_image::answer();
    let image = crate::captcha_image::image(&answer)?;
    let now = state.now();
    let hash = answer_hash(state, &captcha_id, &answer);
    store::ephemeral::put_captcha(
        state.pool(),
        &ctx.tenant_id,
        &captcha_id,
        &hash,
        now + LIFETIME_MS,
        now,
    )
    .await?;
    Ok((captcha_id, image))
}

/// Answers a challenge once: whether it was there, unexpired, and answered right.
pub async fn answer(
    state: &AppState,
    ctx: &Context,
    captcha_id: &str,
    answer: &str,
) -> Result<bool, ServiceError> {
    if captcha_id.len() > 64 || answer.len() > 64 {
        return Ok(false);
    }
    let Some((expected, expires_at)) =
        store::ephemeral::take_captcha(state.pool(), &ctx.tenant_id, captcha_id).await?
    else {
        return Ok(false);
    };
    let given = answer_hash(state, captcha_id, answer);
    Ok(expires_at > state.now()
        && domain::pkce::constant_time_eq(given.as_bytes(), expected.as_bytes()))
}
