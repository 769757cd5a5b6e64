//! Extended-field values (Inspur §2.5): set, changed and cleared per user, group or
//! organisation, checked against the field's definition — its class and type, its enabled
//! dropdown options, whether it may be edited and whether its values are unique.

use std::collections::BTreeMap;

use domain::field_values::{FieldValue, FieldValues, FieldValuesCommand};
use domain::Aggregate;
use store::Context;

use crate::state::AppState;
use crate::ServiceError;

/// A value to set.
#[derive(Debug, Clone)]
pub struct NewValue {
    pub entity_id: String,
    pub class: u8,
    pub field_id: String,
    pub field_type: u8,
    pub value: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ValueRefused {
    #[error("extended field does not exist")]
    NoField,
    #[error("fieldClassification and fieldType must be the field's")]
    KindMismatch,
    #[error("the value is not an enabled option of the field")]
    NotAnOption,
    #[error("no user, group or organisation has this id")]
    NoEntity,
    #[error("field value does not exist")]
    NoValue,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<anyhow::Error> for ValueRefused {
    fn from(error: anyhow::Error) -> Self {
        Self::Service(error.into())
    }
}

async fn entity_exists(
    state: &AppState,
    tenant: &str,
    class: u8,
    id: &str,
) -> anyhow::Result<bool> {
    let pool = state.pool();
    Ok(match class {
        0 => projections::users::get(pool, tenant, id).await?.is_some(),
        1 => projections::groups::get(pool, tenant, id).await?.is_some(),
        _ => projections::organizations::get(pool, tenant, id)
            .await?
            .is_some(),
    })
}

/// The value as the field allows it, or why not.
async fn checked(
    state: &AppState,
    tenant: &str,
    new: NewValue,
) -> Result<FieldValue, ValueRefused> {
    let field = projections::extended_fields::get(state.pool(), tenant, &new.field_id)
        .await?
        .ok_or(ValueRefused::NoField)?;
    let d = &field.definition;
    if d.class != new.class || d.field_type != new.field_type {
        return Err(ValueRefused::KindMismatch);
    }
    if d.field_type == 0 {
        let options =
            projections::extended_fields::options(state.pool(), tenant, &new.field_id).await?;
        if !options.iter().any(|o| o.enabled && o.value == new.value) {
            return Err(ValueRefused::NotAnOption);
        }
    }
    if !entity_exists(state, tenant, new.class, &new.entity_id).await? {
        return Err(ValueRefused::NoEntity);
    }
    Ok(FieldValue {
        value_id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
        field_id: new.field_id,
        class: new.class,
        field_type: new.field_type,
        value: new.value,
        unique: d.unique,
    })
}

/// Sets values (one per entity and field; a second replaces the first and keeps its id); the
/// ids of the values, in the order given.
pub async fn set(
    state: &AppState,
    ctx: &Context,
    values: Vec<NewValue>,
) -> Result<Vec<(String, String)>, ValueRefused> {
    let mut by_entity: BTreeMap<String, Vec<FieldValue>> = BTreeMap::new();
    let mut order = Vec::new();
    for new in values {
        let entity = new.entity_id.clone();
        let value = checked(state, &ctx.tenant_id, new).await?;
        order.push((entity.clone(), value.field_id.clone()));
        by_entity.entry(entity).or_default().push(value);
    }
    for (entity, values) in by_entity {
        let command = FieldValuesCommand::Set {
            entity_id: entity.clone(),
            values,
            now: state.now(),
        };
        state
            .bus
            .execute::<FieldValues, _>(ctx, &entity, |v| v.decide(command.clone(), &()))
            .await
            .map_err(ServiceError::from)?;
    }
    Ok(order)
}

/// Changes one value by its id.
pub async fn change(
    state: &AppState,
    ctx: &Context,
    value_id: &str,
    value: String,
) -> Result<(), ValueRefused> {
    let tenant = &ctx.tenant_id;
    let row = projections::field_values::by_id(state.pool(), tenant, value_id)
        .await?
        .ok_or(ValueRefused::NoValue)?;
    let field = projections::extended_fields::get(state.pool(), tenant, &row.field_id)
        .await?
        .ok_or(ValueRefused::NoField)?;
    if field.definition.field_type == 0 {
        let options =
            projections::extended_fields::options(state.pool(), tenant, &row.field_id).await?;
        if !options.iter().any(|o| o.enabled && o.value == value) {
            return Err(ValueRefused::NotAnOption);
        }
    }
    let command = FieldValuesCommand::Change {
        value_id: value_id.to_string(),
        value,
        editable: field.definition.editable,
        now: state.now(),
    };
    state
        .bus
        .execute::<FieldValues, _>(ctx, &row.entity_id, |v| v.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(())
}

/// Removes every value of an entity.
pub async fn clear(state: &AppState, ctx: &Context, entity_id: &str) -> Result<(), ValueRefused> {
    let command = FieldValuesCommand::Clear { now: state.now() };
    state
        .bus
        .execute::<FieldValues, _>(ctx, entity_id, |v| v.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(())
}
