//! The authorisation model's rows (ops/adr/0018, specs/oneaccess-sdk-and-hainan-uaa.md §2.2): the
//! permission tree, role ↔ permission, user ↔ role and organisation ↔ role bindings. The app roles
//! projection feeds these reducers (its tables are cleared and rebuilt together): a deleted role
//! takes its bindings with it, as does a deleted user or organisation. The tables are listed in
//! `app_roles::TABLES`.

use domain::app_authorization::{AppAuthorizationEvent, Permission};
use domain::organization::OrganizationEvent;
use domain::user::UserEvent;
use sqlx::AnyConnection;

use crate::support::flag;

async fn write_permission(
    conn: &mut AnyConnection,
    tenant: &str,
    application_id: &str,
    permission: &Permission,
    at: i64,
    new: bool,
) -> anyhow::Result<()> {
    let sql = if new {
        "INSERT INTO proj_permissions (code, name, parent_id, permission_type, enabled, sort_order, \
         remark, updated_at, tenant_id, application_id, permission_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $8)"
    } else {
        "UPDATE proj_permissions SET code = $1, name = $2, parent_id = $3, permission_type = $4, \
         enabled = $5, sort_order = $6, remark = $7, updated_at = $8 \
         WHERE tenant_id = $9 AND application_id = $10 AND permission_id = $11"
    };
    sqlx::query(sql)
        .bind(&permission.code)
        .bind(&permission.name)
        .bind(&permission.parent_id)
        .bind(i64::from(u8::from(permission.permission_type)))
        .bind(flag(permission.enabled))
        .bind(permission.order)
        .bind(&permission.remark)
        .bind(at)
        .bind(tenant)
        .bind(application_id)
        .bind(&permission.permission_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes the rows of `table` whose `column` is `value` and, with `among`, whose `among.0`
/// column is one of `among.1`.
async fn delete(
    conn: &mut AnyConnection,
    tenant: &str,
    table: &str,
    column: &str,
    value: &str,
    among: Option<(&str, &[String])>,
) -> anyhow::Result<()> {
    let Some((other, values)) = among else {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND {column} = $2"
        ))
        .bind(tenant)
        .bind(value)
        .execute(&mut *conn)
        .await?;
        return Ok(());
    };
    for each in values {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND {column} = $2 AND {other} = $3"
        ))
        .bind(tenant)
        .bind(value)
        .bind(each)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Inserts one binding row per id of `ids`: (`column` = `value`, `other` = id).
