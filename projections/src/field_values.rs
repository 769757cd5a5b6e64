//! Extended-field values (Inspur §2.5): one row per value, with the owning entity.

use domain::field_values::{FieldValues, FieldValuesEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct FieldValuesProjection;

pub const TABLES: &[&str] = &["proj_field_values"];

impl Projector for FieldValuesProjection {
    fn name(&self) -> &'static str {
        "field_values"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != FieldValues::STREAM_TYPE {
                return Ok(());
            }
            let tenant = &event.tenant_id;
            let entity = &event.stream_id;
            match typed::<FieldValuesEvent>(event)? {
                FieldValuesEvent::Set { values, .. } => {
                    for v in values {
                        sqlx::query(
                            "DELETE FROM proj_field_values WHERE tenant_id = $1 AND value_id = $2",
                        )
                        .bind(tenant)
                        .bind(&v.value_id)
                        .execute(&mut *conn)
                        .await?;
                        sqlx::query(
                            "INSERT INTO proj_field_values (tenant_id, value_id, entity_id, field_id, \
                             class, field_type, value) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        )
                        .bind(tenant)
                        .bind(v.value_id)
                        .bind(entity)
                        .bind(v.field_id)
                        .bind(i64::from(v.class))
                        .bind(i64::from(v.field_type))
                        .bind(v.value)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                FieldValuesEvent::Cleared { .. } => {
                    sqlx::query(
                        "DELETE FROM proj_field_values WHERE tenant_id = $1 AND entity_id = $2",
                    )
                    .bind(tenant)
                    .bind(entity)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    pub value_id: String,
    pub entity_id: String,
    pub field_id: String,
    /// The field's current name (`None` once the field is deleted).
    pub field_name: Option<String>,
    pub class: i64,
    pub field_type: i64,
    pub value: String,
}

const COLUMNS: &str = "v.value_id, v.entity_id, v.field_id, f.name AS field_name, v.class, \
     v.field_type, v.value";
const FROM: &str = "proj_field_values v LEFT JOIN proj_extended_fields f \
     ON f.tenant_id = v.tenant_id AND f.field_id = v.field_id";

fn row(r: &AnyRow) -> anyhow::Result<ValueRow> {
    Ok(ValueRow {
        value_id: r.try_get("value_id")?,
        entity_id: r.try_get("entity_id")?,
        field_id: r.try_get("field_id")?,
        field_name: r.try_get("field_name")?,
        class: r.try_get("class")?,
        field_type: r.try_get("field_type")?,
        value: r.try_get("value")?,
    })
}

/// The values of an entity whose field still exists, by field name.
pub async fn of_entity(
    pool: &AnyPool,
    tenant: &str,
    entity_id: &str,
) -> anyhow::Result<Vec<ValueRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE v.tenant_id = $1 AND v.entity_id = $2 \
         AND f.field_id IS NOT NULL ORDER BY f.name, v.value_id"
    ))
    .bind(tenant)
    .bind(entity_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(row).collect()
}

pub async fn by_id(
    pool: &AnyPool,
    tenant: &str,
    value_id: &str,
) -> anyhow::Result<Option<ValueRow>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE v.tenant_id = $1 AND v.value_id = $2"
    ))
    .bind(tenant)
    .bind(value_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(row).transpose()
}

/// Whether any entity has this value for the field.
pub async fn value_taken(
    pool: &AnyPool,
    tenant: &str,
    field_id: &str,
    value: &str,
) -> anyhow::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT value_id FROM proj_field_values WHERE tenant_id = $1 AND field_id = $2 AND value = $3 LIMIT 1",
    )
    .bind(tenant)
    .bind(field_id)
    .bind(value)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
