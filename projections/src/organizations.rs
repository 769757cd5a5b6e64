//! Organisations with their tree path, so that a subtree is one indexed prefix query.

use domain::organization::{Organization, OrganizationEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, FromRow};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::typed;
use crate::tree;

pub struct OrganizationsProjection;

pub const TABLES: &[&str] = &["proj_organizations"];

impl Projector for OrganizationsProjection {
    fn name(&self) -> &'static str {
        "organizations"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != Organization::STREAM_TYPE {
                return Ok(());
            }
            let tenant_id = &event.tenant_id;
            match typed::<OrganizationEvent>(event)? {
                OrganizationEvent::OrganizationCreated {
                    org_id,
                    code,
                    name,
                    parent_id,
                    category,
                    created_at,
                    name_claimed: _,
                    details,
                } => {
                    let path = format!(
                        "{}{org_id}/",
                        tree::path_under(
                            conn,
                            "proj_organizations",
                            tenant_id,
                            parent_id.as_deref()
                        )
                        .await?
                    );
                    sqlx::query(
                        "INSERT INTO proj_organizations (tenant_id, org_id, org_code, name, parent_id, \
                         category, path, created_at, updated_at, external_id, sort_order, description, \
                         creator, gov, org_type, credit_code) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15)",
                    )
                    .bind(tenant_id)
                    .bind(&org_id)
                    .bind(code)
                    .bind(name)
                    .bind(parent_id)
                    .bind(category)
                    .bind(path)
                    .bind(created_at)
                    .bind(details.external_id)
                    .bind(details.order)
                    .bind(details.description)
                    .bind(event.metadata.actor_id.clone())
                    .bind(gov_json(&details.gov)?)
                    .bind(details.gov.org_type.map(|t| t.code()))
                    .bind(details.gov.unified_social_credit_code.clone())
                    .execute(&mut *conn)
                    .await?;
                    tree::refresh_name_path(conn, tenant_id, &org_id).await?;
                }
                OrganizationEvent::OrganizationUpdated {
                    org_id,
                    code,
                    name,
                    parent_id,
                    category,
                    updated_at,
                    details,
                    ..
                } => {
                    tree::move_under(
                        conn,
                        "proj_organizations",
                        tenant_id,
                        &org_id,
                        parent_id.as_deref(),
                    )
                    .await?;
                    sqlx::query(
                        "UPDATE proj_organizations SET org_code = $1, name = $2, parent_id = $3, \
                         category = $4, updated_at = $5, external_id = $6, sort_order = $7, \
                         description = $8, gov = $11, org_type = $12, credit_code = $13 \
                         WHERE tenant_id = $9 AND org_id = $10",
                    )
                    .bind(code)
                    .bind(name)
                    .bind(parent_id)
                    .bind(category)
                    .bind(updated_at)
                    .bind(details.external_id)
                    .bind(details.order)
                    .bind(details.description)
                    .bind(tenant_id)
                    .bind(&org_id)
                    .bind(gov_json(&details.gov)?)
                    .bind(details.gov.org_type.map(|t| t.code()))
                    .bind(details.gov.unified_social_credit_code.clone())
                    .execute(&mut *conn)
                    .await?;
                    tree::refresh_name_path(conn, tenant_id, &org_id).await?;
                }
                OrganizationEvent::OrganizationStatusChanged {
                    org_id,
                    disabled,
                    at,
                } => {
                    sqlx::query(
                        "UPDATE proj_organizations SET disabled = $1, updated_at = $2 \
                         WHERE tenant_id = $3 AND org_id = $4",
                    )
                    .bind(crate::support::flag(disabled))
                    .bind(at)
                    .bind(tenant_id)
                    .bind(&org_id)
                    .execute(&mut *conn)
                    .await?;
                }
                OrganizationEvent::OrganizationDeleted { org_id, .. } => {
                    sqlx::query(
                        "DELETE FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2",
                    )
                    .bind(tenant_id)
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
pub struct OrgRow {
    pub org_id: String,
    pub org_code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub category: String,
    pub path: String,
}

impl OrgRow {
    /// Ancestor ids, root first (not including the organisation itself).
    pub fn ancestors(&self) -> Vec<String> {
        tree::ancestors(&self.path)
    }
}

type OrgTuple = (String, String, String, Option<String>, String, String);

const ORG_COLUMNS: &str = "org_id, org_code, name, parent_id, category, path";

fn org_row((org_id, org_code, name, parent_id, category, path): OrgTuple) -> OrgRow {
    OrgRow {
        org_id,
        org_code,
        name,
        parent_id,
        category,
        path,
    }
}

pub async fn get(pool: &AnyPool, tenant_id: &str, org_id: &str) -> anyhow::Result<Option<OrgRow>> {
    let row: Option<OrgTuple> = sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2"
    ))
    .bind(tenant_id)
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(org_row))
}

pub async fn by_code(
    pool: &AnyPool,
    tenant_id: &str,
    code: &str,
) -> anyhow::Result<Option<OrgRow>> {
    let row: Option<OrgTuple> = sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM proj_organizations WHERE tenant_id = $1 AND org_code = $2"
    ))
    .bind(tenant_id)
    .bind(code)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(org_row))
}

/// The first root organisation by creation order ("the first root organization", §2.2 #2).
pub async fn first_root(pool: &AnyPool, tenant_id: &str) -> anyhow::Result<Option<OrgRow>> {
    let row: Option<OrgTuple> = sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM proj_organizations WHERE tenant_id = $1 AND parent_id IS NULL \
         ORDER BY created_at, org_id LIMIT 1"
    ))
    .bind(tenant_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(org_row))
}

pub async fn has_children(pool: &AnyPool, tenant_id: &str, org_id: &str) -> anyhow::Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT org_id FROM proj_organizations WHERE tenant_id = $1 AND parent_id = $2 LIMIT 1",
    )
    .bind(tenant_id)
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

/// Which organisations a list returns (specs/oneaccess.md §2.3 #18, the four documented cases).
pub enum OrgScope<'a> {
    /// No org id, `all_child=false`: the roots.
    Roots,
    /// No org id, `all_child=true`: every organisation, the roots included (the reference's
    /// example; its text says "except the roots", which the example contradicts; ADR 0002).
    All,
    /// The organisation and its direct children.
    WithChildren(&'a OrgRow),
    /// The organisation and every descendant.
    Subtree(&'a OrgRow),
}

/// A page of the scope's organisations in creation order.
pub async fn list(
    pool: &AnyPool,
    tenant_id: &str,
    scope: OrgScope<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<OrgRow>> {
    let listing = Listing::of("proj_organizations", ORG_COLUMNS).bind(tenant_id);
    let listing = match scope {
        OrgScope::Roots => listing.filter("tenant_id = $1 AND parent_id IS NULL"),
        OrgScope::All => listing.filter("tenant_id = $1"),
        OrgScope::WithChildren(org) => listing
            .filter("tenant_id = $1 AND (org_id = $2 OR parent_id = $2)")
            .bind(org.org_id.as_str()),
        OrgScope::Subtree(org) => listing
            .filter("tenant_id = $1 AND path LIKE $2")
            .bind(format!("{}%", org.path)),
    };
    listing
        .order_by("created_at", "org_id")
        .fetch(pool, request, |r| Ok(org_row(OrgTuple::from_row(r)?)))
        .await
}

/// The government profile as stored: JSON, or NULL when empty.
fn gov_json(gov: &domain::gov_profile::GovProfile) -> anyhow::Result<Option<String>> {
    Ok(if gov.is_empty() {
        None
    } else {
        Some(serde_json::to_string(gov)?)
    })
}
