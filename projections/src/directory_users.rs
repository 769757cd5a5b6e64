//! Users as a directory listing filters them (Inspur USR-04, USR-13): by account name, display
//! name, mobile, e-mail (each a contained text), organisation and state, with the organisation's
//! name and whether the user has an account in a given application; the account details
//! (external id, user type, expiry, remark, how and by whom it was made) and the left state.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;

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
    /// Left the organisation (dimission); a left user is disabled too.
    pub left: bool,
    pub external_id: Option<String>,
    pub user_type_id: Option<String>,
    pub user_type_name: Option<String>,
    pub expires_at: Option<i64>,
    pub description: Option<String>,
    pub created_type: Option<String>,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Whether the user has an account in the application the listing asked about.
    pub bound: bool,
}

/// A user's state as a directory lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    Active,
    /// Disabled, not left.
    Disabled,
    Left,
}

/// Which users to list.
#[derive(Default)]
pub struct UserFilter<'a> {
    pub user_name: Option<&'a str>,
    pub name: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
    pub org_id: Option<&'a str>,
    /// Users in this state only; without it, every user who has not left.
    pub state: Option<UserState>,
    pub user_type_id: Option<&'a str>,
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
        left: r.try_get::<Option<i64>, _>("left_at")?.is_some(),
        external_id: r.try_get("external_id")?,
        user_type_id: r.try_get("user_type_id")?,
        user_type_name: r.try_get("user_type_name")?,
        expires_at: r.try_get("expires_at")?,
        description: r.try_get("description")?,
        created_type: r.try_get("created_type")?,
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        bound: r.try_get::<i64, _>("bound")? != 0,
    })
}

const COLUMNS: &str = "u.user_id, u.user_name, u.name, u.mobile, u.email, u.org_id, \
     (SELECT o.name FROM proj_organizations o WHERE o.tenant_id = u.tenant_id \
      AND o.org_id = u.org_id) AS org_name, u.disabled, u.left_at, u.external_id, \
     u.user_type_id, (SELECT t.name FROM proj_user_types t WHERE t.tenant_id = u.tenant_id \
      AND t.type_id = u.user_type_id) AS user_type_name, u.expires_at, u.description, \
     u.created_type, u.creator, u.created_at, u.updated_at, \
     (SELECT COUNT(*) FROM proj_app_accounts a WHERE a.tenant_id = u.tenant_id \
      AND a.user_id = u.user_id AND a.application_id = $2) AS bound";

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
            listing = listing.bind(contains(value));
            condition.push_str(&format!(" AND {column} LIKE ${next} ESCAPE '\\'"));
            next += 1;
        }
    }
    for (column, value) in [
        ("u.org_id", filter.org_id),
        ("u.user_type_id", filter.user_type_id),
    ] {
        if let Some(value) = value {
            listing = listing.bind(value);
            condition.push_str(&format!(" AND {column} = ${next}"));
            next += 1;
        }
    }
    condition.push_str(match filter.state {
        None => " AND u.left_at IS NULL",
        Some(UserState::Active) => " AND u.disabled = 0",
        Some(UserState::Disabled) => " AND u.disabled = 1 AND u.left_at IS NULL",
        Some(UserState::Left) => " AND u.left_at IS NOT NULL",
    });
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
