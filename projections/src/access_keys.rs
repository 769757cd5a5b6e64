//! Access keys of applications for signed calls (ops/adr/0019, "Signed calls"): one row per key
//! with its application and whether it was revoked. The secrets are derived, never stored.

use domain::access_key::{AccessKey, AccessKeyEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct AccessKeysProjection;

pub const TABLES: &[&str] = &["proj_access_keys"];

impl Projector for AccessKeysProjection {
    fn name(&self) -> &'static str {
        "access_keys"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != AccessKey::STREAM_TYPE {
                return Ok(());
            }
            match typed::<AccessKeyEvent>(event)? {
                AccessKeyEvent::Issued {
                    access_key_id,
                    application_id,
                    at,
                } => {
                    sqlx::query(
                        "INSERT INTO proj_access_keys (tenant_id, access_key_id, application_id, \
                         created_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&event.tenant_id)
                    .bind(access_key_id)
                    .bind(application_id)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                }
                AccessKeyEvent::Revoked {
                    access_key_id, at, ..
                } => {
                    sqlx::query(
                        "UPDATE proj_access_keys SET revoked_at = $1 \
                         WHERE tenant_id = $2 AND access_key_id = $3",
                    )
                    .bind(at)
                    .bind(&event.tenant_id)
                    .bind(access_key_id)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

/// An access key as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyRow {
    pub access_key_id: String,
    pub application_id: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

type Tuple = (String, String, i64, Option<i64>);

fn row((access_key_id, application_id, created_at, revoked_at): Tuple) -> AccessKeyRow {
    AccessKeyRow {
        access_key_id,
        application_id,
        created_at,
        revoked_at,
    }
}

const COLUMNS: &str = "access_key_id, application_id, created_at, revoked_at";

pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    access_key_id: &str,
) -> anyhow::Result<Option<AccessKeyRow>> {
    let found: Option<Tuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_access_keys WHERE tenant_id = $1 AND access_key_id = $2"
    ))
    .bind(tenant)
    .bind(access_key_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(row))
}

/// The application's keys, revoked ones too, oldest first.
pub async fn of_application(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Vec<AccessKeyRow>> {
    let rows: Vec<Tuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_access_keys WHERE tenant_id = $1 AND application_id = $2 \
         ORDER BY created_at, access_key_id"
    ))
    .bind(tenant)
    .bind(application_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(row).collect())
}

/// Records a signed call's nonce for its key until `expires_at` (forgetting those that expired
/// before `forget_before` first); false when the key already used it.
pub async fn spend_nonce(
    pool: &AnyPool,
    tenant: &str,
    access_key_id: &str,
    nonce: &str,
    forget_before: i64,
    expires_at: i64,
) -> anyhow::Result<bool> {
    sqlx::query("DELETE FROM signed_call_nonces WHERE expires_at < $1")
        .bind(forget_before)
        .execute(pool)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO signed_call_nonces (tenant_id, access_key_id, nonce, expires_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(access_key_id)
    .bind(nonce)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
