//! Signing keys (public halves), SSO sessions and login lockouts: what the sign-in surfaces read.

use domain::login_attempts::{LoginAttempts, LoginAttemptsEvent};
use domain::signing_key::{SigningKey, SigningKeyEvent};
use domain::sso_session::{SsoSession, SsoSessionEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::{flag, typed};

pub struct SessionsProjection;

pub const TABLES: &[&str] = &[
    "proj_signing_keys",
    "proj_sso_sessions",
    "proj_login_lockouts",
];

impl Projector for SessionsProjection {
    fn name(&self) -> &'static str {
        "sessions"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let tenant = &event.tenant_id;
            match event.stream_type.as_str() {
                SigningKey::STREAM_TYPE => key(conn, tenant, typed(event)?).await,
                SsoSession::STREAM_TYPE => {
                    session(conn, tenant, &event.stream_id, typed(event)?).await
                }
                LoginAttempts::STREAM_TYPE => {
                    lockout(conn, tenant, &event.stream_id, typed(event)?).await
                }
                _ => Ok(()),
            }
        })
    }
}

async fn key(conn: &mut AnyConnection, tenant: &str, event: SigningKeyEvent) -> anyhow::Result<()> {
    let SigningKeyEvent::Created {
        key_id,
        algorithm,
        public_key,
        supersedes,
        created_at,
        ..
    } = event;
    sqlx::query(
        "INSERT INTO proj_signing_keys (tenant_id, key_id, algorithm, public_key, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(key_id)
    .bind(algorithm)
    .bind(public_key)
    .bind(created_at)
    .execute(&mut *conn)
    .await?;
    if let Some(old) = supersedes {
        sqlx::query(
            "UPDATE proj_signing_keys SET publish_until = $1 WHERE tenant_id = $2 AND key_id = $3",
        )
        .bind(old.publish_until)
        .bind(tenant)
        .bind(old.key_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn session(
    conn: &mut AnyConnection,
    tenant: &str,
    session_id: &str,
    event: SsoSessionEvent,
) -> anyhow::Result<()> {
    let query = match event {
        SsoSessionEvent::Started {
            user_id,
            cookie_hash,
            methods,
            needs_second_factor,
            remember_me,
            auth_time,
            expires_at,
            device_hash,
            ..
        } => sqlx::query(
            "INSERT INTO proj_sso_sessions (tenant_id, session_id, user_id, cookie_hash, methods, \
             needs_second_factor, remember_me, auth_time, expires_at, device_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(tenant.to_string())
        .bind(session_id.to_string())
        .bind(user_id)
        .bind(cookie_hash)
        .bind(methods.join(" "))
        .bind(flag(needs_second_factor))
        .bind(flag(remember_me))
        .bind(auth_time)
        .bind(expires_at)
        .bind(device_hash),
        SsoSessionEvent::SecondFactorPassed { method, .. } => sqlx::query(
            "UPDATE proj_sso_sessions SET needs_second_factor = 0, methods = methods || ' ' || $1 \
             WHERE tenant_id = $2 AND session_id = $3",
        )
        .bind(method)
        .bind(tenant.to_string())
        .bind(session_id.to_string()),
        SsoSessionEvent::CookieRotated { cookie_hash, .. } => sqlx::query(
            "UPDATE proj_sso_sessions SET cookie_hash = $1 WHERE tenant_id = $2 AND session_id = $3",
        )
        .bind(cookie_hash)
        .bind(tenant.to_string())
        .bind(session_id.to_string()),
        SsoSessionEvent::Refreshed { expires_at, .. } => sqlx::query(
            "UPDATE proj_sso_sessions SET expires_at = $1 WHERE tenant_id = $2 AND session_id = $3",
        )
        .bind(expires_at)
        .bind(tenant.to_string())
        .bind(session_id.to_string()),
        SsoSessionEvent::Ended { at, .. } => sqlx::query(
            "UPDATE proj_sso_sessions SET ended_at = $1 WHERE tenant_id = $2 AND session_id = $3",
        )
        .bind(at)
        .bind(tenant.to_string())
        .bind(session_id.to_string()),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

/// The account's count (the lock that applies to devices the user has not signed in from, the
/// user detail's `locked`); familiar devices' counts are the aggregate's alone.
async fn lockout(
    conn: &mut AnyConnection,
    tenant: &str,
    user_id: &str,
    event: LoginAttemptsEvent,
) -> anyhow::Result<()> {
    let row = match event {
        LoginAttemptsEvent::Failed {
            device: Some(_), ..
        }
        | LoginAttemptsEvent::FailuresCleared {
            device: Some(_), ..
        } => return Ok(()),
        LoginAttemptsEvent::Failed {
            failures,
            locked_until,
            at,
            device: None,
            ..
        } => {
            let (_, before) = lockout_on(&mut *conn, tenant, user_id).await?;
            // A failure while locked keeps the lock; one after it has run out ends it.
            let locked_until = locked_until.or(before.filter(|until| *until > at));
            Some((i64::from(failures), locked_until, at))
        }
        LoginAttemptsEvent::FailuresCleared { device: None, .. }
        | LoginAttemptsEvent::Unlocked { .. } => None,
    };
    sqlx::query("DELETE FROM proj_login_lockouts WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let Some((failures, locked_until, at)) = row else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO proj_login_lockouts (tenant_id, user_id, failures, locked_until, last_failure_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(user_id)
    .bind(failures)
    .bind(locked_until)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn lockout_on(
    conn: &mut AnyConnection,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<(u32, Option<i64>)> {
    let row = sqlx::query(
        "SELECT failures, locked_until FROM proj_login_lockouts WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(tenant)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    lockout_row(row)
}

fn lockout_row(row: Option<sqlx::any::AnyRow>) -> anyhow::Result<(u32, Option<i64>)> {
    match row {
        Some(r) => Ok((
            u32::try_from(r.try_get::<i64, _>("failures")?).unwrap_or(u32::MAX),
            r.try_get("locked_until")?,
        )),
        None => Ok((0, None)),
    }
}

/// A published signing key (public half).
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub key_id: String,
    pub algorithm: String,
    pub public_key: String,
    pub created_at: i64,
    pub publish_until: Option<i64>,
}

/// Every signing key of a tenant, newest first.
pub async fn keys(pool: &AnyPool, tenant: &str) -> anyhow::Result<Vec<KeyRow>> {
    let rows = sqlx::query(
        "SELECT key_id, algorithm, public_key, created_at, publish_until FROM proj_signing_keys \
         WHERE tenant_id = $1 ORDER BY created_at DESC, key_id DESC",
    )
    .bind(tenant)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(KeyRow {
                key_id: r.try_get("key_id")?,
                algorithm: r.try_get("algorithm")?,
                public_key: r.try_get("public_key")?,
                created_at: r.try_get("created_at")?,
                publish_until: r.try_get("publish_until")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub session_id: String,
    pub user_id: String,
    pub methods: Vec<String>,
    pub needs_second_factor: bool,
    pub remember_me: bool,
    pub auth_time: i64,
    pub expires_at: i64,
    pub ended: bool,
    /// The keyed hash of the device fingerprint an SDK session is bound to.
    pub device_hash: Option<String>,
}

fn session_row(r: &sqlx::any::AnyRow) -> anyhow::Result<SessionRow> {
    let methods: String = r.try_get("methods")?;
    Ok(SessionRow {
        session_id: r.try_get("session_id")?,
        user_id: r.try_get("user_id")?,
        methods: methods.split_whitespace().map(str::to_string).collect(),
        needs_second_factor: r.try_get::<i64, _>("needs_second_factor")? != 0,
        remember_me: r.try_get::<i64, _>("remember_me")? != 0,
        auth_time: r.try_get("auth_time")?,
        expires_at: r.try_get("expires_at")?,
        ended: r.try_get::<Option<i64>, _>("ended_at")?.is_some(),
        device_hash: r.try_get("device_hash")?,
    })
}

const SESSION_COLUMNS: &str = "session_id, user_id, methods, needs_second_factor, remember_me, \
     auth_time, expires_at, ended_at, device_hash";

/// The session a cookie (by its keyed hash) belongs to, live or not.
pub async fn by_cookie(
    pool: &AnyPool,
    tenant: &str,
    cookie_hash: &str,
) -> anyhow::Result<Option<SessionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM proj_sso_sessions WHERE tenant_id = $1 AND cookie_hash = $2"
    ))
    .bind(tenant)
    .bind(cookie_hash)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(session_row).transpose()
}

pub async fn session_by_id(
    pool: &AnyPool,
    tenant: &str,
    session_id: &str,
) -> anyhow::Result<Option<SessionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM proj_sso_sessions WHERE tenant_id = $1 AND session_id = $2"
    ))
    .bind(tenant)
    .bind(session_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(session_row).transpose()
}

/// The account's consecutive failures and lock end (for devices the user has not signed in
/// from), if any failure is on record.
pub async fn lockout_of(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<(u32, Option<i64>)> {
    let row = sqlx::query(
        "SELECT failures, locked_until FROM proj_login_lockouts WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(tenant)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    lockout_row(row)
}

/// The users of `user_ids` whose account is locked at `now`.
pub async fn locked_users(
    pool: &AnyPool,
    tenant: &str,
    user_ids: &[String],
    now: i64,
) -> anyhow::Result<std::collections::HashSet<String>> {
    let mut locked = std::collections::HashSet::new();
    for chunk in user_ids.chunks(200) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT user_id FROM proj_login_lockouts WHERE tenant_id = $1 AND locked_until > $2 \
             AND user_id IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(tenant).bind(now);
        for id in chunk {
            query = query.bind(id);
        }
        for row in query.fetch_all(pool).await? {
            locked.insert(row.try_get::<String, _>("user_id")?);
        }
    }
    Ok(locked)
}

/// Sets `locked` on the users whose account is locked at `now` (the lock lives in the login
/// attempts, not in the user's own stream).
pub async fn mark_locked(
    pool: &AnyPool,
    tenant: &str,
    users: &mut [crate::users::UserRow],
    now: i64,
) -> anyhow::Result<()> {
    let ids: Vec<String> = users.iter().map(|u| u.user_id.clone()).collect();
    let locked = locked_users(pool, tenant, &ids, now).await?;
    for user in users {
        user.locked = user.locked || locked.contains(&user.user_id);
    }
    Ok(())
}
