//! Application-side roles and their members. A deleted account leaves every role it was in.
//! Roles carry a remark and an enabled flag, and a Hainan change may give a role a new code
//! (`app_role.configured`, ops/adr/0018).

use domain::app_account::{AppAccount, AppAccountEvent};
use domain::app_authorization::AppAuthorization;
use domain::app_role::{AppRole, AppRoleEvent};
use domain::organization::Organization;
use domain::user::User;
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, FromRow, Row};
use store::{Projector, RecordedEvent};

use crate::app_accounts::AccountRow;
use crate::authorization;
use crate::page::{Listing, Page, PageRequest};
use crate::support::{flag, ids_among, typed};

pub struct AppRolesProjection;

/// With the authorisation model's tables (`crate::authorization`), which this projection feeds.
pub const TABLES: &[&str] = &[
    "proj_app_roles",
    "proj_app_role_members",
    "proj_role_privileges",
    "proj_permissions",
    "proj_role_permissions",
    "proj_user_roles",
    "proj_org_roles",
];

impl Projector for AppRolesProjection {
    fn name(&self) -> &'static str {
        "app_roles"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let tenant = event.tenant_id.as_str();
            if event.stream_type == AppAccount::STREAM_TYPE {
                return on_account_event(conn, tenant, typed::<AppAccountEvent>(event)?).await;
            }
            if event.stream_type == AppAuthorization::STREAM_TYPE {
                return authorization::on_event(conn, tenant, typed(event)?).await;
            }
            if event.stream_type == User::STREAM_TYPE {
                return authorization::on_user_event(conn, tenant, typed(event)?).await;
            }
            if event.stream_type == Organization::STREAM_TYPE {
                return authorization::on_organization_event(conn, tenant, typed(event)?).await;
            }
            if event.stream_type != AppRole::STREAM_TYPE {
                return Ok(());
            }
            match typed::<AppRoleEvent>(event)? {
                AppRoleEvent::RoleCreated {
                    role_id,
                    application_id,
                    code,
                    name,
                    created_at,
                    remark,
                } => {
                    sqlx::query(
                        "INSERT INTO proj_app_roles (tenant_id, role_id, application_id, code, name, created_at, \
                         updated_at, remark, enabled) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, 1)",
                    )
                    .bind(tenant)
                    .bind(role_id)
                    .bind(application_id)
                    .bind(code)
                    .bind(name)
                    .bind(created_at)
                    .bind(remark)
                    .execute(&mut *conn)
                    .await?;
                }
                AppRoleEvent::RoleConfigured {
                    role_id,
                    code,
                    name,
                    remark,
                    enabled,
                    updated_at,
                    ..
                } => {
                    sqlx::query(
                        "UPDATE proj_app_roles SET code = $1, name = $2, remark = $3, enabled = $4, \
                         updated_at = $5 WHERE tenant_id = $6 AND role_id = $7",
                    )
                    .bind(code)
                    .bind(name)
                    .bind(remark)
                    .bind(flag(enabled))
                    .bind(updated_at)
                    .bind(tenant)
                    .bind(role_id)
                    .execute(&mut *conn)
                    .await?;
                }
                AppRoleEvent::RoleRenamed {
                    role_id,
                    name,
                    updated_at,
                    ..
                } => {
                    sqlx::query("UPDATE proj_app_roles SET name = $1, updated_at = $2 WHERE tenant_id = $3 AND role_id = $4")
                        .bind(name)
                        .bind(updated_at)
                        .bind(tenant)
                        .bind(role_id)
                        .execute(&mut *conn)
                        .await?;
                }
                AppRoleEvent::MembersAdded {
                    role_id,
                    account_ids,
                    at,
                    ..
                } => {
                    for account_id in account_ids {
                        sqlx::query(
                            "INSERT INTO proj_app_role_members (tenant_id, role_id, account_id, added_at) \
                             VALUES ($1, $2, $3, $4)",
                        )
                        .bind(tenant)
                        .bind(&role_id)
                        .bind(account_id)
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                AppRoleEvent::MembersRemoved {
                    role_id,
                    account_ids,
                    ..
                } => {
                    for account_id in account_ids {
                        sqlx::query(
                            "DELETE FROM proj_app_role_members WHERE tenant_id = $1 AND role_id = $2 AND account_id = $3",
                        )
                        .bind(tenant)
                        .bind(&role_id)
                        .bind(account_id)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                AppRoleEvent::PrivilegesSet {
                    role_id,
                    privilege_ids,
                    ..
                } => {
                    sqlx::query(
                        "DELETE FROM proj_role_privileges WHERE tenant_id = $1 AND role_id = $2",
                    )
                    .bind(tenant)
                    .bind(&role_id)
                    .execute(&mut *conn)
                    .await?;
                    for (position, privilege_id) in privilege_ids.into_iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO proj_role_privileges (tenant_id, role_id, privilege_id, position) \
                             VALUES ($1, $2, $3, $4)",
                        )
                        .bind(tenant)
                        .bind(&role_id)
                        .bind(privilege_id)
                        .bind(position as i64)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                AppRoleEvent::RoleDeleted { role_id, .. } => {
                    authorization::on_role_deleted(conn, tenant, &role_id).await?;
                    for table in [
                        "proj_role_privileges",
                        "proj_app_role_members",
                        "proj_app_roles",
                    ] {
                        sqlx::query(&format!(
                            "DELETE FROM {table} WHERE tenant_id = $1 AND role_id = $2"
                        ))
                        .bind(tenant)
                        .bind(&role_id)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            }
            Ok(())
        })
    }
}

/// A deleted account leaves its roles (specs/oneaccess.md #26 [IMPL]).
async fn on_account_event(
    conn: &mut AnyConnection,
    tenant: &str,
    event: AppAccountEvent,
) -> anyhow::Result<()> {
    match event {
        AppAccountEvent::AccountDeleted { account_id, .. } => {
            sqlx::query(
                "DELETE FROM proj_app_role_members WHERE tenant_id = $1 AND account_id = $2",
            )
            .bind(tenant)
            .bind(account_id)
            .execute(&mut *conn)
            .await?;
        }
        AppAccountEvent::AccountCreated { .. }
        | AppAccountEvent::AccountUpdated { .. }
        | AppAccountEvent::AccountPasswordChanged { .. }
        | AppAccountEvent::AccountEnabled { .. }
        | AppAccountEvent::AccountDisabled { .. } => {}
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoleRow {
    pub role_id: String,
    pub application_id: String,
    pub code: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    pub remark: Option<String>,
    pub enabled: bool,
}

pub(crate) type Tuple = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    i64,
);
pub(crate) const COLUMNS: &str =
    "role_id, application_id, code, name, created_at, updated_at, remark, enabled";

pub(crate) fn row(
    (role_id, application_id, code, name, created_at, updated_at, remark, enabled): Tuple,
) -> RoleRow {
    RoleRow {
        role_id,
        application_id,
        code,
        name,
        created_at,
        updated_at,
        remark,
        enabled: enabled != 0,
    }
}

/// The role, if it belongs to the application.
pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    role_id: &str,
) -> anyhow::Result<Option<RoleRow>> {
    let found: Option<Tuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_app_roles WHERE tenant_id = $1 AND application_id = $2 AND role_id = $3"
    ))
    .bind(tenant)
    .bind(application_id)
    .bind(role_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(row))
}

/// A page of an application's roles in creation order.
pub async fn list(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    request: PageRequest,
) -> anyhow::Result<Page<RoleRow>> {
    Listing::of("proj_app_roles", COLUMNS)
        .filter("tenant_id = $1 AND application_id = $2")
        .bind(tenant)
        .bind(application_id)
        .order_by("created_at", "role_id")
        .fetch(pool, request, |r| Ok(row(Tuple::from_row(r)?)))
        .await
}

pub async fn has_members(pool: &AnyPool, tenant: &str, role_id: &str) -> anyhow::Result<bool> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT account_id FROM proj_app_role_members WHERE tenant_id = $1 AND role_id = $2 LIMIT 1")
            .bind(tenant)
            .bind(role_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// A page of a role's member accounts, in the order they joined.
pub async fn members(
    pool: &AnyPool,
    tenant: &str,
    role_id: &str,
    request: PageRequest,
) -> anyhow::Result<Page<AccountRow>> {
    let ids = Listing::of("proj_app_role_members", "account_id")
        .filter("tenant_id = $1 AND role_id = $2")
        .bind(tenant)
        .bind(role_id)
        .order_by("added_at", "account_id")
        .fetch(pool, request, |r| Ok(r.try_get::<String, _>("account_id")?))
        .await?;
    let mut accounts = Vec::with_capacity(ids.items.len());
    for id in &ids.items {
        if let Some(account) = crate::app_accounts::get(pool, tenant, id).await? {
            accounts.push(account);
        }
    }
    Ok(Page {
        items: accounts,
        total: ids.total,
        request: ids.request,
    })
}

/// The roles an account holds.
pub async fn of_account(
    pool: &AnyPool,
    tenant: &str,
    account_id: &str,
) -> anyhow::Result<Vec<RoleRow>> {
    let rows: Vec<Tuple> = sqlx::query_as(
        "SELECT r.role_id, r.application_id, r.code, r.name, r.created_at, r.updated_at, r.remark, \
         r.enabled FROM proj_app_roles r JOIN proj_app_role_members m ON m.tenant_id = r.tenant_id AND m.role_id = r.role_id \
         WHERE r.tenant_id = $1 AND m.account_id = $2 ORDER BY r.created_at, r.role_id",
    )
    .bind(tenant)
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(row).collect())
}

/// Which of the ids are accounts of the application.
pub async fn accounts_of_application(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    ids: &[String],
) -> anyhow::Result<Vec<String>> {
    let select = "SELECT account_id FROM proj_app_accounts WHERE tenant_id = $1 AND application_id = $2 AND account_id IN";
    ids_among(pool, select, tenant, application_id, ids).await
}

/// Which of the ids are current members of the role.
pub async fn members_among(
    pool: &AnyPool,
    tenant: &str,
    role_id: &str,
    ids: &[String],
) -> anyhow::Result<Vec<String>> {
    let select = "SELECT account_id FROM proj_app_role_members WHERE tenant_id = $1 AND role_id = $2 AND account_id IN";
    ids_among(pool, select, tenant, role_id, ids).await
}
