//! Extended fields and their dropdown options (Inspur §2.3–§2.4).

use domain::extended_field::{
    DropdownOption, ExtendedField, ExtendedFieldCommand, FieldDefinition,
};
use domain::Aggregate;
use store::Context;

use crate::state::AppState;
use crate::ServiceError;

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string().to_uppercase()
}

/// A new field; its id.
pub async fn create(
    state: &AppState,
    ctx: &Context,
    definition: FieldDefinition,
) -> Result<String, ServiceError> {
    let id = new_id();
    let command = ExtendedFieldCommand::Create {
        id: id.clone(),
        definition,
        now: state.now(),
    };
    change(state, ctx, &id, command).await?;
    Ok(id)
}

/// New options of a field; their ids, in order.
pub async fn add_options(
    state: &AppState,
    ctx: &Context,
    field_id: &str,
    options: Vec<DropdownOption>,
) -> Result<Vec<String>, ServiceError> {
    let options: Vec<(String, DropdownOption)> =
        options.into_iter().map(|o| (new_id(), o)).collect();
    let ids = options.iter().map(|(id, _)| id.clone()).collect();
    let command = ExtendedFieldCommand::AddOptions {
        options,
        now: state.now(),
    };
    change(state, ctx, field_id, command).await?;
    Ok(ids)
}

/// Runs a command on a field.
pub async fn change(
    state: &AppState,
    ctx: &Context,
    field_id: &str,
    command: ExtendedFieldCommand,
) -> Result<(), ServiceError> {
    state
        .bus
        .execute::<ExtendedField, _>(ctx, field_id, |f| f.decide(command.clone(), &()))
        .await?;
    Ok(())
}
