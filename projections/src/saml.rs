//! SAML: the tenants' signing certificates (for the metadata and the signer) and the sign-in
//! exchanges with their session indexes (for single logout).

use domain::saml_key::{SamlKey, SamlKeyEvent};
use domain::saml_login::{SamlLogin, SamlLoginEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct SamlProjection;

pub const TABLES: &[&str] = &["proj_saml_keys", "proj_saml_logins"];

impl Projector for SamlProjection {
    fn name(&self) -> &'static str {
        "saml"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let (tenant, id) = (&event.tenant_id, &event.stream_id);
            match event.stream_type.as_str() {
                SamlKey::STREAM_TYPE => key(conn, tenant, typed(event)?).await,
                SamlLogin::STREAM_TYPE => login(conn, tenant, id, typed(event)?).await,
                _ => Ok(()),
            }
        })
    }
}

async fn key(conn: &mut AnyConnection, tenant: &str, event: SamlKeyEvent) -> anyhow::Result<()> {
    let SamlKeyEvent::Created {
        key_id,
        certificate,
        active_from,
        created_at,
        ..
    } = event;
    sqlx::query(
        "INSERT INTO proj_saml_keys (tenant_id, key_id, certificate, active_from, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant.to_string())
    .bind(key_id)
    .bind(certificate)
    .bind(active_from)
    .bind(created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn login(
    conn: &mut AnyConnection,
    tenant: &str,
    login_id: &str,
    event: SamlLoginEvent,
) -> anyhow::Result<()> {
    let query = match event {
        SamlLoginEvent::Requested { requested, at } => sqlx::query(
            "INSERT INTO proj_saml_logins (tenant_id, login_id, application_id, status, \
             requested_at) VALUES ($1, $2, $3, 'requested', $4)",
        )
        .bind(tenant.to_string())
        .bind(login_id.to_string())
        .bind(requested.application_id)
        .bind(at),
        SamlLoginEvent::AssertionIssued { issued, .. } => sqlx::query(
            "UPDATE proj_saml_logins SET status = 'issued', session_id = $1, session_index = $2 \
             WHERE tenant_id = $3 AND login_id = $4",
        )
        .bind(issued.session_id)
        .bind(issued.session_index)
        .bind(tenant.to_string())
        .bind(login_id.to_string()),
        SamlLoginEvent::Refused { .. } => sqlx::query(
            "UPDATE proj_saml_logins SET status = 'refused' WHERE tenant_id = $1 AND login_id = $2",
        )
        .bind(tenant.to_string())
        .bind(login_id.to_string()),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub key_id: String,
    /// DER, base64.
    pub certificate: String,
    pub active_from: i64,
}

/// Every SAML key of a tenant, oldest first.
pub async fn keys(pool: &AnyPool, tenant: &str) -> anyhow::Result<Vec<KeyRow>> {
    sqlx::query(
        "SELECT key_id, certificate, active_from FROM proj_saml_keys WHERE tenant_id = $1 \
         ORDER BY active_from, key_id",
    )
    .bind(tenant)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r: &AnyRow| {
        Ok(KeyRow {
            key_id: r.try_get("key_id")?,
            certificate: r.try_get("certificate")?,
            active_from: r.try_get("active_from")?,
        })
    })
    .collect()
}

/// A sign-in whose assertion went to a service provider.
#[derive(Debug, Clone)]
pub struct LoginRow {
    pub login_id: String,
    pub application_id: String,
    pub session_id: String,
    pub session_index: String,
}

fn login_row(r: &AnyRow) -> anyhow::Result<LoginRow> {
    Ok(LoginRow {
        login_id: r.try_get("login_id")?,
        application_id: r.try_get("application_id")?,
        session_id: r.try_get("session_id")?,
        session_index: r.try_get("session_index")?,
    })
}

/// The assertions a session gave out, oldest first.
pub async fn logins_of_session(
    pool: &AnyPool,
    tenant: &str,
    session_id: &str,
) -> anyhow::Result<Vec<LoginRow>> {
    sqlx::query(
        "SELECT login_id, application_id, session_id, session_index FROM proj_saml_logins \
         WHERE tenant_id = $1 AND session_id = $2 AND status = 'issued' \
         ORDER BY requested_at, login_id",
    )
    .bind(tenant)
    .bind(session_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(login_row)
    .collect()
}

/// The sign-in a service provider's session index names.
pub async fn login_by_session_index(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    session_index: &str,
) -> anyhow::Result<Option<LoginRow>> {
    sqlx::query(
        "SELECT login_id, application_id, session_id, session_index FROM proj_saml_logins \
         WHERE tenant_id = $1 AND application_id = $2 AND session_index = $3 AND status = 'issued'",
    )
    .bind(tenant)
    .bind(application_id)
    .bind(session_index)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(login_row)
    .transpose()
}
