//! Grants of applications to organisations and users (Inspur ORG-08/09, USR-01/02/07/08).

use domain::app_grant::{AppGrants, AppGrantsEvent, Grantee};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use store::{Projector, RecordedEvent};

use crate::organs::Organ;
use crate::page::{Listing, Page, PageRequest};
use crate::support::typed;

pub struct AppGrantsProjection;

pub const TABLES: &[&str] = &["proj_app_grants"];

pub fn grantee_name(grantee: Grantee) -> &'static str {
    match grantee {
        Grantee::Organization => "organization",
        Grantee::User => "user",
    }
}

impl Projector for AppGrantsProjection {
    fn name(&self) -> &'static str {
        "app_grants"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != AppGrants::STREAM_TYPE {
                return Ok(());
            }
            let tenant = &event.tenant_id;
            match typed::<AppGrantsEvent>(event)? {
                AppGrantsEvent::Granted {
                    application_id,
                    grants,
                    at,
                } => {
                    for grant in grants {
                        sqlx::query(
                            "INSERT INTO proj_app_grants (tenant_id, grant_id, application_id, grantee, \
                             subject_id, creator, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        )
                        .bind(tenant)
                        .bind(grant.grant_id)
                        .bind(&application_id)
                        .bind(grantee_name(grant.grantee))
                        .bind(grant.subject_id)
                        .bind(event.metadata.actor_id.clone())
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                AppGrantsEvent::Revoked { grant_ids, .. } => {
                    for id in grant_ids {
                        sqlx::query(
                            "DELETE FROM proj_app_grants WHERE tenant_id = $1 AND grant_id = $2",
                        )
                        .bind(tenant)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            }
            Ok(())
        })
    }
}

/// A page of the organisations (live, enabled) an application is granted to (`granted`) or not
/// yet, whose name contains `name_like`, in display order.
pub async fn organs_for_app(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    granted: bool,
    name_like: Option<&str>,
    request: PageRequest,
) -> anyhow::Result<Page<Organ>> {
    let exists = if granted { "EXISTS" } else { "NOT EXISTS" };
    let mut listing = Listing::of(crate::organs::TABLE, crate::organs::COLUMNS)
        .bind(tenant)
        .bind(application_id);
    let mut condition = format!(
        "o.tenant_id = $1 AND o.disabled = 0 AND {exists} (SELECT 1 FROM proj_app_grants g \
         WHERE g.tenant_id = o.tenant_id AND g.application_id = $2 \
         AND g.grantee = 'organization' AND g.subject_id = o.org_id)"
    );
    if let Some(name) = name_like {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        listing = listing.bind(format!("%{escaped}%"));
        condition.push_str(" AND o.name LIKE $3 ESCAPE '\\'");
    }
    listing
        .filter(condition)
        .order_by(
            "COALESCE(o.sort_order, 2147483647), o.created_at",
            "o.org_id",
        )
        .fetch(pool, request, crate::organs::organ)
        .await
}
