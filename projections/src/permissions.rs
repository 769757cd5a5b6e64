//! Reads of an application's permissions (specs/oneaccess-sdk-and-hainan-uaa.md §2.2 003-5,
//! 003-6; ops/adr/0018): one permission, the tree with its filters, and the permissions a role
//! carries. Every read is scoped to one application through the primary key's prefix
//! `(tenant_id, application_id)`; the tree is assembled in memory from that one indexed read.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct PermissionRow {
    pub permission_id: String,
    pub application_id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// 1 menu, 2 button, 3 api, 4 data, 5 other.
    pub permission_type: u8,
    pub enabled: bool,
    pub order: i64,
    pub remark: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A permission with the permissions under it (003-6 `children`).
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionNode {
    pub permission: PermissionRow,
    pub children: Vec<PermissionNode>,
}

/// The filters of 003-6; `None` does not filter.
#[derive(Debug, Clone, Default)]
pub struct PermissionFilter {
    /// Only permissions below this one, at any depth (not the permission itself).
    pub parent_id: Option<String>,
    pub permission_type: Option<u8>,
    /// Names containing this text.
    pub name: Option<String>,
    /// This exact code.
    pub code: Option<String>,
    /// `true` only enabled permissions, `false` only disabled ones.
    pub enabled: Option<bool>,
}

pub(crate) const COLUMNS: &str =
    "p.permission_id, p.application_id, p.code, p.name, p.parent_id, p.permission_type, \
     p.enabled, p.sort_order, p.remark, p.created_at, p.updated_at";

/// The order of siblings and of flat lists: `orderNum`, then creation, then id.
pub(crate) const ORDER: &str = "p.sort_order, p.created_at, p.permission_id";

pub(crate) fn permission(row: &AnyRow) -> anyhow::Result<PermissionRow> {
    Ok(PermissionRow {
        permission_id: row.try_get("permission_id")?,
        application_id: row.try_get("application_id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        parent_id: row.try_get("parent_id")?,
        permission_type: u8::try_from(row.try_get::<i64, _>("permission_type")?)?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        order: row.try_get("sort_order")?,
        remark: row.try_get("remark")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    permission_id: &str,
) -> anyhow::Result<Option<PermissionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_permissions p WHERE p.tenant_id = $1 AND p.application_id = $2 \
         AND p.permission_id = $3"
    ))
    .bind(tenant)
    .bind(application_id)
    .bind(permission_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(permission).transpose()
}

/// Every permission of the application, in sibling order.
pub async fn of_application(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Vec<PermissionRow>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_permissions p WHERE p.tenant_id = $1 AND p.application_id = $2 \
         ORDER BY {ORDER}"
    ))
    .bind(tenant)
    .bind(application_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(permission)
    .collect()
}

/// 003-6: the application's permissions that pass the filter, as a tree. A permission whose
/// parent does not pass hangs under its nearest ancestor that does (or at the top), so that a
/// filter never hides a match; siblings keep the `orderNum` order. An unknown `parent_id` gives
/// an empty tree.
pub async fn tree(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    filter: &PermissionFilter,
) -> anyhow::Result<Vec<PermissionNode>> {
    let all = of_application(pool, tenant, application_id).await?;
    Ok(assemble(all, filter))
}

fn passes(p: &PermissionRow, filter: &PermissionFilter) -> bool {
    filter
        .permission_type
        .is_none_or(|t| p.permission_type == t)
        && filter.name.as_deref().is_none_or(|n| p.name.contains(n))
        && filter.code.as_deref().is_none_or(|c| p.code == c)
        && filter.enabled.is_none_or(|e| p.enabled == e)
}

/// The tree of the rows that pass `filter` (rows in sibling order).
pub fn assemble(all: Vec<PermissionRow>, filter: &PermissionFilter) -> Vec<PermissionNode> {
    let parents: BTreeMap<String, Option<String>> = all
        .iter()
        .map(|p| (p.permission_id.clone(), p.parent_id.clone()))
        .collect();
    // The ids strictly below `filter.parent_id`, when it is given.
    let within: Option<BTreeSet<String>> = filter.parent_id.as_ref().map(|top| {
        parents
            .keys()
            .filter(|id| ancestors(&parents, id).any(|a| &a == top))
            .cloned()
            .collect()
    });
    let kept: Vec<PermissionRow> = all
        .into_iter()
        .filter(|p| within.as_ref().is_none_or(|w| w.contains(&p.permission_id)))
        .filter(|p| passes(p, filter))
        .collect();
    let kept_ids: BTreeSet<String> = kept.iter().map(|p| p.permission_id.clone()).collect();
    // Each kept row's nearest kept ancestor, or None for the top of the answer.
    let mut children: BTreeMap<Option<String>, Vec<PermissionRow>> = BTreeMap::new();
    for p in kept {
        let anchor = ancestors(&parents, &p.permission_id).find(|a| kept_ids.contains(a));
        children.entry(anchor).or_default().push(p);
    }
    build(&mut children, None)
}

