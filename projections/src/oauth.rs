//! OAuth 2.0 / OIDC grants: which grant a code or refresh token (by keyed hash) belongs to, and the
//! access tokens issued under each, for introspection, userinfo and revocation.

use domain::oauth_grant::{OAuthGrant, OAuthGrantEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Row};
use store::statements::Statements;
use store::{Projector, RecordedEvent};

use crate::support::{flag, typed};

pub struct OAuthProjection;

pub const TABLES: &[&str] = &[
    "proj_oauth_grants",
    "proj_oauth_refresh_tokens",
    "proj_oauth_tokens",
];

/// Only the protocol handlers read these tables, never the writer, so the writer gives this
/// projection a batch's events together (`batched`, ops/adr/0030, 0033): new grants, tokens and
/// refresh tokens are inserted many rows to a statement.
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
            let mut out = Statements::on(conn);
            write(&mut out, std::slice::from_ref(event)).await?;
            out.send().await
        })
    }

    fn batched(&self) -> bool {
        true
    }

    fn apply_all<'a, 'c: 'a>(
        &'a self,
        out: &'a mut Statements<'c>,
        events: &'a [RecordedEvent],
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(write(out, events))
    }
}

const GRANT_COLUMNS: [&str; 10] = [
    "tenant_id",
    "grant_id",
    "flow",
    "application_id",
    "user_id",
    "session_id",
    "scope",
    "revoked",
    "created_at",
    "code_hash",
];

const TOKEN_COLUMNS: [&str; 9] = [
    "tenant_id",
    "jti",
    "grant_id",
    "application_id",
    "user_id",
    "scope",
    "issued_at",
    "expires_at",
    "revoked",
];

const REFRESH_COLUMNS: [&str; 3] = ["tenant_id", "refresh_hash", "grant_id"];

struct NewGrant {
    tenant_id: String,
    grant_id: String,
    flow: String,
    application_id: String,
    user_id: Option<String>,
    session_id: Option<String>,
    scope: String,
    created_at: i64,
    code_hash: Option<String>,
}

struct NewToken {
    tenant_id: String,
    row: TokenRow,
}

struct NewRefresh {
    tenant_id: String,
    refresh_hash: String,
    grant_id: String,
}

/// New rows, inserted together; an update first writes them (it may be of one of them).
#[derive(Default)]
struct NewRows {
    grants: Vec<NewGrant>,
    tokens: Vec<NewToken>,
    refresh: Vec<NewRefresh>,
}

impl NewRows {
    async fn write(&mut self, out: &mut Statements<'_>) -> anyhow::Result<()> {
        use store::rows::insert_all;
        insert_all(
            out,
            "proj_oauth_grants",
            &GRANT_COLUMNS,
            &self.grants,
            |q, r| {
                q.bind(r.tenant_id.clone())
                    .bind(r.grant_id.clone())
                    .bind(r.flow.clone())
                    .bind(r.application_id.clone())
                    .bind(r.user_id.clone())
                    .bind(r.session_id.clone())
                    .bind(r.scope.clone())
                    .bind(flag(false))
                    .bind(r.created_at)
                    .bind(r.code_hash.clone())
            },
        )
        .await?;
        insert_all(
            out,
            "proj_oauth_tokens",
            &TOKEN_COLUMNS,
            &self.tokens,
            |q, NewToken { tenant_id, row }| {
                q.bind(tenant_id.clone())
                    .bind(row.jti.clone())
                    .bind(row.grant_id.clone())
                    .bind(row.application_id.clone())
                    .bind(row.user_id.clone())
                    .bind(row.scope.clone())
                    .bind(row.issued_at)
                    .bind(row.expires_at)
                    .bind(flag(row.revoked))
            },
        )
        .await?;
        insert_all(
            out,
            "proj_oauth_refresh_tokens",
            &REFRESH_COLUMNS,
            &self.refresh,
            |q, r| {
                q.bind(r.tenant_id.clone())
                    .bind(r.refresh_hash.clone())
                    .bind(r.grant_id.clone())
            },
        )
        .await?;
        *self = Self::default();
        Ok(())
    }
}

