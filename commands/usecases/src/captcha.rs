//! CAPTCHA challenges: each is a short stream (issued, answered once), so a solved image cannot be
//! replayed and every challenge is on the record.

use domain::captcha::{Captcha, CaptchaCommand, CaptchaError, CaptchaEvent};
use domain::Aggregate;
use store::Context;

use crate::state::AppState;
use crate::ServiceError;

pub const LIFETIME_MS: i64 = 5 * 60 * 1000;

fn answer_hash(state: &AppState, captcha_id: &str, answer: &str) -> String {
    state
        .keys()
        .secret_hash(&format!("captcha:{captcha_id}:{}", answer.trim()))
}

/// A new challenge: its id and PNG image.
pub async fn issue(state: &AppState, ctx: &Context) -> Result<(String, Vec<u8>), ServiceError> {
    let captcha_id = state.ids.uuid();
    let answer = crate::captcha_image::answer();
    let image = crate::captcha_image::image(&answer)?;
    let now = state.now();
    let command = CaptchaCommand::Issue {
        captcha_id: captcha_id.clone(),
        answer_hash: answer_hash(state, &captcha_id, &answer),
        now,
        expires_at: now + LIFETIME_MS,
    };
    state
        .bus
        .execute::<Captcha, _>(ctx, &captcha_id, |c| c.decide(command.clone(), &()))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("issuing a captcha: {e}")))?;
    Ok((captcha_id, image))
}

/// Answers a challenge once: whether the answer was right, or why it could not be tried.
pub async fn answer(
    state: &AppState,
    ctx: &Context,
    captcha_id: &str,
    answer: &str,
) -> Result<Result<bool, CaptchaError>, ServiceError> {
    if captcha_id.len() > 64 || answer.len() > 64 {
        return Ok(Err(CaptchaError::Unknown));
    }
    let command = CaptchaCommand::Answer {
        answer_hash: answer_hash(state, captcha_id, answer),
        now: state.now(),
    };
    let executed = state
        .bus
        .execute::<Captcha, _>(ctx, captcha_id, |c| c.decide(command.clone(), &()))
        .await;
    match executed {
        Ok(executed) => Ok(Ok(executed
            .events
            .iter()
            .any(|e| matches!(e, CaptchaEvent::Answered { correct: true, .. })))),
        Err(store::BusError::Domain(e)) => Ok(Err(e)),
        Err(e) => Err(ServiceError::Internal(anyhow::anyhow!(
            "answering a captcha: {e}"
        ))),
    }
}
