//! The one effective-permission query (issue 17 item 4, ops/adr/0018): which roles and
//! permissions a user holds in an application, however they were given. OIDC claims, SAML and
//! CAS attributes, the Hainan APIs and the audit surface's as-of answers all read this function.
//!
//! A user's **roles** in an application are the union of
//! 1. the roles bound to the user directly (Hainan 003-13, `proj_user_roles`);
//! 2. the roles bound to any organisation the user belongs to, primary or secondary
//!    (`proj_user_orgs` ⋈ `proj_org_roles`; an `authSub` binding was expanded to explicit rows
//!    when it was made, so a sub-organisation created later does not count);
//! 3. the OneAccess application roles whose members include an enabled application account of
//!    the user in that application (`proj_app_accounts` ⋈ `proj_app_role_members`);
//!
//! keeping only roles of that application that exist and are enabled (a deleted role has no row).
//! Its **permissions** are the enabled permissions bound to those roles, followed by the
//! admin-API privileges those roles carry (`app_role.privileges_set`), a second view of the same
//! model. Each role and permission lists where it comes from, so an answer can be checked by hand.

use std::collections::BTreeMap;

use sqlx::{AnyPool, Row};

use crate::support::placeholders;

/// Why a user holds a role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleSource {
    /// Bound to the user directly.
    User,
    /// Bound to this organisation, which the user belongs to.
    Organization(String),
    /// This application account of the user is a member of the role.
    Account(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    pub role_id: String,
    pub code: String,
    pub name: String,
    /// Every way the user holds it, sorted (`User` first, then organisations, then accounts).
    pub sources: Vec<RoleSource>,
}

/// What kind of grant a permission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PermissionKind {
    /// A permission of the application's tree, with its type (1 menu … 5 other).
    Permission(u8),
    /// An admin-API privilege (specs/oneaccess.md privileges) carried by a role.
    Privilege,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionRef {
    /// The permission's or privilege's id.
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: PermissionKind,
    /// The user's roles that carry it, sorted.
    pub role_ids: Vec<String>,
}

/// A user's effective roles (sorted by code, then id) and permissions (tree permissions sorted by
/// code, then id; then privileges sorted the same way).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effective {
    pub roles: Vec<RoleRef>,
    pub permissions: Vec<PermissionRef>,
}

impl Effective {
    pub fn role_codes(&self) -> Vec<&str> {
        self.roles.iter().map(|r| r.code.as_str()).collect()
    }

    /// The codes of the tree permissions (not the privileges).
    pub fn permission_codes(&self) -> Vec<&str> {
        self.permissions
            .iter()
            .filter(|p| p.kind != PermissionKind::Privilege)
            .map(|p| p.code.as_str())
            .collect()
    }

    pub fn privilege_codes(&self) -> Vec<&str> {
        self.permissions
            .iter()
            .filter(|p| p.kind == PermissionKind::Privilege)
            .map(|p| p.code.as_str())
            .collect()
    }
}

/// Roles of the application that are enabled, joined from `{from}` whose alias `x` has a
/// `role_id`; `$1` the tenant, `$2` the user, `$3` the application.
fn roles_sql(source: &str, from: &str, user_condition: &str) -> String {
    format!(
        "SELECT r.role_id, r.code, r.name, CAST({source} AS TEXT) AS source FROM {from} \
         JOIN proj_app_roles r ON r.tenant_id = x.tenant_id AND r.role_id = x.role_id \
         WHERE x.tenant_id = $1 AND {user_condition} AND r.application_id = $3 AND r.enabled = 1"
    )
}

