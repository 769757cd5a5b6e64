//! Tenants and the host names they claim.

use anyhow::Context;
use domain::tenant::{Tenant, TenantEvent, TenantSettings};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct TenantsProjection;

pub const TABLES: &[&str] = &["proj_tenants", "proj_tenant_domains"];

impl Projector for TenantsProjection {
    fn name(&self) -> &'static str {
        "tenants"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != Tenant::STREAM_TYPE {
                return Ok(());
            }
            let tenant_id = &event.tenant_id;
            match typed::<TenantEvent>(event)? {
                TenantEvent::TenantCreated {
                    name,
                    domains,
                    created_at,
                    ..
                } => {
                    sqlx::query(
                        "INSERT INTO proj_tenants (tenant_id, name, settings, created_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(tenant_id)
                    .bind(name)
                    .bind(serde_json::to_string(&TenantSettings::default())?)
                    .bind(created_at)
                    .execute(&mut *conn)
                    .await?;
                    for domain in domains {
                        sqlx::query(
                            "INSERT INTO proj_tenant_domains (domain, tenant_id) VALUES ($1, $2)",
                        )
                        .bind(domain)
                        .bind(tenant_id)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                TenantEvent::DomainAdded { domain } => {
                    sqlx::query(
                        "INSERT INTO proj_tenant_domains (domain, tenant_id) VALUES ($1, $2)",
                    )
                    .bind(domain)
                    .bind(tenant_id)
                    .execute(&mut *conn)
                    .await?;
                }
                TenantEvent::DomainRemoved { domain } => {
                    sqlx::query(
                        "DELETE FROM proj_tenant_domains WHERE domain = $1 AND tenant_id = $2",
                    )
                    .bind(domain)
                    .bind(tenant_id)
                    .execute(&mut *conn)
                    .await?;
                }
                TenantEvent::PasswordPolicyChanged { policy } => {
                    update_settings(conn, tenant_id, |s| s.password_policy = policy).await?
                }
                TenantEvent::UserAttributesChanged { rules } => {
                    update_settings(conn, tenant_id, |s| s.user_attributes = rules).await?
                }
                TenantEvent::LockoutChanged { lockout } => {
                    update_settings(conn, tenant_id, |s| s.lockout = lockout).await?
                }
                TenantEvent::OrganizationPolicyChanged { policy } => {
                    update_settings(conn, tenant_id, |s| s.organizations = policy).await?
                }
                TenantEvent::ManagementTokenLifetimeChanged { seconds } => {
                    update_settings(conn, tenant_id, |s| {
                        s.management_token_lifetime_secs = seconds
                    })
                    .await?
                }
                TenantEvent::RetentionChanged { policy } => {
                    update_settings(conn, tenant_id, |s| s.retention = policy).await?
                }
                // A run's record changes no setting; what it forgot is in other tables.
                TenantEvent::RetentionApplied(_) => {}
            }
            Ok(())
        })
    }
}

async fn update_settings(
    conn: &mut AnyConnection,
    tenant_id: &str,
    change: impl FnOnce(&mut TenantSettings),
) -> anyhow::Result<()> {
    let (text,): (String,) =
        sqlx::query_as("SELECT settings FROM proj_tenants WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *conn)
            .await
            .context("tenant row")?;
    let mut settings: TenantSettings = serde_json::from_str(&text)?;
    change(&mut settings);
    sqlx::query("UPDATE proj_tenants SET settings = $1 WHERE tenant_id = $2")
        .bind(serde_json::to_string(&settings)?)
        .bind(tenant_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct TenantRow {
    pub tenant_id: String,
    pub name: String,
    pub settings: TenantSettings,
}

/// The tenant that claimed a host name, if any.
pub async fn by_domain(pool: &AnyPool, domain: &str) -> anyhow::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT tenant_id FROM proj_tenant_domains WHERE domain = $1")
            .bind(domain)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(t,)| t))
}

pub async fn get(pool: &AnyPool, tenant_id: &str) -> anyhow::Result<Option<TenantRow>> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT tenant_id, name, settings FROM proj_tenants WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_optional(pool)
            .await?;
    row.map(|(tenant_id, name, settings)| {
        Ok(TenantRow {
            tenant_id,
            name,
            settings: serde_json::from_str(&settings)?,
        })
    })
    .transpose()
}

/// Every tenant with the host names it claimed, in creation order.
pub async fn list(pool: &AnyPool) -> anyhow::Result<Vec<(TenantRow, Vec<String>)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT tenant_id, name, settings FROM proj_tenants ORDER BY created_at, tenant_id",
    )
    .fetch_all(pool)
    .await?;
    let domains: Vec<(String, String)> =
        sqlx::query_as("SELECT tenant_id, domain FROM proj_tenant_domains ORDER BY domain")
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(tenant_id, name, settings)| {
            let own = domains
                .iter()
                .filter(|(t, _)| *t == tenant_id)
                .map(|(_, d)| d.clone())
                .collect();
            Ok((
                TenantRow {
                    tenant_id,
                    name,
                    settings: serde_json::from_str(&settings)?,
                },
                own,
            ))
        })
        .collect()
}