fn build(
    children: &mut BTreeMap<Option<String>, Vec<PermissionRow>>,
    parent: Option<String>,
) -> Vec<PermissionNode> {
    let rows = children.remove(&parent).unwrap_or_default();
    rows.into_iter()
        .map(|permission| {
            let below = build(children, Some(permission.permission_id.clone()));
            PermissionNode {
                permission,
                children: below,
            }
        })
        .collect()
}

/// The ancestors of `id`, nearest first (bounded by the number of permissions, so that a
/// damaged row cannot loop).
fn ancestors<'a>(
    parents: &'a BTreeMap<String, Option<String>>,
    id: &str,
) -> impl Iterator<Item = String> + 'a {
    let mut current = parents.get(id).cloned().flatten();
    let mut steps = parents.len();
    std::iter::from_fn(move || {
        let id = current.take()?;
        steps = steps.checked_sub(1)?;
        current = parents.get(&id).cloned().flatten();
        Some(id)
    })
}

/// 003-5: the permissions a role carries, enabled or not, in sibling order (a flat list).
pub async fn of_role(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    role_id: &str,
) -> anyhow::Result<Vec<PermissionRow>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_role_permissions rp JOIN proj_permissions p \
         ON p.tenant_id = rp.tenant_id AND p.application_id = rp.application_id \
         AND p.permission_id = rp.permission_id \
         WHERE rp.tenant_id = $1 AND rp.role_id = $2 AND rp.application_id = $3 ORDER BY {ORDER}"
    ))
    .bind(tenant)
    .bind(role_id)
    .bind(application_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(permission)
    .collect()
}

/// 003-5 by role code: `None` when the application has no role with this code.
pub async fn of_role_code(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    role_code: &str,
) -> anyhow::Result<Option<Vec<PermissionRow>>> {
    let Some(role) =
        crate::role_bindings::role_by_code(pool, tenant, application_id, role_code).await?
    else {
        return Ok(None);
    };
    Ok(Some(
        of_role(pool, tenant, application_id, &role.role_id).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, parent: Option<&str>, name: &str, enabled: bool) -> PermissionRow {
        PermissionRow {
            permission_id: id.into(),
            application_id: "a".into(),
            code: id.into(),
            name: name.into(),
            parent_id: parent.map(str::to_string),
            permission_type: 1,
            enabled,
            order: 0,
            remark: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn shape(nodes: &[PermissionNode]) -> String {
        nodes
            .iter()
            .map(|n| {
                if n.children.is_empty() {
                    n.permission.permission_id.clone()
                } else {
                    format!("{}({})", n.permission.permission_id, shape(&n.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// m ─ s ─ b, m ─ t, and x at the top; s is disabled.
    fn rows() -> Vec<PermissionRow> {
        vec![
            row("m", None, "menu", true),
            row("s", Some("m"), "sub menu", false),
            row("b", Some("s"), "button", true),
            row("t", Some("m"), "tab", true),
            row("x", None, "other", true),
        ]
    }

    #[test]
    fn the_tree_nests_children_and_a_parent_filter_gives_every_descendant() {
        let all = PermissionFilter::default();
        assert_eq!(shape(&assemble(rows(), &all)), "m(s(b) t) x");
        let under_m = PermissionFilter {
            parent_id: Some("m".into()),
            ..Default::default()
        };
        assert_eq!(shape(&assemble(rows(), &under_m)), "s(b) t");
        let unknown = PermissionFilter {
            parent_id: Some("zz".into()),
            ..Default::default()
        };
        assert_eq!(shape(&assemble(rows(), &unknown)), "");
    }

    #[test]
    fn a_match_under_a_filtered_out_parent_hangs_under_its_nearest_kept_ancestor() {
        let enabled = PermissionFilter {
            enabled: Some(true),
            ..Default::default()
        };
        assert_eq!(shape(&assemble(rows(), &enabled)), "m(b t) x");
        let named = PermissionFilter {
            name: Some("menu".into()),
            ..Default::default()
        };
        assert_eq!(shape(&assemble(rows(), &named)), "m(s)");
        let disabled = PermissionFilter {
            enabled: Some(false),
            ..Default::default()
        };
        assert_eq!(shape(&assemble(rows(), &disabled)), "s");
    }
}