/// The user's effective roles and permissions in the application (see the module's doc).
pub async fn effective(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    user_id: &str,
) -> anyhow::Result<Effective> {
    let direct = roles_sql("''", "proj_user_roles x", "x.user_id = $2");
    let through_orgs = roles_sql(
        "x.org_id",
        "proj_user_orgs uo JOIN proj_org_roles x ON x.tenant_id = uo.tenant_id AND x.org_id = uo.org_id",
        "uo.user_id = $2",
    );
    let through_accounts = roles_sql(
        "a.account_id",
        "proj_app_accounts a JOIN proj_app_role_members x ON x.tenant_id = a.tenant_id \
         AND x.account_id = a.account_id",
        "a.user_id = $2 AND a.application_id = $3 AND a.disabled = 0",
    );
    let mut roles: BTreeMap<String, RoleRef> = BTreeMap::new();
    for (sql, kind) in [(direct, 0), (through_orgs, 1), (through_accounts, 2)] {
        let rows = sqlx::query(&sql)
            .bind(tenant)
            .bind(user_id)
            .bind(application_id)
            .fetch_all(pool)
            .await?;
        for row in rows {
            let role_id: String = row.try_get("role_id")?;
            let source: String = row.try_get("source")?;
            let entry = roles.entry(role_id.clone()).or_insert_with(|| RoleRef {
                role_id,
                code: String::new(),
                name: String::new(),
                sources: Vec::new(),
            });
            entry.code = row.try_get("code")?;
            entry.name = row.try_get("name")?;
            entry.sources.push(match kind {
                0 => RoleSource::User,
                1 => RoleSource::Organization(source),
                _ => RoleSource::Account(source),
            });
        }
    }
    let mut roles: Vec<RoleRef> = roles.into_values().collect();
    for role in &mut roles {
        role.sources.sort();
        role.sources.dedup();
    }
    roles.sort_by(|a, b| (&a.code, &a.role_id).cmp(&(&b.code, &b.role_id)));
    let role_ids: Vec<String> = roles.iter().map(|r| r.role_id.clone()).collect();
    let permissions = permissions_of(pool, tenant, application_id, &role_ids).await?;
    Ok(Effective { roles, permissions })
}

/// The enabled tree permissions, then the privileges, that the roles carry.
async fn permissions_of(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    role_ids: &[String],
) -> anyhow::Result<Vec<PermissionRef>> {
    if role_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = placeholders(3, role_ids.len());
    let tree = format!(
        "SELECT p.permission_id AS id, p.code, p.name, p.permission_type AS kind, rp.role_id \
         FROM proj_role_permissions rp JOIN proj_permissions p ON p.tenant_id = rp.tenant_id \
         AND p.application_id = rp.application_id AND p.permission_id = rp.permission_id \
         WHERE rp.tenant_id = $1 AND p.application_id = $2 AND p.enabled = 1 AND rp.role_id IN ({ids})"
    );
    let privileges = format!(
        "SELECT p.privilege_id AS id, p.code, p.name, CAST(0 AS BIGINT) AS kind, rp.role_id \
         FROM proj_role_privileges rp JOIN proj_privileges p ON p.tenant_id = rp.tenant_id \
         AND p.privilege_id = rp.privilege_id \
         WHERE rp.tenant_id = $1 AND p.application_id = $2 AND rp.role_id IN ({ids})"
    );
    let mut found: BTreeMap<(PermissionKind, String), PermissionRef> = BTreeMap::new();
    for sql in [tree, privileges] {
        let mut query = sqlx::query(&sql).bind(tenant).bind(application_id);
        for id in role_ids {
            query = query.bind(id);
        }
        for row in query.fetch_all(pool).await? {
            let kind = match row.try_get::<i64, _>("kind")? {
                0 => PermissionKind::Privilege,
                n => PermissionKind::Permission(u8::try_from(n)?),
            };
            let id: String = row.try_get("id")?;
            let entry = found
                .entry((kind, id.clone()))
                .or_insert_with(|| PermissionRef {
                    id,
                    code: String::new(),
                    name: String::new(),
                    kind,
                    role_ids: Vec::new(),
                });
            entry.code = row.try_get("code")?;
            entry.name = row.try_get("name")?;
            entry.role_ids.push(row.try_get("role_id")?);
        }
    }
    let mut permissions: Vec<PermissionRef> = found.into_values().collect();
    for p in &mut permissions {
        p.role_ids.sort();
        p.role_ids.dedup();
    }
    permissions.sort_by(|a, b| {
        let privilege = |p: &PermissionRef| p.kind == PermissionKind::Privilege;
        (privilege(a), &a.code, &a.id).cmp(&(privilege(b), &b.code, &b.id))
    });
    Ok(permissions)
}
