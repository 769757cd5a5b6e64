//! Extended fields and their dropdown options (Inspur §2.3–§2.4).

use domain::extended_field::{ExtendedField, ExtendedFieldEvent, FieldDefinition};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;
use crate::support::{flag, typed};

pub struct ExtendedFieldsProjection;

pub const TABLES: &[&str] = &["proj_dropdown_options", "proj_extended_fields"];

async fn write_definition(
    conn: &mut AnyConnection,
    tenant: &str,
    id: &str,
    d: &FieldDefinition,
    at: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE proj_extended_fields SET name = $1, label = $2, required = $3, editable = $4, \
         is_unique = $5, enabled = $6, description = $7, updated_at = $8 \
         WHERE tenant_id = $9 AND field_id = $10",
    )
    .bind(d.name.clone())
    .bind(d.label.clone())
    .bind(flag(d.required))
    .bind(flag(d.editable))
    .bind(flag(d.unique))
    .bind(flag(d.enabled))
    .bind(d.description.clone())
    .bind(at)
    .bind(tenant)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Projector for ExtendedFieldsProjection {
    fn name(&self) -> &'static str {
        "extended_fields"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != ExtendedField::STREAM_TYPE {
                return Ok(());
            }
            let tenant = &event.tenant_id;
            match typed::<ExtendedFieldEvent>(event)? {
                ExtendedFieldEvent::Created { id, definition, at } => {
                    sqlx::query(
                        "INSERT INTO proj_extended_fields (tenant_id, field_id, name, label, class, \
                         field_type, required, editable, is_unique, enabled, description, creator, \
                         created_at, updated_at) VALUES ($1, $2, '', '', $3, $4, 0, 0, 0, 0, NULL, $5, $6, $6)",
                    )
                    .bind(tenant)
                    .bind(&id)
                    .bind(i64::from(definition.class))
                    .bind(i64::from(definition.field_type))
                    .bind(event.metadata.actor_id.clone())
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                    write_definition(conn, tenant, &id, &definition, at).await?;
                }
                ExtendedFieldEvent::Updated { id, definition, at } => {
                    write_definition(conn, tenant, &id, &definition, at).await?;
                }
                ExtendedFieldEvent::Deleted { id, .. } => {
                    for table in TABLES {
                        sqlx::query(&format!(
                            "DELETE FROM {table} WHERE tenant_id = $1 AND field_id = $2"
                        ))
                        .bind(tenant)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                ExtendedFieldEvent::OptionAdded {
                    id,
                    option_id,
                    option,
                    ..
                } => {
                    sqlx::query(
                        "INSERT INTO proj_dropdown_options (tenant_id, option_id, field_id, label, \
                         value, enabled, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(tenant)
                    .bind(option_id)
                    .bind(id)
                    .bind(option.label)
                    .bind(option.value)
                    .bind(flag(option.enabled))
                    .bind(event.position)
                    .execute(&mut *conn)
                    .await?;
                }
                ExtendedFieldEvent::OptionChanged {
                    option_id, option, ..
                } => {
                    sqlx::query(
                        "UPDATE proj_dropdown_options SET label = $1, value = $2, enabled = $3 \
                         WHERE tenant_id = $4 AND option_id = $5",
                    )
                    .bind(option.label)
                    .bind(option.value)
                    .bind(flag(option.enabled))
                    .bind(tenant)
                    .bind(option_id)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldRow {
    pub field_id: String,
    pub definition: FieldDefinition,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "field_id, name, label, class, field_type, required, editable, is_unique, \
     enabled, description, creator, created_at, updated_at";

fn field(r: &AnyRow) -> anyhow::Result<FieldRow> {
    let yes = |column: &str| -> anyhow::Result<bool> { Ok(r.try_get::<i64, _>(column)? != 0) };
    Ok(FieldRow {
        field_id: r.try_get("field_id")?,
        definition: FieldDefinition {
            name: r.try_get("name")?,
            label: r.try_get("label")?,
            class: u8::try_from(r.try_get::<i64, _>("class")?)?,
            field_type: u8::try_from(r.try_get::<i64, _>("field_type")?)?,
            required: yes("required")?,
            editable: yes("editable")?,
            unique: yes("is_unique")?,
            enabled: yes("enabled")?,
            description: r.try_get("description")?,
        },
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn get(pool: &AnyPool, tenant: &str, field_id: &str) -> anyhow::Result<Option<FieldRow>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_extended_fields WHERE tenant_id = $1 AND field_id = $2"
    ))
    .bind(tenant)
    .bind(field_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(field).transpose()
}

/// Which fields to list.
#[derive(Default)]
pub struct FieldFilter<'a> {
    pub class: Option<i64>,
    pub name_like: Option<&'a str>,
    pub enabled_only: bool,
}

/// A page of fields, in creation order.
pub async fn page(
    pool: &AnyPool,
    tenant: &str,
    filter: FieldFilter<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<FieldRow>> {
    let mut listing = Listing::of("proj_extended_fields", COLUMNS).bind(tenant);
    let mut condition = "tenant_id = $1".to_string();
    let mut next = 2;
    if let Some(class) = filter.class {
        listing = listing.bind(class);
        condition.push_str(&format!(" AND class = ${next}"));
        next += 1;
    }
    if let Some(name) = filter.name_like {
        listing = listing.bind(contains(name));
        condition.push_str(&format!(" AND name LIKE ${next} ESCAPE '\\'"));
    }
    if filter.enabled_only {
        condition.push_str(" AND enabled = 1");
    }
    listing
        .filter(condition)
        .order_by("created_at", "field_id")
        .fetch(pool, request, field)
        .await
}

/// Whether a field of the class has this name.
pub async fn name_taken(
    pool: &AnyPool,
    tenant: &str,
    class: i64,
    name: &str,
) -> anyhow::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT field_id FROM proj_extended_fields WHERE tenant_id = $1 AND class = $2 AND name = $3",
    )
    .bind(tenant)
    .bind(class)
    .bind(name)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

#[derive(Debug, Clone, PartialEq)]
pub struct OptionRow {
    pub option_id: String,
    pub field_id: String,
    pub field_name: String,
    pub label: String,
    pub value: String,
    pub enabled: bool,
}

const OPTION_COLUMNS: &str =
    "o.option_id, o.field_id, f.name AS field_name, o.label, o.value, o.enabled";

fn option(r: &AnyRow) -> anyhow::Result<OptionRow> {
    Ok(OptionRow {
        option_id: r.try_get("option_id")?,
        field_id: r.try_get("field_id")?,
        field_name: r.try_get("field_name")?,
        label: r.try_get("label")?,
        value: r.try_get("value")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
    })
}

const OPTIONS_FROM: &str = "proj_dropdown_options o JOIN proj_extended_fields f \
     ON f.tenant_id = o.tenant_id AND f.field_id = o.field_id";

/// Every option of a field, in the order they were added.
pub async fn options(
    pool: &AnyPool,
    tenant: &str,
    field_id: &str,
) -> anyhow::Result<Vec<OptionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {OPTION_COLUMNS} FROM {OPTIONS_FROM} WHERE o.tenant_id = $1 AND o.field_id = $2 \
         ORDER BY o.position, o.option_id"
    ))
    .bind(tenant)
    .bind(field_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(option).collect()
}

/// One option, by id.
pub async fn option_by_id(
    pool: &AnyPool,
    tenant: &str,
    option_id: &str,
) -> anyhow::Result<Option<OptionRow>> {
    let found = sqlx::query(&format!(
        "SELECT {OPTION_COLUMNS} FROM {OPTIONS_FROM} WHERE o.tenant_id = $1 AND o.option_id = $2"
    ))
    .bind(tenant)
    .bind(option_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(option).transpose()
}
