//! User (account) types (Inspur §2.9): create, change, enable or disable, delete.

use domain::user_type::{UserType, UserTypeCommand, UserTypeFields};
use domain::Aggregate;
use store::Context;

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
