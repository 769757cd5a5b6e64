//! Applications as a directory lists them (Inspur APP-01, APP-03, APP-10): pages by name, with
//! whether a user may use each one (granted to the user or to one of the user's
//! organisations), or whether an organisation is granted each one.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::applications::{app_row, ApplicationRow, APP_COLUMNS};
use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;

/// How many grants of the application reach the user `$2` (see `app_grants::reaches_user`).
fn user_granted(inherit: bool) -> String {
    format!(
        "(SELECT COUNT(*) FROM proj_app_grants g WHERE g.tenant_id = proj_applications.tenant_id \
         AND g.application_id = proj_applications.application_id AND {})",
        crate::app_grants::reaches_user("$2", inherit)
    )
}

/// A page of the tenant's applications whose name contains `name_like`, newest first; each
/// with whether a grant reaches `user_id` (false without a user; `inherit`: grants to ancestor
/// organisations count).
pub async fn page(
    pool: &AnyPool,
    tenant: &str,
    name_like: Option<&str>,
    user: Option<(&str, bool)>,
    request: PageRequest,
) -> anyhow::Result<Page<(ApplicationRow, bool)>> {
    let (user_id, inherit) = user.unwrap_or(("", false));
    let columns = format!("{APP_COLUMNS}, {} AS bound", user_granted(inherit));
    let mut listing = Listing::of("proj_applications", &columns)
        .bind(tenant)
        .bind(user_id);
    let mut condition = "tenant_id = $1 AND $2 = $2".to_string();
    if let Some(name) = name_like {
        listing = listing.bind(contains(name));
        condition.push_str(" AND name LIKE $3 ESCAPE '\\'");
    }
    listing
        .filter(condition)
        .order_by("created_at DESC", "application_id DESC")
        .fetch(pool, request, |r: &AnyRow| {
            Ok((app_row(r)?, r.try_get::<i64, _>("bound")? != 0))
        })
        .await
}

/// One application's place in an organisation's list (APP-10).
#[derive(Debug, Clone, PartialEq)]
pub struct OrganGrant {
    pub application_id: String,
    pub name: String,
    pub granted: bool,
}

/// A page of every application of the tenant whose name contains `name_like`, newest first, each with
/// whether organisation `org_id` is granted it.
pub async fn for_organ(
    pool: &AnyPool,
    tenant: &str,
    org_id: &str,
    name_like: Option<&str>,
    request: PageRequest,
) -> anyhow::Result<Page<OrganGrant>> {
    let columns = "a.application_id, a.name, (SELECT COUNT(*) FROM proj_app_grants g \
         WHERE g.tenant_id = a.tenant_id AND g.application_id = a.application_id \
         AND g.grantee = 'organization' AND g.subject_id = $2) AS granted";
    let mut listing = Listing::of("proj_applications a", columns)
        .bind(tenant)
        .bind(org_id);
    let mut condition = "a.tenant_id = $1 AND $2 = $2".to_string();
    if let Some(name) = name_like {
        listing = listing.bind(contains(name));
        condition.push_str(" AND a.name LIKE $3 ESCAPE '\\'");
    }
    listing
        .filter(condition)
        .order_by("a.created_at DESC", "a.application_id DESC")
        .fetch(pool, request, |r: &AnyRow| {
            Ok(OrganGrant {
                application_id: r.try_get("application_id")?,
                name: r.try_get("name")?,
                granted: r.try_get::<i64, _>("granted")? != 0,
            })
        })
        .await
}

/// Whether an application other than `except` has this name, or this code (its client id or
/// its recorded code).
pub async fn taken(
    pool: &AnyPool,
    tenant: &str,
    by_code: bool,
    value: &str,
    except: Option<&str>,
) -> anyhow::Result<bool> {
    let rows = sqlx::query(&format!(
        "SELECT {APP_COLUMNS} FROM proj_applications WHERE tenant_id = $1 AND application_id <> $2"
    ))
    .bind(tenant)
    .bind(except.unwrap_or(""))
    .fetch_all(pool)
    .await?;
    for row in &rows {
        let app = app_row(row)?;
        let hit = if by_code {
            app.client_id == value || app.details.code.as_deref() == Some(value)
        } else {
            app.name == value
        };
        if hit {
            return Ok(true);
        }
    }
    Ok(false)
}
