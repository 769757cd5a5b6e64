//! Grants of applications to organisations and users (Inspur ORG-08/09, USR-01/02/07/08).

use domain::app_grant::{AppGrants, AppGrantsEvent, Grantee};
use domain::application::{Application, ApplicationEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use store::{Projector, RecordedEvent};

use crate::organs::Organ;
use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;
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
            let tenant = &event.tenant_id;
            // A deleted application's grants go with it (Inspur APP-04).
            if event.stream_type == Application::STREAM_TYPE {
                if let ApplicationEvent::ApplicationDeleted { application_id, .. } =
                    typed::<ApplicationEvent>(event)?
                {
                    sqlx::query(
                        "DELETE FROM proj_app_grants WHERE tenant_id = $1 AND application_id = $2",
                    )
                    .bind(tenant)
                    .bind(application_id)
                    .execute(&mut *conn)
                    .await?;
                }
                return Ok(());
            }
            if event.stream_type != AppGrants::STREAM_TYPE {
                return Ok(());
            }
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
        listing = listing.bind(contains(name));
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

/// A grant of an application to a user, with the application's name and state.
#[derive(Debug, Clone, PartialEq)]
pub struct UserGrantRow {
    pub grant_id: String,
    pub user_id: String,
    pub application_id: String,
    pub app_name: Option<String>,
    pub app_enabled: Option<bool>,
    pub creator: Option<String>,
    pub created_at: i64,
}

const USER_GRANT_COLUMNS: &str = "g.grant_id, g.subject_id, g.application_id, a.name AS app_name, \
     a.enabled AS app_enabled, g.creator, g.created_at";
const USER_GRANT_FROM: &str = "proj_app_grants g LEFT JOIN proj_applications a \
     ON a.tenant_id = g.tenant_id AND a.application_id = g.application_id";

fn user_grant(r: &sqlx::any::AnyRow) -> anyhow::Result<UserGrantRow> {
    use sqlx::Row;
    Ok(UserGrantRow {
        grant_id: r.try_get("grant_id")?,
        user_id: r.try_get("subject_id")?,
        application_id: r.try_get("application_id")?,
        app_name: r.try_get("app_name")?,
        app_enabled: r.try_get::<Option<i64>, _>("app_enabled")?.map(|e| e != 0),
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A page of a user's grants, oldest first.
pub async fn of_user(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
    request: PageRequest,
) -> anyhow::Result<Page<UserGrantRow>> {
    Listing::of(USER_GRANT_FROM, USER_GRANT_COLUMNS)
        .bind(tenant)
        .bind(user_id)
        .filter("g.tenant_id = $1 AND g.grantee = 'user' AND g.subject_id = $2")
        .order_by("g.created_at", "g.grant_id")
        .fetch(pool, request, user_grant)
        .await
}

/// The application a grant belongs to, if the grant exists.
pub async fn application_of(
    pool: &AnyPool,
    tenant: &str,
    grant_id: &str,
) -> anyhow::Result<Option<String>> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT application_id FROM proj_app_grants WHERE tenant_id = $1 AND grant_id = $2",
    )
    .bind(tenant)
    .bind(grant_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|(a,)| a))
}

/// The condition that an application grant `g` reaches the user `$user`: granted to the user,
/// or to an organisation the user belongs to (primary or secondary) — or, with `inherit`, to an
/// ancestor of one.
pub(crate) fn reaches_user(user: &str, inherit: bool) -> String {
    let organisation = if inherit {
        // The id as a literal inside the pattern: `\`, `%` and `_` escaped.
        "(o.org_id = g.subject_id OR o.path LIKE '%/' || REPLACE(REPLACE(REPLACE(g.subject_id, \
         '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '/%' ESCAPE '\\')"
    } else {
        "o.org_id = g.subject_id"
    };
    format!(
        "((g.grantee = 'user' AND g.subject_id = {user}) OR (g.grantee = 'organization' AND EXISTS \
         (SELECT 1 FROM proj_user_orgs uo JOIN proj_organizations o ON o.tenant_id = uo.tenant_id \
         AND o.org_id = uo.org_id WHERE uo.tenant_id = g.tenant_id AND uo.user_id = {user} \
         AND {organisation})))"
    )
}

/// Whether the application is granted to the user, or to an organisation the user belongs to
/// (with `inherit`, or to an ancestor of one).
pub async fn user_granted(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
    application_id: &str,
    inherit: bool,
) -> anyhow::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT g.grant_id FROM proj_app_grants g WHERE g.tenant_id = $1 AND g.application_id = $3 \
         AND {} LIMIT 1",
        reaches_user("$2", inherit)
    ))
    .bind(tenant)
    .bind(user_id)
    .bind(application_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
