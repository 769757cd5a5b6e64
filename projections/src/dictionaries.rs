//! Dictionaries and their items (Inspur §2.13–§2.14): one row per dictionary, one per item.
//! Also the guard an item's creation takes: its dictionary exists inside the append transaction.

use domain::dictionary::{Dictionary, DictionaryEvent, DictionaryItem, DictionaryItemEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::store::Guard;
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;
use crate::support::{flag, typed};

pub struct DictionariesProjection;

pub const TABLES: &[&str] = &["proj_dict_items", "proj_dicts"];

async fn apply_dictionary(conn: &mut AnyConnection, event: &RecordedEvent) -> anyhow::Result<()> {
    let tenant = &event.tenant_id;
    match typed::<DictionaryEvent>(event)? {
        DictionaryEvent::Created { id, fields, at } => {
            sqlx::query(
                "INSERT INTO proj_dicts (tenant_id, dict_id, code, name, description, sort_order, \
                 enabled, creator, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(tenant)
            .bind(id)
            .bind(fields.code)
            .bind(fields.name)
            .bind(fields.description)
            .bind(fields.order)
            .bind(flag(fields.enabled))
            .bind(event.metadata.actor_id.clone())
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        DictionaryEvent::Updated { id, fields, at } => {
            sqlx::query(
                "UPDATE proj_dicts SET code = $1, name = $2, description = $3, sort_order = $4, \
                 enabled = $5, updated_at = $6 WHERE tenant_id = $7 AND dict_id = $8",
            )
            .bind(fields.code)
            .bind(fields.name)
            .bind(fields.description)
            .bind(fields.order)
            .bind(flag(fields.enabled))
            .bind(at)
            .bind(tenant)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn apply_item(conn: &mut AnyConnection, event: &RecordedEvent) -> anyhow::Result<()> {
    match typed::<DictionaryItemEvent>(event)? {
        DictionaryItemEvent::Created {
            id,
            dict_id,
            fields,
            at,
        } => {
            sqlx::query(
                "INSERT INTO proj_dict_items (tenant_id, item_id, dict_id, tag, value, \
                 description, sort_order, enabled, creator, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
            )
            .bind(&event.tenant_id)
            .bind(id)
            .bind(dict_id)
            .bind(fields.tag)
            .bind(fields.value)
            .bind(fields.description)
            .bind(fields.order)
            .bind(flag(fields.enabled))
            .bind(event.metadata.actor_id.clone())
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

impl Projector for DictionariesProjection {
    fn name(&self) -> &'static str {
        "dictionaries"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            match event.stream_type.as_str() {
                Dictionary::STREAM_TYPE => apply_dictionary(conn, event).await,
                DictionaryItem::STREAM_TYPE => apply_item(conn, event).await,
                _ => Ok(()),
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DictionaryRow {
    pub dict_id: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub order: Option<i64>,
    pub enabled: bool,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DictionaryItemRow {
    pub item_id: String,
    pub dict_id: String,
    pub tag: String,
    pub value: String,
    pub description: Option<String>,
    pub order: Option<i64>,
    pub enabled: bool,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "dict_id, code, name, description, sort_order, enabled, creator, created_at, updated_at";

const ITEM_COLUMNS: &str = "item_id, dict_id, tag, value, description, sort_order, enabled, \
     creator, created_at, updated_at";

fn dictionary(r: &AnyRow) -> anyhow::Result<DictionaryRow> {
    Ok(DictionaryRow {
        dict_id: r.try_get("dict_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        order: r.try_get("sort_order")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn item(r: &AnyRow) -> anyhow::Result<DictionaryItemRow> {
    Ok(DictionaryItemRow {
        item_id: r.try_get("item_id")?,
        dict_id: r.try_get("dict_id")?,
        tag: r.try_get("tag")?,
        value: r.try_get("value")?,
        description: r.try_get("description")?,
        order: r.try_get("sort_order")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    dict_id: &str,
) -> anyhow::Result<Option<DictionaryRow>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_dicts WHERE tenant_id = $1 AND dict_id = $2"
    ))
    .bind(tenant)
    .bind(dict_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(dictionary).transpose()
}

pub async fn get_item(
    pool: &AnyPool,
    tenant: &str,
    item_id: &str,
) -> anyhow::Result<Option<DictionaryItemRow>> {
    let found = sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM proj_dict_items WHERE tenant_id = $1 AND item_id = $2"
    ))
    .bind(tenant)
    .bind(item_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(item).transpose()
}

/// A dictionary's items, by order (unordered last), then tag.
pub async fn items(
    pool: &AnyPool,
    tenant: &str,
    dict_id: &str,
) -> anyhow::Result<Vec<DictionaryItemRow>> {
    sqlx::query(&format!(
        "SELECT {ITEM_COLUMNS} FROM proj_dict_items WHERE tenant_id = $1 AND dict_id = $2 \
         ORDER BY COALESCE(sort_order, 9223372036854775807), tag, item_id"
    ))
    .bind(tenant)
    .bind(dict_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(item)
    .collect()
}

/// What the dictionary page filters on: parts of names and codes.
#[derive(Debug, Clone, Default)]
pub struct DictionaryFilter<'a> {
    pub name_like: Option<&'a str>,
    pub code_like: Option<&'a str>,
}

/// A page of the dictionaries, the most recently changed first.
pub async fn page(
    pool: &AnyPool,
    tenant: &str,
    filter: DictionaryFilter<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<DictionaryRow>> {
    let mut listing = Listing::of("proj_dicts", COLUMNS).bind(tenant);
    let mut condition = "tenant_id = $1".to_string();
    let mut next = 2;
    for (column, part) in [("name", filter.name_like), ("code", filter.code_like)] {
        if let Some(part) = part {
            listing = listing.bind(contains(part));
            condition.push_str(&format!(" AND {column} LIKE ${next} ESCAPE '\\'"));
            next += 1;
        }
    }
    listing
        .filter(condition)
        .order_by("updated_at DESC", "dict_id")
        .fetch(pool, request, dictionary)
        .await
}

/// What a verify endpoint asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    DictCode,
    DictName,
    ItemTag,
    ItemValue,
}

/// Whether the value is held: by a dictionary of the tenant, or by an item of any of its
/// dictionaries (of `dict_id` only, when given).
pub async fn taken(
    pool: &AnyPool,
    tenant: &str,
    what: Unique,
    value: &str,
    dict_id: Option<&str>,
) -> anyhow::Result<bool> {
    let (table, column) = match what {
        Unique::DictCode => ("proj_dicts", "code"),
        Unique::DictName => ("proj_dicts", "name"),
        Unique::ItemTag => ("proj_dict_items", "tag"),
        Unique::ItemValue => ("proj_dict_items", "value"),
    };
    let mut sql = format!("SELECT tenant_id FROM {table} WHERE tenant_id = $1 AND {column} = $2");
    let scope = dict_id.filter(|_| table == "proj_dict_items");
    if scope.is_some() {
        sql.push_str(" AND dict_id = $3");
    }
    sql.push_str(" LIMIT 1");
    let mut query = sqlx::query_as::<_, (String,)>(&sql)
        .bind(tenant)
        .bind(value);
    if let Some(scope) = scope {
        query = query.bind(scope);
    }
    Ok(query.fetch_optional(pool).await?.is_some())
}

pub const DICT_EXISTS: &str = "dict.exists";

/// The dictionary an item is added to exists (checked again inside the append transaction).
#[derive(Debug)]
pub struct DictExists(pub String);

impl Guard for DictExists {
    fn name(&self) -> &'static str {
        DICT_EXISTS
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT tenant_id FROM proj_dicts WHERE tenant_id = $1 AND dict_id = $2",
            )
            .bind(tenant)
            .bind(&self.0)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(row.is_some())
        })
    }
}
