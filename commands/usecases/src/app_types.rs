//! Application types (Inspur §2.8): create, change (fields and status), soft delete.

use std::sync::Arc;

use domain::app_type::{AppType, AppTypeCommand, AppTypeError, AppTypeFields};
use domain::Aggregate;
use store::store::Guard;
use store::{BusError, Context};

use crate::state::AppState;
use crate::ServiceError;

pub use projections::guards::APP_TYPE_UNUSED;

/// A new type, enabled unless `disabled`; its id (32 upper-case hex characters, as Inspur ids
/// are).
pub async fn create(
    state: &AppState,
    ctx: &Context,
    fields: AppTypeFields,
    disabled: bool,
) -> Result<String, ServiceError> {
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let command = AppTypeCommand::Create {
        id: id.clone(),
        fields,
        disabled,
        now: state.now(),
    };
    state
        .bus
        .execute::<AppType, _>(ctx, &id, |t| t.decide(command.clone(), &()))
        .await?;
    Ok(id)
}

/// Runs a command on an existing type.
pub async fn change(
    state: &AppState,
    ctx: &Context,
    id: &str,
    command: AppTypeCommand,
) -> Result<(), ServiceError> {
    state
        .bus
        .execute::<AppType, _>(ctx, id, |t| t.decide(command.clone(), &()))
        .await?;
    Ok(())
}

/// Soft-deletes a type (spec §2.8 ATYPE-02): its code and name are free again. Refused while
/// an application names it by code or name (checked again inside the transaction).
pub async fn delete(state: &AppState, ctx: &Context, id: &str) -> Result<(), ServiceError> {
    let guards: Vec<Arc<dyn Guard>> =
        match projections::app_types::get(state.pool(), &ctx.tenant_id, id).await? {
            Some(row) => vec![Arc::new(projections::guards::app_type_unused(
                row.code, row.name,
            ))],
            None => Vec::new(),
        };
    delete_guarded(state, ctx, id, guards).await
}

/// Like [`delete`], with further guards the caller adds; a failed guard named
/// [`APP_TYPE_UNUSED`] answers [`AppTypeError::InUse`].
pub async fn delete_guarded(
    state: &AppState,
    ctx: &Context,
    id: &str,
    guards: Vec<Arc<dyn Guard>>,
) -> Result<(), ServiceError> {
    let command = AppTypeCommand::Delete { now: state.now() };
    state
        .bus
        .execute_guarded::<AppType, _>(ctx, id, guards, |t| t.decide(command.clone(), &()))
        .await
        .map_err(|e| match e {
            BusError::GuardFailed(APP_TYPE_UNUSED) => AppTypeError::InUse.into(),
            other => ServiceError::from(other),
        })?;
    Ok(())
}
