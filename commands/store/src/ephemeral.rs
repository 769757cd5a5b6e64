//! Short-lived records that are not events (DESIGN.md "Audit and compliance", ops/adr/0012):
//! image CAPTCHA challenges, which anyone may ask for without a credential. They live in a table
//! of their own until answered (once) or expired; issuing one purges the expired ones, so the
//! table holds at most what the rate limits let in within a challenge's lifetime.

use sqlx::{AnyPool, Row};

/// Stores a challenge (its answer only as a keyed hash) and purges expired ones.
pub async fn put_captcha(
    pool: &AnyPool,
    tenant_id: &str,
    captcha_id: &str,
    answer_hash: &str,
    expires_at: i64,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM captcha_challenges WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO captcha_challenges (tenant_id, captcha_id, answer_hash, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant_id)
    .bind(captcha_id)
    .bind(answer_hash)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes a challenge out (whatever the answer, it cannot be tried twice): its answer hash and
/// expiry, if it was there.
pub async fn take_captcha(
    pool: &AnyPool,
    tenant_id: &str,
    captcha_id: &str,
) -> anyhow::Result<Option<(String, i64)>> {
    let row = sqlx::query(
        "DELETE FROM captcha_challenges WHERE tenant_id = $1 AND captcha_id = $2 \
         RETURNING answer_hash, expires_at",
    )
    .bind(tenant_id)
    .bind(captcha_id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((r.try_get("answer_hash")?, r.try_get("expires_at")?)))
        .transpose()
}

/// How many challenges are stored (for tests and the abuse script's figures).
pub async fn captcha_count(pool: &AnyPool) -> anyhow::Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM captcha_challenges")
            .fetch_one(pool)
            .await?,
    )
}
