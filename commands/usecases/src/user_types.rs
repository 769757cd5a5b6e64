//! User (account) types (Inspur §2.9): create, change, enable or disable, delete.

use domain::user_type::{UserType, UserTypeCommand, UserTypeFields};
use std::sync::Arc;

use domain::Aggregate;
use projections::guards::{user_type_unused, USER_TYPE_UNUSED};
use store::{BusError, Context};

use crate::state::AppState;
use crate::ServiceError;

/// A new type; its id (32 upper-case hex characters, as Inspur ids are).
pub async fn create(
    state: &AppState,
    ctx: &Context,
    fields: UserTypeFields,
) -> Result<String, ServiceError> {
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let command = UserTypeCommand::Create {
        id: id.clone(),
        fields,
        now: state.now(),
    };
    state
        .bus
        .execute::<UserType, _>(ctx, &id, |t| t.decide(command.clone(), &()))
        .await?;
    Ok(id)
}

/// Runs a command on an existing type.
pub async fn change(
    state: &AppState,
    ctx: &Context,
    id: &str,
    command: UserTypeCommand,
) -> Result<(), ServiceError> {
    state
        .bus
        .execute::<UserType, _>(ctx, id, |t| t.decide(command.clone(), &()))
        .await?;
    Ok(())
}

/// Deletes a type no user has (spec §5: refused while users reference it).
pub async fn delete(state: &AppState, ctx: &Context, id: &str) -> Result<(), ServiceError> {
    let command = UserTypeCommand::Delete { now: state.now() };
    let guards: Vec<Arc<dyn store::store::Guard>> = vec![Arc::new(user_type_unused(id))];
    state
        .bus
        .execute_guarded::<UserType, _>(ctx, id, guards, |t| t.decide(command.clone(), &()))
        .await
        .map_err(|e| match e {
            BusError::GuardFailed(USER_TYPE_UNUSED) => {
                domain::user_type::UserTypeError::InUse.into()
            }
            other => ServiceError::from(other),
        })?;
    Ok(())
}
