//! Dictionaries and their items (Inspur §2.13–§2.14): create and change a dictionary, add an
//! item to an existing one. Each answers the row as the read side now holds it, since every
//! call of the API answers the whole object.

use std::sync::Arc;

use domain::dictionary::{
    Dictionary, DictionaryCommand, DictionaryError, DictionaryFields, DictionaryItem,
    DictionaryItemCommand, DictionaryItemFields,
};
use domain::Aggregate;
use projections::dictionaries::{self as read, DictExists, DictionaryItemRow, DictionaryRow};
use store::{BusError, Context};

use crate::state::AppState;
use crate::ServiceError;

/// A new id: 32 upper-case hex characters, as Inspur ids are.
fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string().to_uppercase()
}

async fn dictionary(
    state: &AppState,
    ctx: &Context,
    id: &str,
) -> Result<DictionaryRow, ServiceError> {
    read::get(state.pool(), &ctx.tenant_id, id)
        .await?
        .ok_or_else(|| DictionaryError::NotFound.into())
}

/// A new dictionary.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id))]
pub async fn create(
    state: &AppState,
    ctx: &Context,
    fields: DictionaryFields,
) -> Result<DictionaryRow, ServiceError> {
    let id = new_id();
    let command = DictionaryCommand::Create {
        id: id.clone(),
        fields,
        now: state.now(),
    };
    state
        .bus
        .execute::<Dictionary, _>(ctx, &id, |d| d.decide(command.clone(), &()))
        .await?;
    dictionary(state, ctx, &id).await
}

/// Changes what the command names of an existing dictionary.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, dict = %id))]
pub async fn change(
    state: &AppState,
    ctx: &Context,
    id: &str,
    command: DictionaryCommand,
) -> Result<DictionaryRow, ServiceError> {
    state
        .bus
        .execute::<Dictionary, _>(ctx, id, |d| d.decide(command.clone(), &()))
        .await?;
    dictionary(state, ctx, id).await
}

/// A new item of an existing dictionary: the dictionary is looked up first (a clear refusal)
/// and checked again inside the append transaction.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, dict = %dict_id))]
pub async fn add_item(
    state: &AppState,
    ctx: &Context,
    dict_id: &str,
    fields: DictionaryItemFields,
) -> Result<DictionaryItemRow, ServiceError> {
    if read::get(state.pool(), &ctx.tenant_id, dict_id)
        .await?
        .is_none()
    {
        return Err(DictionaryError::NoDictionary.into());
    }
    let id = new_id();
    let command = DictionaryItemCommand::Create {
        id: id.clone(),
        dict_id: dict_id.to_string(),
        fields,
        now: state.now(),
    };
    let guards: Vec<Arc<dyn store::store::Guard>> = vec![Arc::new(DictExists(dict_id.into()))];
    state
        .bus
        .execute_guarded::<DictionaryItem, _>(ctx, &id, guards, |i| i.decide(command.clone(), &()))
        .await
        .map_err(|e| match e {
            BusError::GuardFailed(read::DICT_EXISTS) => DictionaryError::NoDictionary.into(),
            other => ServiceError::from(other),
        })?;
    read::get_item(state.pool(), &ctx.tenant_id, &id)
        .await?
        .ok_or_else(|| DictionaryError::ItemNotFound.into())
}
