//! User (account) types (Inspur §2.9): one row per live type.

use domain::user_type::{UserType, UserTypeEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;
use crate::support::{flag, typed};

pub struct UserTypesProjection;

pub const TABLES: &[&str] = &["proj_user_types"];

impl Projector for UserTypesProjection {
    fn name(&self) -> &'static str {
        "user_types"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != UserType::STREAM_TYPE {
                return Ok(());
            }
            let tenant = &event.tenant_id;
            match typed::<UserTypeEvent>(event)? {
                UserTypeEvent::Created { id, fields, at } => {
                    sqlx::query(
                        "INSERT INTO proj_user_types (tenant_id, type_id, code, name, description, \
                         sort_order, disabled, creator, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8)",
                    )
                    .bind(tenant)
                    .bind(id)
                    .bind(fields.code)
                    .bind(fields.name)
                    .bind(fields.description)
                    .bind(fields.order)
                    .bind(event.metadata.actor_id.clone())
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                }
                UserTypeEvent::Updated { id, fields, at } => {
                    sqlx::query(
                        "UPDATE proj_user_types SET code = $1, name = $2, description = $3, \
                         sort_order = $4, updated_at = $5 WHERE tenant_id = $6 AND type_id = $7",
                    )
                    .bind(fields.code)
                    .bind(fields.name)
                    .bind(fields.description)
                    .bind(fields.order)
                    .bind(at)
                    .bind(tenant)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                UserTypeEvent::StatusChanged { id, disabled, at } => {
                    sqlx::query(
                        "UPDATE proj_user_types SET disabled = $1, updated_at = $2 \
                         WHERE tenant_id = $3 AND type_id = $4",
                    )
                    .bind(flag(disabled))
                    .bind(at)
                    .bind(tenant)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                UserTypeEvent::Deleted { id, .. } => {
                    sqlx::query(
                        "DELETE FROM proj_user_types WHERE tenant_id = $1 AND type_id = $2",
                    )
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
pub struct UserTypeRow {
    pub type_id: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub order: Option<i64>,
    pub disabled: bool,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "type_id, code, name, description, sort_order, disabled, creator, created_at, updated_at";

fn row(r: &AnyRow) -> anyhow::Result<UserTypeRow> {
    Ok(UserTypeRow {
        type_id: r.try_get("type_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        order: r.try_get("sort_order")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    type_id: &str,
) -> anyhow::Result<Option<UserTypeRow>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_user_types WHERE tenant_id = $1 AND type_id = $2"
    ))
    .bind(tenant)
    .bind(type_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(row).transpose()
}

/// The type with this id, else the one with this code (an import names either).
pub async fn by_id_or_code(
    pool: &AnyPool,
    tenant: &str,
    id_or_code: &str,
) -> anyhow::Result<Option<UserTypeRow>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_user_types WHERE tenant_id = $1 AND (type_id = $2 OR code = $2) \
         ORDER BY CASE WHEN type_id = $2 THEN 0 ELSE 1 END LIMIT 1"
    ))
    .bind(tenant)
    .bind(id_or_code)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(row).transpose()
}

/// A page of the types whose name contains `name_like`, in display order.
pub async fn page(
    pool: &AnyPool,
    tenant: &str,
    name_like: Option<&str>,
    request: PageRequest,
) -> anyhow::Result<Page<UserTypeRow>> {
    let mut listing = Listing::of("proj_user_types", COLUMNS).bind(tenant);
    let filter = match name_like {
        Some(name) => {
            listing = listing.bind(contains(name));
            "tenant_id = $1 AND name LIKE $2 ESCAPE '\\'"
        }
        None => "tenant_id = $1",
    };
    listing
        .filter(filter)
        .order_by("COALESCE(sort_order, 2147483647), created_at", "type_id")
        .fetch(pool, request, row)
        .await
}

/// Whether a type other than `except` has this code or name.
pub async fn taken(
    pool: &AnyPool,
    tenant: &str,
    by_code: bool,
    value: &str,
    except: Option<&str>,
) -> anyhow::Result<bool> {
    let column = if by_code { "code" } else { "name" };
    let found: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT type_id FROM proj_user_types WHERE tenant_id = $1 AND {column} = $2 \
         AND type_id <> $3 LIMIT 1"
    ))
    .bind(tenant)
    .bind(value)
    .bind(except.unwrap_or(""))
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
