//! Erasure of a user (DESIGN.md "Audit and compliance", ops/adr/0026): one append writes
//! `user.deleted` (a live user) and `user.erased`, destroys the data keys of the user and of its
//! application accounts, and deletes the request metadata kept for them — all in the append
//! transaction, with the projections dropping or scrubbing their rows. The chain is untouched.

use domain::user::{ErasureReason, User, UserCommand};
use domain::Aggregate;
use std::sync::Arc;

use projections::guards::NoOtherAccounts;
use store::store::Guard;
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
    // Every account ever created for the user, deleted ones too (their sealed names and request
    // metadata must go as well); an account created meanwhile fails the guard.
    let mut conn = bus
        .store()
        .database()
        .pool
        .acquire()
        .await
        .map_err(anyhow::Error::from)?;
    let accounts =
        projections::app_accounts::ever_of_user(&mut conn, &ctx.tenant_id, user_id).await?;
    drop(conn);
    let guards: Vec<Arc<dyn Guard>> = vec![Arc::new(NoOtherAccounts {
        user_id: user_id.to_string(),
        known: accounts.clone(),
    })];
    let command = UserCommand::Erase {
        accounts,
        reason,
        now,
    };
    let executed = bus
        .execute_guarded::<User, _>(ctx, user_id, guards, |user| {
            user.decide(command.clone(), &NoHasher)
        })
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