/// Applies the events in order: new rows are held and inserted together, updates run as they
/// come (after the rows held before them), and a code issued to a grant started in the same
/// events goes into the grant's new row.
async fn write(out: &mut Statements<'_>, events: &[RecordedEvent]) -> anyhow::Result<()> {
    use OAuthGrantEvent as E;
    let mut new = NewRows::default();
    for event in events {
        if event.stream_type != OAuthGrant::STREAM_TYPE {
            continue;
        }
        let (tenant, grant_id) = (&event.tenant_id, &event.stream_id);
        match typed::<OAuthGrantEvent>(event)? {
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
                new.grants.push(NewGrant {
                    tenant_id: tenant.clone(),
                    grant_id: grant_id.clone(),
                    flow,
                    application_id,
                    user_id,
                    session_id,
                    scope,
                    created_at: at,
                    code_hash: None,
                });
            }
            E::CodeGranted {
                application_id,
                subject,
                scope,
                at,
                code,
                ..
            } => new.grants.push(NewGrant {
                tenant_id: tenant.clone(),
                grant_id: grant_id.clone(),
                flow: "authorization_code".into(),
                application_id,
                user_id: Some(subject.user_id),
                session_id: Some(subject.session_id),
                scope,
                created_at: at,
                code_hash: Some(code.code_hash),
            }),
            E::CodeIssued { code } => {
                let started = new
                    .grants
                    .iter_mut()
                    .find(|g| g.tenant_id == *tenant && g.grant_id == *grant_id);
                match started {
                    Some(row) => row.code_hash = Some(code.code_hash),
                    None => {
                        new.write(out).await?;
                        let sql = "UPDATE proj_oauth_grants SET code_hash = $1 \
                                   WHERE tenant_id = $2 AND grant_id = $3";
                        out.push(sql, |v| {
                            v.bind(code.code_hash)
                                .bind(tenant.clone())
                                .bind(grant_id.clone());
                        })
                        .await?;
                    }
                }
            }
            issued @ E::ClientTokenIssued { .. } => {
                let Some(row) = TokenRow::issued(grant_id, &issued) else {
                    continue;
                };
                new.grants.push(NewGrant {
                    tenant_id: tenant.clone(),
                    grant_id: grant_id.clone(),
                    flow: "client_credentials".into(),
                    application_id: row.application_id.clone(),
                    user_id: None,
                    session_id: None,
                    scope: row.scope.clone(),
                    created_at: row.issued_at,
                    code_hash: None,
                });
                new.tokens.push(NewToken {
                    tenant_id: tenant.clone(),
                    row,
                });
            }
            // A code exchange is a token issued, and its refresh token when it has one.
            issued @ (E::TokenIssued { .. } | E::CodeExchanged { .. }) => {
                if let Some(row) = TokenRow::issued(grant_id, &issued) {
                    new.tokens.push(NewToken {
                        tenant_id: tenant.clone(),
                        row,
                    });
                }
                if let E::CodeExchanged {
                    refresh: Some(refresh),
                    ..
                } = issued
                {
                    new.refresh.push(NewRefresh {
                        tenant_id: tenant.clone(),
                        refresh_hash: refresh.refresh_hash,
                        grant_id: grant_id.clone(),
                    });
                }
            }
            E::RefreshIssued { refresh_hash, .. } => new.refresh.push(NewRefresh {
                tenant_id: tenant.clone(),
                refresh_hash,
                grant_id: grant_id.clone(),
            }),
            E::Revoked { .. } => {
                new.write(out).await?;
                for table in ["proj_oauth_grants", "proj_oauth_tokens"] {
                    let sql = format!(
                        "UPDATE {table} SET revoked = 1 WHERE tenant_id = $1 AND grant_id = $2"
                    );
                    out.push(&sql, |v| {
                        v.bind(tenant.clone()).bind(grant_id.clone());
                    })
                    .await?;
                }
            }
            E::TokenRevoked { jti, .. } => {
                new.write(out).await?;
                let sql =
                    "UPDATE proj_oauth_tokens SET revoked = 1 WHERE tenant_id = $1 AND jti = $2";
                out.push(sql, |v| {
                    v.bind(tenant.clone()).bind(jti);
                })
                .await?;
            }
            E::CodeRedeemed { .. } | E::CodeReplayed { .. } | E::RefreshReused { .. } => {}
        }
    }
    new.write(out).await
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

impl TokenRow {
    /// The row a `token_issued`, `client_token_issued` or `code_exchanged` event of the grant
    /// records (not revoked); `None` for any other event.
    pub fn issued(grant_id: &str, event: &OAuthGrantEvent) -> Option<Self> {
        let (jti, application_id, user_id, scope, issued_at, expires_at) = match event {
            OAuthGrantEvent::TokenIssued {
                jti,
                application_id,
                user_id,
                scope,
                issued_at,
                expires_at,
            }
            | OAuthGrantEvent::CodeExchanged {
                jti,
                application_id,
                user_id,
                scope,
                issued_at,
                expires_at,
                ..
            } => (
                jti,
                application_id,
                user_id.clone(),
                scope,
                issued_at,
                expires_at,
            ),
            OAuthGrantEvent::ClientTokenIssued {
                jti,
                application_id,
                scope,
                issued_at,
                expires_at,
                ..
            } => (jti, application_id, None, scope, issued_at, expires_at),
            _ => return None,
        };
        Some(Self {
            jti: jti.clone(),
            grant_id: grant_id.to_string(),
            application_id: application_id.clone(),
            user_id,
            scope: scope.clone(),
            issued_at: *issued_at,
            expires_at: *expires_at,
            revoked: false,
        })
    }
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
