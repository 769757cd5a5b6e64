//! Application organisations with their tree path (one application's tree per application id).

use domain::app_organization::{AppOrganization, AppOrganizationEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, FromRow};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::typed;
use crate::tree;

pub struct AppOrgsProjection;

pub const TABLES: &[&str] = &["proj_app_orgs"];

impl Projector for AppOrgsProjection {
    fn name(&self) -> &'static str {
        "app_orgs"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != AppOrganization::STREAM_TYPE {
                return Ok(());
            }
            let tenant = event.tenant_id.as_str();
            match typed::<AppOrganizationEvent>(event)? {
                AppOrganizationEvent::AppOrgCreated {
                    org_id,
                    application_id,
                    code,
                    name,
                    parent_id,
                    created_at,
                } => {
                    let path = format!(
                        "{}{org_id}/",
                        tree::path_under(conn, "proj_app_orgs", tenant, parent_id.as_deref())
                            .await?
                    );
                    sqlx::query(
                        "INSERT INTO proj_app_orgs (tenant_id, org_id, application_id, org_code, name, parent_id, \
                         path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(tenant)
                    .bind(&org_id)
                    .bind(application_id)
                    .bind(code)
                    .bind(name)
                    .bind(parent_id)
                    .bind(path)
                    .bind(created_at)
                    .execute(&mut *conn)
                    .await?;
                }
                AppOrganizationEvent::AppOrgUpdated {
                    org_id,
                    name,
                    parent_id,
                    ..
                } => {
                    tree::move_under(conn, "proj_app_orgs", tenant, &org_id, parent_id.as_deref())
                        .await?;
                    sqlx::query("UPDATE proj_app_orgs SET name = $1, parent_id = $2 WHERE tenant_id = $3 AND org_id = $4")
                        .bind(name)
                        .bind(parent_id)
                        .bind(tenant)
                        .bind(&org_id)
                        .execute(&mut *conn)
                        .await?;
                }
                AppOrganizationEvent::AppOrgDeleted { org_id, .. } => {
                    sqlx::query("DELETE FROM proj_app_orgs WHERE tenant_id = $1 AND org_id = $2")
                        .bind(tenant)
                        .bind(org_id)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Ok(())
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppOrgRow {
    pub org_id: String,
    pub application_id: String,
    pub org_code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub path: String,
}

impl AppOrgRow {
    /// Ancestor ids, root first.
    pub fn ancestors(&self) -> Vec<String> {
        tree::ancestors(&self.path)
    }
}

type Tuple = (String, String, String, String, Option<String>, String);
const COLUMNS: &str = "org_id, application_id, org_code, name, parent_id, path";

fn row((org_id, application_id, org_code, name, parent_id, path): Tuple) -> AppOrgRow {
    AppOrgRow {
        org_id,
        application_id,
        org_code,
        name,
        parent_id,
        path,
    }
}

/// The application organisation, if it belongs to the application.
pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    org_id: &str,
) -> anyhow::Result<Option<AppOrgRow>> {
    let found: Option<Tuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_app_orgs WHERE tenant_id = $1 AND application_id = $2 AND org_id = $3"
    ))
    .bind(tenant)
    .bind(application_id)
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(row))
}

pub async fn by_code(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    code: &str,
) -> anyhow::Result<Option<AppOrgRow>> {
    let found: Option<Tuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_app_orgs WHERE tenant_id = $1 AND application_id = $2 AND org_code = $3"
    ))
    .bind(tenant)
    .bind(application_id)
    .bind(code)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(row))
}

/// A page of an application's organisations, flat, in creation order.
pub async fn list(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    request: PageRequest,
) -> anyhow::Result<Page<AppOrgRow>> {
    Listing::of("proj_app_orgs", COLUMNS)
        .filter("tenant_id = $1 AND application_id = $2")
        .bind(tenant)
        .bind(application_id)
        .order_by("created_at", "org_id")
        .fetch(pool, request, |r| Ok(row(Tuple::from_row(r)?)))
        .await
}

pub async fn has_children(pool: &AnyPool, tenant: &str, org_id: &str) -> anyhow::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT org_id FROM proj_app_orgs WHERE tenant_id = $1 AND parent_id = $2 LIMIT 1",
    )
    .bind(tenant)
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

pub async fn has_accounts(pool: &AnyPool, tenant: &str, org_id: &str) -> anyhow::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT account_id FROM proj_app_accounts WHERE tenant_id = $1 AND org_id = $2 LIMIT 1",
    )
    .bind(tenant)
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
