//! Organisations as the Inspur dialect reads them (specs/inspur-idaas.md §2.1): the
//! organisations projection with the details only some dialects keep (external id, order,
//! description, disabled, creator) and whether an organisation has children. Same rows as
//! `organizations`; another view of them.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;

#[derive(Debug, Clone, PartialEq)]
pub struct Organ {
    pub org_id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// `/` + ancestor ids + own id + `/`.
    pub id_path: String,
    pub external_id: Option<String>,
    pub order: Option<i64>,
    pub description: Option<String>,
    pub disabled: bool,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub has_children: bool,
    /// The government profile (Hainan).
    pub gov: domain::gov_profile::GovProfile,
    /// The names from the root down, `/`-joined.
    pub name_path: Option<String>,
}

pub(crate) const COLUMNS: &str =
    "o.org_id, o.org_code, o.name, o.parent_id, o.path, o.external_id, \
     o.sort_order, o.description, o.disabled, o.creator, o.created_at, o.updated_at, \
     o.gov, o.name_path, \
     EXISTS (SELECT 1 FROM proj_organizations c WHERE c.tenant_id = o.tenant_id \
     AND c.parent_id = o.org_id) AS has_children";

pub(crate) const TABLE: &str = "proj_organizations o";

pub(crate) fn organ(row: &AnyRow) -> anyhow::Result<Organ> {
    Ok(Organ {
        org_id: row.try_get("org_id")?,
        code: row.try_get("org_code")?,
        name: row.try_get("name")?,
        parent_id: row.try_get("parent_id")?,
        id_path: row.try_get("path")?,
        external_id: row.try_get("external_id")?,
        order: row.try_get("sort_order")?,
        description: row.try_get("description")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        creator: row.try_get("creator")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        has_children: truthy(row, "has_children")?,
        gov: match row.try_get::<Option<String>, _>("gov")? {
            Some(json) => serde_json::from_str(&json)?,
            None => Default::default(),
        },
        name_path: row.try_get("name_path")?,
    })
}

/// A boolean expression's value: an integer on SQLite, a boolean on PostgreSQL.
fn truthy(row: &AnyRow, column: &str) -> anyhow::Result<bool> {
    match row.try_get::<bool, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}

pub async fn get(pool: &AnyPool, tenant_id: &str, org_id: &str) -> anyhow::Result<Option<Organ>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {TABLE} WHERE o.tenant_id = $1 AND o.org_id = $2"
    ))
    .bind(tenant_id)
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(organ).transpose()
}

/// The names from the root down to the organisation, `/`-joined (`/总部/研发`).
pub async fn name_path(pool: &AnyPool, tenant_id: &str, organ: &Organ) -> anyhow::Result<String> {
    let mut names = String::new();
    for id in organ.id_path.split('/').filter(|s| !s.is_empty()) {
        let name: Option<(String,)> = sqlx::query_as(
            "SELECT name FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2",
        )
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(pool)
        .await?;
        names.push('/');
        names.push_str(&name.map(|(n,)| n).unwrap_or_default());
    }
    Ok(names)
}

/// Which children to list.
pub struct Children<'a> {
    /// `None`: the roots.
    pub parent_id: Option<&'a str>,
    /// A part of the name to look for.
    pub name_like: Option<&'a str>,
    pub include_disabled: bool,
}

fn children_listing<'a>(which: &Children<'a>, tenant_id: &'a str) -> Listing<'a> {
    let mut listing = Listing::of(TABLE, COLUMNS).bind(tenant_id);
    let mut filter = match which.parent_id {
        Some(parent) => {
            listing = listing.bind(parent);
            "o.tenant_id = $1 AND o.parent_id = $2".to_string()
        }
        None => "o.tenant_id = $1 AND o.parent_id IS NULL".to_string(),
    };
    if let Some(name) = which.name_like {
        // The name's placeholder follows the tenant's and, when listing under a parent, its id.
        let placeholder = if which.parent_id.is_some() { 3 } else { 2 };
        listing = listing.bind(contains(name));
        filter.push_str(&format!(" AND o.name LIKE ${placeholder} ESCAPE '\\'"));
    }
    if !which.include_disabled {
        filter.push_str(" AND o.disabled = 0");
    }
    listing.filter(filter).order_by(
        "COALESCE(o.sort_order, 2147483647), o.created_at",
        "o.org_id",
    )
}

/// A page of the direct children, in display order.
pub async fn children_page(
    pool: &AnyPool,
    tenant_id: &str,
    which: Children<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<Organ>> {
    children_listing(&which, tenant_id)
        .fetch(pool, request, organ)
        .await
}

/// Every direct child, in display order (at most `MAX_LIMIT`).
pub async fn children(
    pool: &AnyPool,
    tenant_id: &str,
    which: Children<'_>,
) -> anyhow::Result<Vec<Organ>> {
    let request = PageRequest::rows(0, crate::page::MAX_LIMIT)?;
    Ok(children_page(pool, tenant_id, which, request).await?.items)
}

/// Whether another organisation than `except` has this external id, or this code.
pub async fn taken(
    pool: &AnyPool,
    tenant_id: &str,
    column: Unique,
    value: &str,
    except: Option<&str>,
) -> anyhow::Result<bool> {
    let column = match column {
        Unique::ExternalId => "external_id",
        Unique::Code => "org_code",
    };
    let row: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT org_id FROM proj_organizations WHERE tenant_id = $1 AND {column} = $2 \
         AND org_id <> $3 LIMIT 1"
    ))
    .bind(tenant_id)
    .bind(value)
    .bind(except.unwrap_or(""))
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

#[derive(Debug, Clone, Copy)]
pub enum Unique {
    ExternalId,
    Code,
}
