//! Application types (Inspur §2.8): one row per type. A deleted type keeps its row with
//! `deleted = 1` (a soft delete); every query here but [`deleted`] reads live types only, and so
//! must any other reader of `proj_app_types`.

use domain::app_type::{AppType, AppTypeEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;
use crate::support::{flag, typed};

pub struct AppTypesProjection;

pub const TABLES: &[&str] = &["proj_app_types"];

impl Projector for AppTypesProjection {
    fn name(&self) -> &'static str {
        "app_types"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != AppType::STREAM_TYPE {
                return Ok(());
            }
            let tenant = &event.tenant_id;
            match typed::<AppTypeEvent>(event)? {
                AppTypeEvent::Created {
                    id,
                    fields,
                    disabled,
                    at,
                } => {
                    sqlx::query(
                        "INSERT INTO proj_app_types (tenant_id, type_id, code, name, description, \
                         disabled, deleted, creator, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8)",
                    )
                    .bind(tenant)
                    .bind(id)
                    .bind(fields.code)
                    .bind(fields.name)
                    .bind(fields.description)
                    .bind(flag(disabled))
                    .bind(event.metadata.actor_id.clone())
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                }
                AppTypeEvent::Updated { id, fields, at } => {
                    sqlx::query(
                        "UPDATE proj_app_types SET code = $1, name = $2, description = $3, \
                         updated_at = $4 WHERE tenant_id = $5 AND type_id = $6",
                    )
                    .bind(fields.code)
                    .bind(fields.name)
                    .bind(fields.description)
                    .bind(at)
                    .bind(tenant)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                AppTypeEvent::StatusChanged { id, disabled, at } => {
                    sqlx::query(
                        "UPDATE proj_app_types SET disabled = $1, updated_at = $2 \
                         WHERE tenant_id = $3 AND type_id = $4",
                    )
                    .bind(flag(disabled))
                    .bind(at)
                    .bind(tenant)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                AppTypeEvent::Deleted { id, at } => {
                    sqlx::query(
                        "UPDATE proj_app_types SET deleted = 1, updated_at = $1 \
                         WHERE tenant_id = $2 AND type_id = $3",
                    )
                    .bind(at)
                    .bind(tenant)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppTypeRow {
    pub type_id: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub disabled: bool,
    pub deleted: bool,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "type_id, code, name, description, disabled, deleted, creator, created_at, updated_at";

fn row(r: &AnyRow) -> anyhow::Result<AppTypeRow> {
    Ok(AppTypeRow {
        type_id: r.try_get("type_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        deleted: r.try_get::<i64, _>("deleted")? != 0,
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

async fn one(
    pool: &AnyPool,
    tenant: &str,
    type_id: &str,
    deleted: bool,
) -> anyhow::Result<Option<AppTypeRow>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_app_types WHERE tenant_id = $1 AND type_id = $2 AND deleted = $3"
    ))
    .bind(tenant)
    .bind(type_id)
    .bind(flag(deleted))
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(row).transpose()
}

/// The live type with this id.
pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    type_id: &str,
) -> anyhow::Result<Option<AppTypeRow>> {
    one(pool, tenant, type_id, false).await
}

/// The type with this id once it is deleted (what a delete answers).
pub async fn deleted(
    pool: &AnyPool,
    tenant: &str,
    type_id: &str,
) -> anyhow::Result<Option<AppTypeRow>> {
    one(pool, tenant, type_id, true).await
}

/// The live types with this code (at most one).
pub async fn by_code(pool: &AnyPool, tenant: &str, code: &str) -> anyhow::Result<Vec<AppTypeRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_app_types WHERE tenant_id = $1 AND code = $2 AND deleted = 0 \
         ORDER BY created_at, type_id"
    ))
    .bind(tenant)
    .bind(code)
    .fetch_all(pool)
    .await?;
    rows.iter().map(row).collect()
}

/// Which live types a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// Every live type, newest first (the page, ATYPE-01).
    All,
    /// The enabled ones, oldest first (the dropdown, ATYPE-03).
    Enabled,
}

/// A page of the live types whose name contains `name_like`.
pub async fn page(
    pool: &AnyPool,
    tenant: &str,
    listed: Listed,
    name_like: Option<&str>,
    request: PageRequest,
) -> anyhow::Result<Page<AppTypeRow>> {
    let mut filter = String::from("tenant_id = $1 AND deleted = 0");
    let mut listing = Listing::of("proj_app_types", COLUMNS).bind(tenant);
    if listed == Listed::Enabled {
        filter.push_str(" AND disabled = 0");
    }
    if let Some(name) = name_like {
        listing = listing.bind(contains(name));
        filter.push_str(" AND name LIKE $2 ESCAPE '\\'");
    }
    let order = match listed {
        Listed::All => "created_at DESC",
        Listed::Enabled => "created_at",
    };
    listing
        .filter(filter)
        .order_by(order, "type_id")
        .fetch(pool, request, row)
        .await
}

/// Whether a live type has this code (`by_code`) or name.
pub async fn taken(
    pool: &AnyPool,
    tenant: &str,
    by_code: bool,
    value: &str,
) -> anyhow::Result<bool> {
    let column = if by_code { "code" } else { "name" };
    let found: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT type_id FROM proj_app_types WHERE tenant_id = $1 AND {column} = $2 \
         AND deleted = 0 LIMIT 1"
    ))
    .bind(tenant)
    .bind(value)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
