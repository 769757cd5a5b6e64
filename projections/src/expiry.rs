//! Expired rows of the short-lived projection tables (ops/adr/0027; DESIGN.md "Audit and
//! compliance", short-lived protocol records): sessions, access tokens, CAS tickets, SAML
//! sign-ins, SSO tickets and management tokens are deleted once they are past use by more than a
//! grace period. Their events stay: nothing in the log is removed or rewritten.
//!
//! A purge stores the cutoff it used (`store_settings`, `protocol_rows_purged_before`), and every
//! rebuild (`rebuild_if_outdated`, the shadow swap of `idaas replay`, the comparison of
//! `idaas verify`) applies the stored cutoff to the rows it rebuilt, so a rebuild equals the live
//! tables whatever the clock says. That holds because no event can bring a row back once it is
//! past the cutoff: the domain refuses expired sessions, tokens and tickets, and the SAML sign-in
//! answers a request only within its hold time.

use sqlx::{AnyConnection, AnyPool};

/// How long past its expiry a row is kept (more than any clock skew between nodes).
pub const GRACE_MS: i64 = 24 * 60 * 60 * 1000;

/// How long a used CAS ticket or an issued SAML sign-in is kept after its issue: single logout
/// follows them from the session, and no session outlives this (remember-me, ADR 0005).
pub const LINKED_MS: i64 = 90 * 24 * 60 * 60 * 1000;

const SETTING: &str = "protocol_rows_purged_before";

/// The deletions: the cutoff is bound to `$1`, and to `$2` (where there is one) the cutoff −
/// `LINKED_MS`. The names are unqualified: on a shadow connection they are the rebuilt temporary
/// tables.
const DELETIONS: &[(&str, bool)] = &[
    (
        "DELETE FROM proj_sso_sessions WHERE expires_at < $1 OR ended_at < $1",
        false,
    ),
    ("DELETE FROM proj_oauth_tokens WHERE expires_at < $1", false),
    (
        "DELETE FROM proj_cas_tickets WHERE (status <> 'validated' AND expires_at < $1) \
         OR issued_at < $2",
        true,
    ),
    (
        "DELETE FROM proj_saml_logins WHERE (status <> 'issued' AND requested_at < $1) \
         OR requested_at < $2",
        true,
    ),
    ("DELETE FROM proj_sso_tickets WHERE expires_at < $1", false),
    (
        "DELETE FROM proj_management_tokens WHERE expires_at < $1",
        false,
    ),
];

/// Deletes the rows past `cutoff` from the short-lived tables on `conn`; the rows deleted.
pub async fn purge(conn: &mut AnyConnection, cutoff: i64) -> anyhow::Result<u64> {
    let mut deleted = 0;
    for (sql, linked) in DELETIONS {
        let mut query = sqlx::query(sql).bind(cutoff);
        if *linked {
            query = query.bind(cutoff - LINKED_MS);
        }
        deleted += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(deleted)
}

/// The cutoff of the last purge, if there was one.
pub async fn stored_cutoff(conn: &mut AnyConnection) -> anyhow::Result<Option<i64>> {
    let value: Option<(String,)> =
        sqlx::query_as("SELECT value FROM store_settings WHERE name = $1")
            .bind(SETTING)
            .fetch_optional(&mut *conn)
            .await?;
    value.map(|(v,)| Ok(v.parse()?)).transpose()
}

/// Applies the stored cutoff to the tables on `conn` (after a rebuild); the rows deleted.
pub async fn apply_stored(conn: &mut AnyConnection) -> anyhow::Result<u64> {
    match stored_cutoff(conn).await? {
        Some(cutoff) => purge(conn, cutoff).await,
        None => Ok(0),
    }
}

/// Purges the live tables of the rows expired before `now` − `GRACE_MS` (never an earlier cutoff
/// than the stored one) and stores the cutoff, in `conn`'s transaction, which must hold the
/// append lock so that no rebuild swaps or compares meanwhile. The cutoff and the rows deleted.
pub async fn purge_expired(conn: &mut AnyConnection, now: i64) -> anyhow::Result<(i64, u64)> {
    let cutoff = stored_cutoff(conn)
        .await?
        .map_or(now - GRACE_MS, |stored| stored.max(now - GRACE_MS));
    let deleted = purge(conn, cutoff).await?;
    sqlx::query(
        "INSERT INTO store_settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(SETTING)
    .bind(cutoff.to_string())
    .execute(&mut *conn)
    .await?;
    Ok((cutoff, deleted))
}

/// One purge of the live tables under the append lock, in a transaction of its own (the worker's
/// round), with the expired CAPTCHA challenges and held SAML requests; the cutoff and the rows
/// deleted.
pub async fn purge_now(pool: &AnyPool, now: i64) -> anyhow::Result<(i64, u64)> {
    let mut tx = pool.begin().await?;
    crate::rebuild::lock_appends(&mut tx).await?;
    let (cutoff, mut deleted) = purge_expired(&mut tx, now).await?;
    // The ephemeral tables too, when no new record has purged them (not projections: no rebuild
    // produces them).
    for table in ["captcha_challenges", "saml_requests"] {
        deleted += sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    Ok((cutoff, deleted))
}
