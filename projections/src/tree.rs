//! Tree paths shared by the organisation and application-organisation projections: each row's
//! `path` is '/' + ancestor ids + own id + '/', so a subtree is one prefix match.

use sqlx::AnyConnection;

/// The path a new child of `parent_id` starts with ("/" for a root).
pub async fn path_under(
    conn: &mut AnyConnection,
    table: &'static str,
    tenant: &str,
    parent_id: Option<&str>,
) -> anyhow::Result<String> {
    let Some(parent_id) = parent_id else {
        return Ok("/".to_string());
    };
    let row: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT path FROM {table} WHERE tenant_id = $1 AND org_id = $2"
    ))
    .bind(tenant)
    .bind(parent_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row
        .map(|(p,)| p)
        .unwrap_or_else(|| format!("/{parent_id}/")))
}

/// Moves `org_id` (and its whole subtree) under `parent_id`, if that changes its path.
pub async fn move_under(
    conn: &mut AnyConnection,
    table: &'static str,
    tenant: &str,
    org_id: &str,
    parent_id: Option<&str>,
) -> anyhow::Result<()> {
    let (old_path,): (String,) = sqlx::query_as(&format!(
        "SELECT path FROM {table} WHERE tenant_id = $1 AND org_id = $2"
    ))
    .bind(tenant)
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?;
    let new_path = format!(
        "{}{org_id}/",
        path_under(conn, table, tenant, parent_id).await?
    );
    if new_path != old_path {
        // Replace the old prefix of every path in the subtree.
        sqlx::query(&format!(
            "UPDATE {table} SET path = $1 || substr(path, CAST($2 AS INTEGER)) \
             WHERE tenant_id = $3 AND path LIKE $4"
        ))
        .bind(&new_path)
        .bind(old_path.chars().count() as i64 + 1)
        .bind(tenant)
        .bind(format!("{old_path}%"))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Ancestor ids of a path, root first (the last segment is the row itself).
pub fn ancestors(path: &str) -> Vec<String> {
    let mut ids: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    ids.pop();
    ids
}

/// Sets an organisation's `name_path` (its names from the root down, `/`-joined) from its
/// parent's and its own name, and carries a change down to its subtree.
pub async fn refresh_name_path(
    conn: &mut AnyConnection,
    tenant: &str,
    org_id: &str,
) -> anyhow::Result<()> {
    let row: Option<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT path, name, parent_id, name_path FROM proj_organizations \
         WHERE tenant_id = $1 AND org_id = $2",
    )
    .bind(tenant)
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((path, name, parent_id, old)) = row else {
        return Ok(());
    };
    let parent_names = match parent_id {
        Some(parent) => sqlx::query_as::<_, (Option<String>,)>(
            "SELECT name_path FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2",
        )
        .bind(tenant)
        .bind(parent)
        .fetch_optional(&mut *conn)
        .await?
        .and_then(|(p,)| p),
        None => None,
    };
    let new = match parent_names {
        Some(parent) => format!("{parent}/{name}"),
        None => name,
    };
    if old.as_deref() == Some(new.as_str()) {
        return Ok(());
    }
    sqlx::query(
        "UPDATE proj_organizations SET name_path = $1 WHERE tenant_id = $2 AND org_id = $3",
    )
    .bind(&new)
    .bind(tenant)
    .bind(org_id)
    .execute(&mut *conn)
    .await?;
    if let Some(old) = old {
        sqlx::query(
            "UPDATE proj_organizations SET name_path = $1 || substr(name_path, CAST($2 AS INTEGER)) \
             WHERE tenant_id = $3 AND path LIKE $4 AND org_id <> $5 AND name_path IS NOT NULL",
        )
        .bind(&new)
        .bind(old.chars().count() as i64 + 1)
        .bind(tenant)
        .bind(format!("{path}%"))
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
