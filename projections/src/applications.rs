//! Applications, and the lookup of the management tokens issued to them (the tokens' table is
//! `management_tokens`'s).

use domain::application::ProtocolSettings;
use domain::application::{Application, ApplicationEvent};
use domain::authority::{AuditReading, Authority};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::{flag, typed};

pub struct ApplicationsProjection;

pub const TABLES: &[&str] = &["proj_applications"];

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
                        app_orgs,
                        app_roles,
                        enabled,
                        protocols,
                        account_extensions,
                        created_at,
                        details,
                    } => {
                        let by_system = event.metadata.actor_kind.as_deref() == Some("system");
                        let default_tenant = tenant_id == domain::tenant::DEFAULT_TENANT_ID;
                        let authority =
                            Authority::at_registration(api_product, by_system, default_tenant);
                        sqlx::query(
                            "INSERT INTO proj_applications (tenant_id, application_id, name, client_id, \
                             client_secret_hash, api_product, enabled, created_at, app_orgs, app_roles, \
                             protocols, account_extensions, authority, details, creator, updated_at, \
                             type_code) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $8, $16)",
                        )
                        .bind(tenant_id)
                        .bind(application_id)
                        .bind(name)
                        .bind(client_id)
                        .bind(client_secret_hash)
                        .bind(flag(api_product))
                        .bind(flag(enabled))
                        .bind(created_at)
                        .bind(flag(app_orgs))
                        .bind(flag(app_roles))
                        .bind(serde_json::to_string(&protocols)?)
                        .bind(serde_json::to_string(&account_extensions)?)
                        .bind(authority.map(Authority::as_str))
                        .bind(serde_json::to_string(&details)?)
                        .bind(event.metadata.actor_id.clone())
                        .bind(details.type_code.clone())
                        .execute(&mut *conn)
                        .await?;
                    }
                    ApplicationEvent::AuthorityChanged {
                        application_id,
                        authority,
                        applications,
                        ..
                    } => {
                        sqlx::query(
                            "UPDATE proj_applications SET authority = $1, granted_applications = $2 \
                             WHERE tenant_id = $3 AND application_id = $4",
                        )
                        .bind(authority.map(Authority::as_str))
                        .bind(serde_json::to_string(&applications)?)
                        .bind(tenant_id)
                        .bind(application_id)
                        .execute(&mut *conn)
                        .await?;
                    }
                    ApplicationEvent::AuditReadingChanged {
                        application_id,
                        reading,
                        ..
                    } => {
                        sqlx::query(
                            "UPDATE proj_applications SET audit_reading = $1 \
                             WHERE tenant_id = $2 AND application_id = $3",
                        )
                        .bind(reading.map(AuditReading::as_str))
                        .bind(tenant_id)
                        .bind(application_id)
                        .execute(&mut *conn)
                        .await?;
                    }
                    ApplicationEvent::ApplicationEnabled { application_id, at } => {
                        set_enabled(conn, tenant_id, &application_id, true, at).await?
                    }
                    ApplicationEvent::ApplicationDisabled { application_id, at } => {
                        set_enabled(conn, tenant_id, &application_id, false, at).await?
                    }
                    ApplicationEvent::ApplicationDeleted { application_id, .. } => {
                        sqlx::query("DELETE FROM proj_applications WHERE tenant_id = $1 AND application_id = $2")
                            .bind(tenant_id)
                            .bind(application_id)
                            .execute(&mut *conn)
                            .await?;
                    }
                    ApplicationEvent::SecretRotated {
                        application_id,
                        client_secret_hash,
                        at,
                    } => {
                        sqlx::query(
                            "UPDATE proj_applications SET client_secret_hash = $1, updated_at = $4 \
                             WHERE tenant_id = $2 AND application_id = $3",
                        )
                        .bind(client_secret_hash)
                        .bind(tenant_id)
                        .bind(application_id)
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                    }
                    ApplicationEvent::ApplicationConfigured {
                        application_id,
                        name,
                        api_product,
                        app_orgs,
                        app_roles,
                        protocols,
                        account_extensions,
                        at,
                        details,
                        ..
                    } => {
                        sqlx::query(
                            "UPDATE proj_applications SET name = $1, api_product = $2, app_orgs = $3, \
                             app_roles = $4, protocols = $5, account_extensions = $8, details = $9, \
                             updated_at = $10, type_code = $11 WHERE tenant_id = $6 AND application_id = $7",
                        )
                        .bind(name)
                        .bind(flag(api_product))
                        .bind(flag(app_orgs))
                        .bind(flag(app_roles))
                        .bind(serde_json::to_string(&protocols)?)
                        .bind(tenant_id)
                        .bind(application_id)
                        .bind(serde_json::to_string(&account_extensions)?)
                        .bind(serde_json::to_string(&details)?)
                        .bind(at)
                        .bind(details.type_code.clone())
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            }
            Ok(())
        })
    }
}

