//! An administrator's unlock (ops/adr/0012): lifts the account's lock and every device's, and
//! clears their counts; recorded as `login.unlocked` with the administrator as its actor.

use domain::login_attempts::{LoginAttempts, LoginAttemptsCommand};
use domain::Aggregate;
use store::{CommandBus, Context};

use crate::ServiceError;

/// What an unlock found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlocked {
    pub user_id: String,
    /// Whether there was a lock or a failure count to clear (false: nothing was recorded).
    pub changed: bool,
}

/// Unlocks the user `user_id` of the context's tenant; `None` when there is no such user.
#[tracing::instrument(target = "idaas::trace", skip_all, fields(tenant = %ctx.tenant_id))]
pub async fn unlock(
    bus: &CommandBus,
    ctx: &Context,
    user_id: &str,
    now: i64,
) -> Result<Option<Unlocked>, ServiceError> {
    let pool = &bus.store().database().pool;
    if projections::users::get(pool, &ctx.tenant_id, user_id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let command = LoginAttemptsCommand::Unlock { now };
    let executed = bus
        .execute::<LoginAttempts, _>(ctx, user_id, |a| a.decide(command.clone(), &()))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("unlocking a user: {e}")))?;
    Ok(Some(Unlocked {
        user_id: user_id.to_string(),
        changed: !executed.events.is_empty(),
    }))
}

/// The id of the user called `user_name` in the tenant, if any.
pub async fn user_id_of(
    bus: &CommandBus,
    tenant_id: &str,
    user_name: &str,
) -> anyhow::Result<Option<String>> {
    let pool = &bus.store().database().pool;
    Ok(projections::users::by_user_name(pool, tenant_id, user_name)
        .await?
        .map(|u| u.user_id))
}
