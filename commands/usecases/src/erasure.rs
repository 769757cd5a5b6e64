//! Erasure of a user (DESIGN.md "Audit and compliance", ops/adr/0026): one append writes
//! `user.deleted` (a live user) and `user.erased`, destroys the data keys of the user and of its
//! application accounts, and deletes the request metadata kept for them — all in the append
//! transaction, with the projections dropping or scrubbing their rows. The chain is untouched.

use domain::user::{ErasureReason, User, UserCommand};
use domain::Aggregate;
use store::{CommandBus, Context};

use crate::ServiceError;

/// Erases `user_id`: `NotFound` for an unknown user, `AlreadyErased` for an erased one. Answers
/// the position of the `user.erased` event.
#[tracing::instrument(skip(bus, ctx), fields(tenant = %ctx.tenant_id))]
pub async fn erase_user(
    bus: &CommandBus,
    ctx: &Context,
    user_id: &str,
    reason: ErasureReason,
    now: i64,
) -> Result<Option<i64>, ServiceError> {
    let pool = &bus.store().database().pool;
    let accounts = projections::app_accounts::list_for_user(pool, &ctx.tenant_id, user_id)
        .await?
        .into_iter()
        .map(|a| a.account_id)
        .collect::<Vec<_>>();
    let command = UserCommand::Erase {
        accounts,
        reason,
        now,
    };
    let executed = bus
        .execute::<User, _>(ctx, user_id, |user| user.decide(command.clone(), &NoHasher))
        .await?;
    Ok(executed.position)
}

/// Erasure hashes no password.
struct NoHasher;

impl domain::password::PasswordHasher for NoHasher {
    fn hash(&self, _: &str) -> String {
        String::new()
    }

    fn verify(&self, _: &str, _: &str) -> bool {
        false
    }
}