async fn set_enabled(
    conn: &mut AnyConnection,
    tenant_id: &str,
    application_id: &str,
    enabled: bool,
    at: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE proj_applications SET enabled = $1, updated_at = $4 \
         WHERE tenant_id = $2 AND application_id = $3",
    )
    .bind(flag(enabled))
    .bind(tenant_id)
    .bind(application_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub application_id: String,
    pub name: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub api_product: bool,
    pub enabled: bool,
    pub app_orgs: bool,
    pub app_roles: bool,
    pub protocols: ProtocolSettings,
    pub account_extensions: Vec<String>,
    pub created_at: i64,
    /// The management authority granted or held since registration (ops/adr/0014).
    pub authority: Option<Authority>,
    /// The other applications a directory client may manage.
    pub granted_applications: Vec<String>,
    pub details: domain::application::AppDetails,
    /// Who registered it (the actor of `application.registered`).
    pub creator: Option<String>,
    pub updated_at: i64,
    /// What its credential may read of the audit surface (ops/adr/0022).
    pub audit_reading: Option<AuditReading>,
}

impl ApplicationRow {
    /// What its management credential may do: nothing without the API product; a directory
    /// client unless more was granted; `Auditor` when it was made an auditor (which manages
    /// nothing: see `manages`).
    pub fn management_authority(&self) -> Option<Authority> {
        self.api_product
            .then(|| self.authority.unwrap_or(Authority::Directory))
    }

    /// Its authority on the management surfaces: none for an auditor (ops/adr/0022).
    pub fn manages(&self) -> Option<Authority> {
        self.management_authority()
            .filter(|authority| *authority != Authority::Auditor)
    }

    /// Whether its credential is an auditor's, which reads the audit surface and nothing else.
    pub fn is_auditor(&self) -> bool {
        self.management_authority() == Some(Authority::Auditor)
    }

    /// What it may read of the audit surface: an auditor reads the events (and personal values
    /// when granted them); any other credential only what it was granted.
    pub fn reads_audit(&self) -> Option<AuditReading> {
        match (self.is_auditor(), self.audit_reading) {
            (true, None) => Some(AuditReading::Events),
            (_, granted) => granted,
        }
    }
}

pub(crate) const APP_COLUMNS: &str =
    "application_id, name, client_id, client_secret_hash, api_product, enabled, \
                           app_orgs, app_roles, protocols, account_extensions, created_at, \
                           authority, granted_applications, details, creator, updated_at, \
                           audit_reading";

pub(crate) fn app_row(row: &AnyRow) -> anyhow::Result<ApplicationRow> {
    let protocols: String = row.try_get("protocols")?;
    Ok(ApplicationRow {
        application_id: row.try_get("application_id")?,
        name: row.try_get("name")?,
        client_id: row.try_get("client_id")?,
        client_secret_hash: row.try_get("client_secret_hash")?,
        api_product: row.try_get::<i64, _>("api_product")? != 0,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        app_orgs: row.try_get::<i64, _>("app_orgs")? != 0,
        app_roles: row.try_get::<i64, _>("app_roles")? != 0,
        protocols: serde_json::from_str(&protocols)?,
        account_extensions: serde_json::from_str(&row.try_get::<String, _>("account_extensions")?)?,
        created_at: row.try_get("created_at")?,
        authority: row
            .try_get::<Option<String>, _>("authority")?
            .as_deref()
            .and_then(Authority::parse),
        granted_applications: serde_json::from_str(
            &row.try_get::<String, _>("granted_applications")?,
        )?,
        details: serde_json::from_str(&row.try_get::<String, _>("details")?)?,
        creator: row.try_get("creator")?,
        updated_at: row.try_get("updated_at")?,
        audit_reading: row
            .try_get::<Option<String>, _>("audit_reading")?
            .as_deref()
            .and_then(AuditReading::parse),
    })
}

/// Every application of a tenant, in creation order.
pub async fn list(pool: &AnyPool, tenant_id: &str) -> anyhow::Result<Vec<ApplicationRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {APP_COLUMNS} FROM proj_applications WHERE tenant_id = $1 ORDER BY created_at, application_id"
    ))
    .bind(tenant_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(app_row).collect()
}

pub async fn get(
    pool: &AnyPool,
    tenant_id: &str,
    application_id: &str,
) -> anyhow::Result<Option<ApplicationRow>> {
    let row = sqlx::query(&format!(
        "SELECT {APP_COLUMNS} FROM proj_applications WHERE tenant_id = $1 AND application_id = $2"
    ))
    .bind(tenant_id)
    .bind(application_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(app_row).transpose()
}

pub async fn by_client_id(
    pool: &AnyPool,
    tenant_id: &str,
    client_id: &str,
) -> anyhow::Result<Option<ApplicationRow>> {
    let row = sqlx::query(&format!(
        "SELECT {APP_COLUMNS} FROM proj_applications WHERE tenant_id = $1 AND client_id = $2"
    ))
    .bind(tenant_id)
    .bind(client_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(app_row).transpose()
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

/// The application a management token (by keyed hash) was issued to, and when it expires,
/// whether or not that application may still use it (`usecases::cache` checks that from memory).
pub async fn management_token(
    pool: &AnyPool,
    tenant_id: &str,
    token_hash: &str,
) -> anyhow::Result<Option<(String, i64)>> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT application_id, expires_at FROM proj_management_tokens \
         WHERE token_hash = $1 AND tenant_id = $2",
    )
    .bind(token_hash)
    .bind(tenant_id)
    .fetch_optional(pool)
    .await?;
    Ok(row)
}
