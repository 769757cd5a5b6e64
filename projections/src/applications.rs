//! Applications and the management tokens issued to them.

use commands::{Projector, RecordedEvent};
use domain::application::{Application, ApplicationEvent};
use domain::management_token::{ManagementToken, ManagementTokenEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};

use crate::support::{flag, typed};

pub struct ApplicationsProjection;

pub const TABLES: &[&str] = &["proj_applications", "proj_management_tokens"];

impl Projector for ApplicationsProjection {
    fn name(&self) -> &'static str {
        "applications"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let tenant_id = &event.tenant_id;
            if event.stream_type == Application::STREAM_TYPE {
                match typed::<ApplicationEvent>(event)? {
                    ApplicationEvent::ApplicationRegistered {
                        application_id,
                        name,
                        client_id,
                        client_secret_hash,
                        api_product,
                        enabled,
                        created_at,
                    } => {
                        sqlx::query(
                            "INSERT INTO proj_applications (tenant_id, application_id, name, client_id, \
                             client_secret_hash, api_product, enabled, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(tenant_id)
                        .bind(application_id)
                        .bind(name)
                        .bind(client_id)
                        .bind(client_secret_hash)
                        .bind(flag(api_product))
                        .bind(flag(enabled))
                        .bind(created_at)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            } else if event.stream_type == ManagementToken::STREAM_TYPE {
                match typed::<ManagementTokenEvent>(event)? {
                    ManagementTokenEvent::ManagementTokenIssued {
                        token_id,
                        application_id,
                        token_hash,
                        scope,
                        issued_at,
                        expires_at,
                    } => {
                        sqlx::query(
                            "INSERT INTO proj_management_tokens (token_hash, tenant_id, token_id, \
                             application_id, scope, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        )
                        .bind(token_hash)
                        .bind(tenant_id)
                        .bind(token_id)
                        .bind(application_id)
                        .bind(scope)
                        .bind(issued_at)
                        .bind(expires_at)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            }
            Ok(())
        })
    }
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub application_id: String,
    pub name: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub api_product: bool,
    pub enabled: bool,
}

type AppTuple = (String, String, String, String, i64, i64);

fn app_row(
    (application_id, name, client_id, client_secret_hash, api_product, enabled): AppTuple,
) -> ApplicationRow {
    ApplicationRow {
        application_id,
        name,
        client_id,
        client_secret_hash,
        api_product: api_product != 0,
        enabled: enabled != 0,
    }
}

pub async fn by_client_id(
    pool: &AnyPool,
    tenant_id: &str,
    client_id: &str,
) -> anyhow::Result<Option<ApplicationRow>> {
    let row: Option<AppTuple> = sqlx::query_as(
        "SELECT application_id, name, client_id, client_secret_hash, api_product, enabled \
         FROM proj_applications WHERE tenant_id = $1 AND client_id = $2",
    )
    .bind(tenant_id)
    .bind(client_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(app_row))
}

/// Whether the tenant has an enabled application holding the API product.
pub async fn has_management_app(pool: &AnyPool, tenant_id: &str) -> anyhow::Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT application_id FROM proj_applications \
         WHERE tenant_id = $1 AND api_product = 1 AND enabled = 1 LIMIT 1",
    )
    .bind(tenant_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

/// A management token that is known, not expired at `now`, and whose application is still
/// enabled with the API product granted: its application id.
pub async fn live_token(
    pool: &AnyPool,
    tenant_id: &str,
    token_hash: &str,
    now: i64,
) -> anyhow::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT t.application_id FROM proj_management_tokens t \
         JOIN proj_applications a ON a.tenant_id = t.tenant_id AND a.application_id = t.application_id \
         WHERE t.token_hash = $1 AND t.tenant_id = $2 AND t.expires_at > $3 \
         AND a.enabled = 1 AND a.api_product = 1",
    )
    .bind(token_hash)
    .bind(tenant_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(a,)| a))
}
