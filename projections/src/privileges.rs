//! Privileges with their resource items, and the privileges each role carries.

use domain::privilege::{Privilege, PrivilegeEvent, ResourceItem};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use store::{Projector, RecordedEvent};

use crate::support::{ids_among, typed};

pub struct PrivilegesProjection;

/// (The roles' privileges are written by the roles projection.)
pub const TABLES: &[&str] = &["proj_privileges"];

impl Projector for PrivilegesProjection {
    fn name(&self) -> &'static str {
        "privileges"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != Privilege::STREAM_TYPE {
                return Ok(());
            }
            match typed::<PrivilegeEvent>(event)? {
                PrivilegeEvent::PrivilegeDefined {
                    privilege_id,
                    application_id,
                    code,
                    name,
                    items,
                    created_at,
                } => {
                    sqlx::query(
                        "INSERT INTO proj_privileges (tenant_id, privilege_id, application_id, code, name, items, \
                         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&event.tenant_id)
                    .bind(privilege_id)
                    .bind(application_id)
                    .bind(code)
                    .bind(name)
                    .bind(serde_json::to_string(&items)?)
                    .bind(created_at)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrivilegeRow {
    pub privilege_id: String,
    pub application_id: String,
    pub code: String,
    pub name: String,
    pub items: Vec<ResourceItem>,
}

type Tuple = (String, String, String, String, String);

fn row((privilege_id, application_id, code, name, items): Tuple) -> anyhow::Result<PrivilegeRow> {
    Ok(PrivilegeRow {
        privilege_id,
        application_id,
        code,
        name,
        items: serde_json::from_str(&items)?,
    })
}

pub async fn list(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Vec<PrivilegeRow>> {
    let rows: Vec<Tuple> = sqlx::query_as(
        "SELECT privilege_id, application_id, code, name, items FROM proj_privileges \
         WHERE tenant_id = $1 AND application_id = $2 ORDER BY created_at, privilege_id",
    )
    .bind(tenant)
    .bind(application_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(row).collect()
}

/// Which of the ids are privileges of the application.
pub async fn of_application_among(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    ids: &[String],
) -> anyhow::Result<Vec<String>> {
    let select = "SELECT privilege_id FROM proj_privileges WHERE tenant_id = $1 AND application_id = $2 AND privilege_id IN";
    ids_among(pool, select, tenant, application_id, ids).await
}

/// The privileges a role carries, in the order they were given.
pub async fn of_role(
    pool: &AnyPool,
    tenant: &str,
    role_id: &str,
) -> anyhow::Result<Vec<PrivilegeRow>> {
    let rows: Vec<Tuple> = sqlx::query_as(
        "SELECT p.privilege_id, p.application_id, p.code, p.name, p.items FROM proj_privileges p \
         JOIN proj_role_privileges r ON r.tenant_id = p.tenant_id AND r.privilege_id = p.privilege_id \
         WHERE p.tenant_id = $1 AND r.role_id = $2 ORDER BY r.position",
    )
    .bind(tenant)
    .bind(role_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(row).collect()
}
