//! OAuth 2.0 / OIDC grants: which grant a code or refresh token (by keyed hash) belongs to, and the
//! access tokens issued under each, for introspection, userinfo and revocation.

use domain::oauth_grant::{OAuthGrant, OAuthGrantEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::{flag, typed};

pub struct OAuthProjection;

pub const TABLES: &[&str] = &[
    "proj_oauth_grants",
    "proj_oauth_refresh_tokens",
    "proj_oauth_tokens",
];

impl Projector for OAuthProjection {
    fn name(&self) -> &'static str {
        "oauth"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != OAuthGrant::STREAM_TYPE {
                return Ok(());
            }
            apply(conn, &event.tenant_id, &event.stream_id, typed(event)?).await
        })
    }
}

async fn apply(
    conn: &mut AnyConnection,
    tenant: &str,
    grant_id: &str,
    event: OAuthGrantEvent,
) -> anyhow::Result<()> {
    use OAuthGrantEvent as E;
    match event {
        E::Started {
            flow,
            application_id,
            subject,
            scope,
            at,
            ..
        } => {
            let (user_id, session_id) = subject
                .map(|s| (Some(s.user_id), Some(s.session_id)))
                .unwrap_or_default();
            sqlx::query(
                "INSERT INTO proj_oauth_grants (tenant_id, grant_id, flow, application_id, user_id, \
                 session_id, scope, revoked, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
            )
            .bind(tenant)
            .bind(grant_id)
            .bind(flow)
            .bind(application_id)
            .bind(user_id)
            .bind(session_id)
            .bind(scope)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        E::CodeIssued { code } => {
            sqlx::query(
                "UPDATE proj_oauth_grants SET code_hash = $1 WHERE tenant_id = $2 AND grant_id = $3",
            )
            .bind(code.code_hash)
            .bind(tenant)
            .bind(grant_id)
            .execute(&mut *conn)
            .await?;
        }
        E::TokenIssued {
            jti,
            application_id,
            user_id,
            scope,
            issued_at,
            expires_at,
        } => {
            sqlx::query(
                "INSERT INTO proj_oauth_tokens (tenant_id, jti, grant_id, application_id, user_id, \
                 scope, issued_at, expires_at, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
            )
            .bind(tenant)
            .bind(jti)
            .bind(grant_id)
            .bind(application_id)
            .bind(user_id)
            .bind(scope)
            .bind(issued_at)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        }
        E::RefreshIssued { refresh_hash, .. } => {
            sqlx::query(
                "INSERT INTO proj_oauth_refresh_tokens (tenant_id, refresh_hash, grant_id) \
                 VALUES ($1, $2, $3)",
            )
            .bind(tenant)
            .bind(refresh_hash)
            .bind(grant_id)
            .execute(&mut *conn)
            .await?;
        }
        E::Revoked { .. } => {
            for table in ["proj_oauth_grants", "proj_oauth_tokens"] {
                sqlx::query(&format!(
                    "UPDATE {table} SET revoked = 1 WHERE tenant_id = $1 AND grant_id = $2"
                ))
                .bind(tenant)
                .bind(grant_id)
                .execute(&mut *conn)
                .await?;
            }
        }
        E::TokenRevoked { jti, .. } => {
            sqlx::query(
                "UPDATE proj_oauth_tokens SET revoked = 1 WHERE tenant_id = $1 AND jti = $2",
            )
            .bind(tenant)
            .bind(jti)
            .execute(&mut *conn)
            .await?;
        }
        E::CodeRedeemed { .. } | E::CodeReplayed { .. } | E::RefreshReused { .. } => {}
    }
    Ok(())
}

/// The grant an authorisation code (by keyed hash) was issued under.
pub async fn grant_by_code(
    pool: &AnyPool,
    tenant: &str,
    code_hash: &str,
) -> anyhow::Result<Option<String>> {
    let row = sqlx::query(
        "SELECT grant_id FROM proj_oauth_grants WHERE tenant_id = $1 AND code_hash = $2",
    )
    .bind(tenant)
    .bind(code_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.try_get("grant_id")).transpose()?)
}

/// The grant a refresh token (current or already rotated, by keyed hash) belongs to.
pub async fn grant_by_refresh(
    pool: &AnyPool,
    tenant: &str,
    refresh_hash: &str,
) -> anyhow::Result<Option<String>> {
    let row = sqlx::query(
        "SELECT grant_id FROM proj_oauth_refresh_tokens WHERE tenant_id = $1 AND refresh_hash = $2",
    )
    .bind(tenant)
    .bind(refresh_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.try_get("grant_id")).transpose()?)
}

/// An issued access token as recorded.
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub jti: String,
    pub grant_id: String,
    pub application_id: String,
    pub user_id: Option<String>,
    pub scope: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

pub async fn token(pool: &AnyPool, tenant: &str, jti: &str) -> anyhow::Result<Option<TokenRow>> {
    let row = sqlx::query(
        "SELECT jti, grant_id, application_id, user_id, scope, issued_at, expires_at, revoked \
         FROM proj_oauth_tokens WHERE tenant_id = $1 AND jti = $2",
    )
    .bind(tenant)
    .bind(jti)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(TokenRow {
            jti: r.try_get("jti")?,
            grant_id: r.try_get("grant_id")?,
            application_id: r.try_get("application_id")?,
            user_id: r.try_get("user_id")?,
            scope: r.try_get("scope")?,
            issued_at: r.try_get("issued_at")?,
            expires_at: r.try_get("expires_at")?,
            revoked: r.try_get::<i64, _>("revoked")? != 0,
        })
    })
    .transpose()
}

/// Live grants made in an SSO session (ended with it at logout).
pub async fn grants_of_session(
    pool: &AnyPool,
    tenant: &str,
    session_id: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT grant_id, application_id FROM proj_oauth_grants \
         WHERE tenant_id = $1 AND session_id = $2 AND revoked = $3",
    )
    .bind(tenant)
    .bind(session_id)
    .bind(flag(false))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("grant_id")?, r.try_get("application_id")?)))
        .collect()
}
