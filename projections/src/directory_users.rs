//! Users as a directory listing filters them (Inspur USR-04, USR-13): by account name, display
//! name, mobile, e-mail (each a contained text), organisation and state, with the organisation's
//! name and whether the user has an account in a given application.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::page::{Listing, Page, PageRequest};

#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUser {
    pub user_id: String,
    pub user_name: String,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Whether the user has an account in the application the listing asked about.
    pub bound: bool,
}

/// Which users to list.
#[derive(Default)]
pub struct UserFilter<'a> {
    pub user_name: Option<&'a str>,
    pub name: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
    pub org_id: Option<&'a str>,
    /// `Some(true)`: disabled users only; `Some(false)`: enabled ones only.
    pub disabled: Option<bool>,
    pub application_id: Option<&'a str>,
}

fn user(r: &AnyRow) -> anyhow::Result<DirectoryUser> {
    Ok(DirectoryUser {
        user_id: r.try_get("user_id")?,
        user_name: r.try_get("user_name")?,
        name: r.try_get("name")?,
        mobile: r.try_get("mobile")?,
        email: r.try_get("email")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        bound: r.try_get::<i64, _>("bound")? != 0,
    })
}

const COLUMNS: &str = "u.user_id, u.user_name, u.name, u.mobile, u.email, u.org_id, \
     (SELECT o.name FROM proj_organizations o WHERE o.tenant_id = u.tenant_id \
      AND o.org_id = u.org_id) AS org_name, u.disabled, u.created_at, u.updated_at, \
     (SELECT COUNT(*) FROM proj_app_accounts a WHERE a.tenant_id = u.tenant_id \
      AND a.user_id = u.user_id AND a.application_id = $2) AS bound";

fn like(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of users, by account name.
pub async fn page(
    pool: &AnyPool,
    tenant: &str,
    filter: UserFilter<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<DirectoryUser>> {
    let mut listing = Listing::of("proj_users u", COLUMNS)
        .bind(tenant)
        .bind(filter.application_id.unwrap_or(""));
    let mut condition = "u.tenant_id = $1 AND $2 = $2".to_string();
    let mut next = 3;
    for (column, value) in [
        ("u.user_name", filter.user_name),
        ("u.name", filter.name),
        ("u.mobile", filter.mobile),
        ("u.email", filter.email),
    ] {
        if let Some(value) = value {
            listing = listing.bind(like(value));
            condition.push_str(&format!(" AND {column} LIKE ${next} ESCAPE '\\'"));
            next += 1;
        }
    }
    if let Some(org) = filter.org_id {
        listing = listing.bind(org);
        condition.push_str(&format!(" AND u.org_id = ${next}"));
    }
    if let Some(disabled) = filter.disabled {
        condition.push_str(if disabled {
            " AND u.disabled = 1"
        } else {
            " AND u.disabled = 0"
        });
    }
    listing
        .filter(condition)
        .order_by("u.user_name", "u.user_id")
        .fetch(pool, request, user)
        .await
}

/// One user.
pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<Option<DirectoryUser>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_users u WHERE u.tenant_id = $1 AND $2 = $2 AND u.user_id = $3"
    ))
    .bind(tenant)
    .bind("")
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(user).transpose()
}
