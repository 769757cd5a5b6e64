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
