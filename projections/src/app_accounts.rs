//! Application accounts: the read model behind #12–#13 and #24–#30. When a user is deleted,
//! that user's basic accounts become orphan accounts (ADR 0003).

use domain::app_account::{AppAccount, AppAccountEvent, BASIC_ACCOUNT, ORPHAN_ACCOUNT};
use domain::user::{User, UserEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::{flag, typed};

pub struct AppAccountsProjection;

pub const TABLES: &[&str] = &["proj_app_accounts"];

impl Projector for AppAccountsProjection {
    fn name(&self) -> &'static str {
        "app_accounts"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let tenant = event.tenant_id.as_str();
            if event.stream_type == User::STREAM_TYPE {
                return on_user_event(conn, tenant, typed::<UserEvent>(event)?).await;
            }
            if event.stream_type != AppAccount::STREAM_TYPE {
                return Ok(());
            }
            match typed::<AppAccountEvent>(event)? {
                AppAccountEvent::AccountCreated {
                    account_id,
                    application_id,
                    user_id,
                    org_id,
                    password_hash: _,
                    disabled,
                    created_at,
                    personal,
                } => {
                    sqlx::query(
                        "INSERT INTO proj_app_accounts (tenant_id, account_id, application_id, user_id, \
                         account_name, name, account_type, org_id, disabled, extension, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                    )
                    .bind(tenant)
                    .bind(account_id)
                    .bind(application_id)
                    .bind(user_id)
                    .bind(personal.account_name)
                    .bind(personal.name)
                    .bind(BASIC_ACCOUNT)
                    .bind(org_id)
                    .bind(flag(disabled))
                    .bind(serde_json::to_string(&personal.extension)?)
                    .bind(created_at)
                    .execute(&mut *conn)
                    .await?;
                }
                AppAccountEvent::AccountUpdated {
                    account_id,
                    org_id,
                    updated_at,
                    personal,
                    ..
                } => {
                    sqlx::query(
                        "UPDATE proj_app_accounts SET account_name = $1, name = $2, org_id = $3, extension = $4, \
                         updated_at = $5 WHERE tenant_id = $6 AND account_id = $7",
                    )
                    .bind(personal.account_name)
                    .bind(personal.name)
                    .bind(org_id)
                    .bind(serde_json::to_string(&personal.extension)?)
                    .bind(updated_at)
                    .bind(tenant)
                    .bind(account_id)
                    .execute(&mut *conn)
                    .await?;
                }
                AppAccountEvent::AccountPasswordChanged { .. } => {}
                AppAccountEvent::AccountEnabled { account_id, at } => {
                    set_disabled(conn, tenant, &account_id, false, at).await?
                }
                AppAccountEvent::AccountDisabled { account_id, at } => {
                    set_disabled(conn, tenant, &account_id, true, at).await?
                }
                AppAccountEvent::AccountDeleted { account_id, .. } => {
                    sqlx::query(
                        "DELETE FROM proj_app_accounts WHERE tenant_id = $1 AND account_id = $2",
                    )
                    .bind(tenant)
                    .bind(account_id)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

/// A deleted user's basic accounts become orphan accounts, an erased user's accounts lose their
/// names; other user events change nothing here.
async fn on_user_event(
    conn: &mut AnyConnection,
    tenant: &str,
    event: UserEvent,
) -> anyhow::Result<()> {
    match event {
        UserEvent::UserDeleted {
            user_id,
            deleted_at,
        } => {
            sqlx::query(
                "UPDATE proj_app_accounts SET account_type = $1, updated_at = $2 \
                 WHERE tenant_id = $3 AND user_id = $4 AND account_type = $5",
            )
            .bind(ORPHAN_ACCOUNT)
            .bind(deleted_at)
            .bind(tenant)
            .bind(user_id)
            .bind(BASIC_ACCOUNT)
            .execute(&mut *conn)
            .await?;
        }
        // The accounts' names are often the person's: their keys were destroyed with the
        // user's, and the rows keep no name (ops/adr/0026).
        UserEvent::UserErased {
            account_ids,
            erased_at,
            ..
        } => {
            for account_id in account_ids {
                sqlx::query(
                    "UPDATE proj_app_accounts SET account_name = '', name = '', extension = '{}', \
                     updated_at = $1 WHERE tenant_id = $2 AND account_id = $3",
                )
                .bind(erased_at)
                .bind(tenant)
                .bind(account_id)
                .execute(&mut *conn)
                .await?;
            }
        }
        UserEvent::UserCreated { .. }
        | UserEvent::UserUpdated { .. }
        | UserEvent::UserEnabled { .. }
        | UserEvent::UserDisabled { .. }
        | UserEvent::UserLeft { .. }
        | UserEvent::PasswordChanged { .. } => {}
    }
    Ok(())
}

async fn set_disabled(
    conn: &mut AnyConnection,
    tenant: &str,
    account_id: &str,
    disabled: bool,
    at: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE proj_app_accounts SET disabled = $1, updated_at = $2 WHERE tenant_id = $3 AND account_id = $4",
    )
    .bind(flag(disabled))
    .bind(at)
    .bind(tenant)
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub account_id: String,
    pub application_id: String,
    pub user_id: Option<String>,
    pub account_name: String,
    pub name: String,
    pub account_type: String,
    pub org_id: Option<String>,
    pub disabled: bool,
    pub extension: Map<String, Value>,
}

const COLUMNS: &str =
    "account_id, application_id, user_id, account_name, name, account_type, org_id, disabled, extension";

fn account_row(row: &AnyRow) -> anyhow::Result<AccountRow> {
    let extension: String = row.try_get("extension")?;
    Ok(AccountRow {
        account_id: row.try_get("account_id")?,
        application_id: row.try_get("application_id")?,
        user_id: row.try_get("user_id")?,
        account_name: row.try_get("account_name")?,
        name: row.try_get("name")?,
        account_type: row.try_get("account_type")?,
        org_id: row.try_get("org_id")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        extension: serde_json::from_str(&extension)?,
    })
}

pub async fn get(
    pool: &AnyPool,
    tenant: &str,
    account_id: &str,
) -> anyhow::Result<Option<AccountRow>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_app_accounts WHERE tenant_id = $1 AND account_id = $2"
    ))
    .bind(tenant)
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(account_row).transpose()
}

/// A page of an application's accounts in creation order, optionally of one type.
pub async fn list_for_application(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    account_type: Option<&str>,
    request: PageRequest,
) -> anyhow::Result<Page<AccountRow>> {
    let listing = Listing::of("proj_app_accounts", COLUMNS)
        .bind(tenant)
        .bind(application_id);
    let listing = match account_type {
        None => listing.filter("tenant_id = $1 AND application_id = $2"),
        Some(account_type) => listing
            .filter("tenant_id = $1 AND application_id = $2 AND account_type = $3")
            .bind(account_type),
    };
    listing
        .order_by("created_at", "account_id")
        .fetch(pool, request, account_row)
        .await
}

/// Whether the application has any account.
pub async fn application_has_accounts(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT account_id FROM proj_app_accounts WHERE tenant_id = $1 AND application_id = $2 LIMIT 1",
    )
    .bind(tenant)
    .bind(application_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Every account of a user, across applications, in creation order.
pub async fn list_for_user(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<Vec<AccountRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_app_accounts WHERE tenant_id = $1 AND user_id = $2 \
         ORDER BY created_at, account_id"
    ))
    .bind(tenant)
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(account_row).collect()
}

/// Every application account ever created for the user, deleted ones too, in id order: the
/// streams of the `app_account.created` events filed under the user's id by the audit trail.
pub async fn ever_of_user(
    conn: &mut AnyConnection,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT t.stream_id FROM proj_audit_subjects s JOIN proj_audit_trail t \
         ON t.position = s.position WHERE s.tenant_id = $1 AND s.subject_id = $2 \
         AND t.stream_type = 'app_account' AND t.event_type = 'app_account.created' \
         ORDER BY t.stream_id",
    )
    .bind(tenant)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