async fn insert(
    conn: &mut AnyConnection,
    tenant: &str,
    application_id: &str,
    (table, column, other): (&str, &str, &str),
    value: &str,
    ids: &[String],
    at: i64,
) -> anyhow::Result<()> {
    for id in ids {
        sqlx::query(&format!(
            "INSERT INTO {table} (tenant_id, application_id, {column}, {other}, bound_at) \
             VALUES ($1, $2, $3, $4, $5)"
        ))
        .bind(tenant)
        .bind(application_id)
        .bind(value)
        .bind(id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const ROLE_PERMISSIONS: (&str, &str, &str) = ("proj_role_permissions", "role_id", "permission_id");
const USER_ROLES: (&str, &str, &str) = ("proj_user_roles", "user_id", "role_id");

pub(crate) async fn on_event(
    conn: &mut AnyConnection,
    tenant: &str,
    event: AppAuthorizationEvent,
) -> anyhow::Result<()> {
    use AppAuthorizationEvent as E;
    match event {
        E::PermissionAdded {
            application_id,
            permission,
            at,
        } => write_permission(conn, tenant, &application_id, &permission, at, true).await,
        E::PermissionModified {
            application_id,
            permission,
            at,
        } => write_permission(conn, tenant, &application_id, &permission, at, false).await,
        E::PermissionDeleted {
            permission_id,
            application_id,
            ..
        } => {
            let ids = [permission_id.clone()];
            let only = Some(("permission_id", &ids[..]));
            delete(
                conn,
                tenant,
                "proj_permissions",
                "application_id",
                &application_id,
                only,
            )
            .await?;
            delete(
                conn,
                tenant,
                "proj_role_permissions",
                "permission_id",
                &permission_id,
                None,
            )
            .await
        }
        E::RolePermissionsBound {
            application_id,
            role_id,
            permission_ids,
            at,
        } => {
            let (t, c, o) = ROLE_PERMISSIONS;
            insert(
                conn,
                tenant,
                &application_id,
                (t, c, o),
                &role_id,
                &permission_ids,
                at,
            )
            .await
        }
        E::RolePermissionsUnbound {
            role_id,
            permission_ids,
            ..
        } => {
            let (table, column, other) = ROLE_PERMISSIONS;
            delete(
                conn,
                tenant,
                table,
                column,
                &role_id,
                Some((other, &permission_ids)),
            )
            .await
        }
        E::UserRolesBound {
            application_id,
            user_id,
            role_ids,
            at,
        } => {
            insert(
                conn,
                tenant,
                &application_id,
                USER_ROLES,
                &user_id,
                &role_ids,
                at,
            )
            .await
        }
        E::UserRolesUnbound {
            user_id, role_ids, ..
        } => {
            let (table, column, other) = USER_ROLES;
            delete(
                conn,
                tenant,
                table,
                column,
                &user_id,
                Some((other, &role_ids)),
            )
            .await
        }
        E::OrgRoleBound {
            application_id,
            role_id,
            auth_sub,
            org_ids,
            at,
            ..
        } => {
            for org_id in org_ids {
                sqlx::query(
                    "INSERT INTO proj_org_roles (tenant_id, application_id, role_id, org_id, auth_sub, \
                     bound_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(tenant)
                .bind(&application_id)
                .bind(&role_id)
                .bind(org_id)
                .bind(flag(auth_sub))
                .bind(at)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        }
        E::OrgRoleUnbound {
            role_id, org_ids, ..
        } => {
            delete(
                conn,
                tenant,
                "proj_org_roles",
                "role_id",
                &role_id,
                Some(("org_id", &org_ids)),
            )
            .await
        }
    }
}

/// A deleted role leaves every binding (Hainan 003-9, ADR 0018).
pub(crate) async fn on_role_deleted(
    conn: &mut AnyConnection,
    tenant: &str,
    role_id: &str,
) -> anyhow::Result<()> {
    for table in ["proj_role_permissions", "proj_user_roles", "proj_org_roles"] {
        delete(conn, tenant, table, "role_id", role_id, None).await?;
    }
    Ok(())
}

/// A deleted user holds no role any more.
pub(crate) async fn on_user_event(
    conn: &mut AnyConnection,
    tenant: &str,
    event: UserEvent,
) -> anyhow::Result<()> {
    match event {
        UserEvent::UserDeleted { user_id, .. } | UserEvent::UserErased { user_id, .. } => {
            delete(conn, tenant, "proj_user_roles", "user_id", &user_id, None).await
        }
        UserEvent::UserCreated { .. }
        | UserEvent::UserUpdated { .. }
        | UserEvent::UserEnabled { .. }
        | UserEvent::UserDisabled { .. }
        | UserEvent::UserLeft { .. }
        | UserEvent::PasswordChanged { .. } => Ok(()),
    }
}

/// A deleted organisation holds no role any more.
pub(crate) async fn on_organization_event(
    conn: &mut AnyConnection,
    tenant: &str,
    event: OrganizationEvent,
) -> anyhow::Result<()> {
    match event {
        OrganizationEvent::OrganizationDeleted { org_id, .. } => {
            delete(conn, tenant, "proj_org_roles", "org_id", &org_id, None).await
        }
        OrganizationEvent::OrganizationCreated { .. }
        | OrganizationEvent::OrganizationUpdated { .. }
        | OrganizationEvent::OrganizationStatusChanged { .. } => Ok(()),
    }
}
