//! Reads of who holds an application's roles (specs/oneaccess-sdk-and-hainan-uaa.md §2.2 003-1,
//! 003-10, 003-17, §2.3 004-7; ops/adr/0018): roles by code and of an application, a user's
//! directly bound roles, the users and organisations bound to a role, an organisation's current
//! subtree, and the guard that the roles a decision names are still the application's.

use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, FromRow, Row};
use store::store::Guard;

use crate::app_roles::{row, RoleRow, Tuple, COLUMNS};
use crate::page::{Listing, Page, PageRequest};
use crate::support::{escape_like, ids_among};

/// The role of the application with this code.
pub async fn role_by_code(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    code: &str,
) -> anyhow::Result<Option<RoleRow>> {
    let found: Option<Tuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_app_roles WHERE tenant_id = $1 AND application_id = $2 AND code = $3"
    ))
    .bind(tenant)
    .bind(application_id)
    .bind(code)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(row))
}

/// 003-10: every role of the application, enabled or not, in creation order (not paged).
pub async fn roles_of_application(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Vec<RoleRow>> {
    let rows: Vec<Tuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_app_roles WHERE tenant_id = $1 AND application_id = $2 \
         ORDER BY created_at, role_id"
    ))
    .bind(tenant)
    .bind(application_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(row).collect())
}

/// Which of the ids are roles of the application.
pub async fn roles_among(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    ids: &[String],
) -> anyhow::Result<Vec<String>> {
    let select = "SELECT role_id FROM proj_app_roles WHERE tenant_id = $1 AND application_id = $2 AND role_id IN";
    ids_among(pool, select, tenant, application_id, ids).await
}

/// 003-1: the roles of the application bound to the user directly (not through an organisation
/// or an account; spec §4.1.17), enabled or not, in creation order.
pub async fn user_roles(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    user_id: &str,
) -> anyhow::Result<Vec<RoleRow>> {
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<Tuple> = sqlx::query_as(&format!(
        "SELECT {columns} FROM proj_user_roles ur JOIN proj_app_roles r \
         ON r.tenant_id = ur.tenant_id AND r.role_id = ur.role_id \
         WHERE ur.tenant_id = $1 AND ur.user_id = $2 AND r.application_id = $3 \
         ORDER BY r.created_at, r.role_id"
    ))
    .bind(tenant)
    .bind(user_id)
    .bind(application_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(row).collect())
}

/// 004-7: a page of the ids of the users bound to the role directly, in the order they were
/// bound. Users who hold the role only through an organisation or an account are not listed
/// (spec §4.1.17: direct bindings only; the effective query answers the rest).
pub async fn users_of_role(
    pool: &AnyPool,
    tenant: &str,
    role_id: &str,
    request: PageRequest,
) -> anyhow::Result<Page<String>> {
    Listing::of("proj_user_roles", "user_id")
        .filter("tenant_id = $1 AND role_id = $2")
        .bind(tenant)
        .bind(role_id)
        .order_by("bound_at", "user_id")
        .fetch(pool, request, |r| Ok(r.try_get::<String, _>("user_id")?))
        .await
}

/// An organisation bound to a role: one explicit row (spec §4.1.16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgBinding {
    pub org_id: String,
    /// Whether the call that bound this row had `authSub` (the row is the named organisation or
    /// one of its descendants at that moment).
    pub auth_sub: bool,
    pub bound_at: i64,
}

/// 003-17: a page of the organisations bound to the role, in the order they were bound.
pub async fn orgs_of_role(
    pool: &AnyPool,
    tenant: &str,
    role_id: &str,
    request: PageRequest,
) -> anyhow::Result<Page<OrgBinding>> {
    Listing::of("proj_org_roles", "org_id, auth_sub, bound_at")
        .filter("tenant_id = $1 AND role_id = $2")
        .bind(tenant)
        .bind(role_id)
        .order_by("bound_at", "org_id")
        .fetch(pool, request, |r| {
            let (org_id, auth_sub, bound_at) = <(String, i64, i64)>::from_row(r)?;
            Ok(OrgBinding {
                org_id,
                auth_sub: auth_sub != 0,
                bound_at,
            })
        })
        .await
}

/// The organisation followed by every current descendant (creation order), or `None` when it
/// does not exist: one prefix match on the organisations' path index.
pub async fn subtree(
    pool: &AnyPool,
    tenant: &str,
    org_id: &str,
) -> anyhow::Result<Option<Vec<String>>> {
    let Some(org) = crate::organizations::get(pool, tenant, org_id).await? else {
        return Ok(None);
    };
    let pattern = format!("{}%", escape_like(&org.path));
    let below: Vec<(String,)> = sqlx::query_as(
        "SELECT org_id FROM proj_organizations WHERE tenant_id = $1 AND path LIKE $2 ESCAPE '\\' \
         AND org_id <> $3 ORDER BY created_at, org_id",
    )
    .bind(tenant)
    .bind(pattern)
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    let mut ids = vec![org.org_id];
    ids.extend(below.into_iter().map(|(id,)| id));
    Ok(Some(ids))
}

pub const ROLES_OF_APPLICATION: &str = "app_role.of_application";

/// Holds when every role is still a role of the application (none was deleted meanwhile).
#[derive(Debug)]
pub struct RolesOfApplication {
    pub application_id: String,
    pub role_ids: Vec<String>,
}

impl Guard for RolesOfApplication {
    fn name(&self) -> &'static str {
        ROLES_OF_APPLICATION
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            for role_id in &self.role_ids {
                let found: Option<(String,)> = sqlx::query_as(
                    "SELECT role_id FROM proj_app_roles WHERE tenant_id = $1 AND role_id = $2 \
                     AND application_id = $3",
                )
                .bind(tenant)
                .bind(role_id)
                .bind(&self.application_id)
                .fetch_optional(&mut *conn)
                .await?;
                if found.is_none() {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }
}
