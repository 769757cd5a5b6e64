//! Short-lived records that are not events (DESIGN.md "Audit and compliance", ops/adr/0012,
//! ops/adr/0027): image CAPTCHA challenges and SAML AuthnRequests, which anyone may send without a
//! credential. They live in a table of their own until answered (once) or expired; storing one
//! purges the expired ones, so a table holds at most what the rate limits let in within a record's
//! lifetime.

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

/// A SAML AuthnRequest held until it is answered (ops/adr/0027).
#[derive(Debug, Clone)]
pub struct HeldSamlRequest {
    /// What was requested, as JSON.
    pub requested: String,
    pub requested_at: i64,
    pub expires_at: i64,
    pub answered: bool,
}

/// Holds an AuthnRequest under `login_id` and purges expired ones; `false` when the id is held
/// already (a replayed request ID).
pub async fn put_saml_request(
    pool: &AnyPool,
    tenant_id: &str,
    login_id: &str,
    requested: &str,
    now: i64,
    expires_at: i64,
) -> anyhow::Result<bool> {
    sqlx::query("DELETE FROM saml_requests WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO saml_requests (tenant_id, login_id, requested, requested_at, expires_at, \
         answered) VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (tenant_id, login_id) DO NOTHING",
    )
    .bind(tenant_id)
    .bind(login_id)
    .bind(requested)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The held request, if there is one that has not expired.
pub async fn saml_request(
    pool: &AnyPool,
    tenant_id: &str,
    login_id: &str,
    now: i64,
) -> anyhow::Result<Option<HeldSamlRequest>> {
    let row = sqlx::query(
        "SELECT requested, requested_at, expires_at, answered FROM saml_requests \
         WHERE tenant_id = $1 AND login_id = $2 AND expires_at > $3",
    )
    .bind(tenant_id)
    .bind(login_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(HeldSamlRequest {
            requested: r.try_get("requested")?,
            requested_at: r.try_get("requested_at")?,
            expires_at: r.try_get("expires_at")?,
            answered: r.try_get::<i64, _>("answered")? != 0,
        })
    })
    .transpose()
}

/// Marks a held request answered; `false` when another answer came first (or it is gone).
pub async fn answer_saml_request(
    pool: &AnyPool,
    tenant_id: &str,
    login_id: &str,
) -> anyhow::Result<bool> {
    let updated = sqlx::query(
        "UPDATE saml_requests SET answered = 1 \
         WHERE tenant_id = $1 AND login_id = $2 AND answered = 0",
    )
    .bind(tenant_id)
    .bind(login_id)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// How many AuthnRequests are held (for tests and figures).
pub async fn saml_request_count(pool: &AnyPool) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM saml_requests")
        .fetch_one(pool)
        .await?)
}
