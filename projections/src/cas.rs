//! CAS tickets and single-logout deliveries: which ticket a presented one is (by its keyed hash),
//! the tickets a session gave out, unused tickets due to expire, and logout deliveries due.

use domain::cas_logout::{CasLogout, CasLogoutEvent};
use domain::cas_ticket::{CasTicket, CasTicketEvent, TicketKind};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct CasProjection;

pub const TABLES: &[&str] = &["proj_cas_tickets", "proj_cas_logouts"];

impl Projector for CasProjection {
    fn name(&self) -> &'static str {
        "cas"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let (tenant, id) = (&event.tenant_id, &event.stream_id);
            match event.stream_type.as_str() {
                CasTicket::STREAM_TYPE => ticket(conn, tenant, id, typed(event)?).await,
                CasLogout::STREAM_TYPE => logout(conn, tenant, id, typed(event)?).await,
                _ => Ok(()),
            }
        })
    }
}

async fn ticket(
    conn: &mut AnyConnection,
    tenant: &str,
    ticket_id: &str,
    event: CasTicketEvent,
) -> anyhow::Result<()> {
    let status = match event {
        CasTicketEvent::Issued { issue, .. } => {
            sqlx::query(
                "INSERT INTO proj_cas_tickets (tenant_id, ticket_id, ticket_hash, kind, \
                 application_id, service, user_id, session_id, issued_at, expires_at, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open')",
            )
            .bind(tenant.to_string())
            .bind(ticket_id.to_string())
            .bind(issue.ticket_hash)
            .bind(issue.kind.code())
            .bind(issue.application_id)
            .bind(issue.service)
            .bind(issue.user_id)
            .bind(issue.session_id)
            .bind(issue.issued_at)
            .bind(issue.expires_at)
            .execute(&mut *conn)
            .await?;
            return Ok(());
        }
        CasTicketEvent::Validated { .. } => "validated",
        CasTicketEvent::Refused { .. } => "refused",
        CasTicketEvent::ProxyGranted { .. } => return Ok(()),
        CasTicketEvent::Expired { .. } => "expired",
        CasTicketEvent::Ended { .. } => "ended",
    };
    sqlx::query("UPDATE proj_cas_tickets SET status = $1 WHERE tenant_id = $2 AND ticket_id = $3")
        .bind(status)
        .bind(tenant.to_string())
        .bind(ticket_id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn logout(
    conn: &mut AnyConnection,
    tenant: &str,
    logout_id: &str,
    event: CasLogoutEvent,
) -> anyhow::Result<()> {
    let query = match event {
        CasLogoutEvent::Queued {
            session_id,
            ticket_id,
            application_id,
            service,
            at,
            ..
        } => sqlx::query(
            "INSERT INTO proj_cas_logouts (tenant_id, logout_id, session_id, ticket_id, \
             application_id, service, status, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7)",
        )
        .bind(tenant.to_string())
        .bind(logout_id.to_string())
        .bind(session_id)
        .bind(ticket_id)
        .bind(application_id)
        .bind(service)
        .bind(at),
        CasLogoutEvent::AttemptFailed {
            attempt,
            error,
            next_attempt_at,
            ..
        } => sqlx::query(
            "UPDATE proj_cas_logouts SET attempts = $1, last_error = $2, next_attempt_at = $3 \
             WHERE tenant_id = $4 AND logout_id = $5",
        )
        .bind(i64::from(attempt))
        .bind(error)
        .bind(next_attempt_at)
        .bind(tenant.to_string())
        .bind(logout_id.to_string()),
        CasLogoutEvent::Delivered { attempt, .. } => sqlx::query(
            "UPDATE proj_cas_logouts SET status = 'delivered', attempts = $1, \
             next_attempt_at = NULL WHERE tenant_id = $2 AND logout_id = $3",
        )
        .bind(i64::from(attempt))
        .bind(tenant.to_string())
        .bind(logout_id.to_string()),
        CasLogoutEvent::Abandoned { attempt, error, .. } => sqlx::query(
            "UPDATE proj_cas_logouts SET status = 'abandoned', attempts = $1, last_error = $2, \
             next_attempt_at = NULL WHERE tenant_id = $3 AND logout_id = $4",
        )
        .bind(i64::from(attempt))
        .bind(error)
        .bind(tenant.to_string())
        .bind(logout_id.to_string()),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub ticket_id: String,
    pub kind: TicketKind,
    pub application_id: String,
    pub service: String,
    pub user_id: String,
    pub session_id: String,
    pub expires_at: i64,
    /// `open`, `validated`, `refused`, `expired` or `ended`.
    pub status: String,
}

const TICKET_COLUMNS: &str =
    "ticket_id, kind, application_id, service, user_id, session_id, expires_at, status";

fn ticket_row(r: &AnyRow) -> anyhow::Result<TicketRow> {
    let kind: String = r.try_get("kind")?;
    Ok(TicketRow {
        ticket_id: r.try_get("ticket_id")?,
        kind: match kind.as_str() {
            "PT" => TicketKind::Proxy,
            "PGT" => TicketKind::ProxyGranting,
            _ => TicketKind::Service,
        },
        application_id: r.try_get("application_id")?,
        service: r.try_get("service")?,
        user_id: r.try_get("user_id")?,
        session_id: r.try_get("session_id")?,
        expires_at: r.try_get("expires_at")?,
        status: r.try_get("status")?,
    })
}

/// The ticket a keyed hash belongs to, whatever its state.
pub async fn ticket_by_hash(
    pool: &AnyPool,
    tenant: &str,
    ticket_hash: &str,
) -> anyhow::Result<Option<TicketRow>> {
    sqlx::query(&format!(
        "SELECT {TICKET_COLUMNS} FROM proj_cas_tickets WHERE tenant_id = $1 AND ticket_hash = $2"
    ))
    .bind(tenant)
    .bind(ticket_hash)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(ticket_row)
    .transpose()
}

/// Every ticket a session gave out, in issuance order.
pub async fn tickets_of_session(
    pool: &AnyPool,
    tenant: &str,
    session_id: &str,
) -> anyhow::Result<Vec<TicketRow>> {
    sqlx::query(&format!(
        "SELECT {TICKET_COLUMNS} FROM proj_cas_tickets WHERE tenant_id = $1 AND session_id = $2 \
         ORDER BY issued_at, ticket_id"
    ))
    .bind(tenant)
    .bind(session_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(ticket_row)
    .collect()
}

/// Unused tickets (and live PGTs) whose lifetime ended before `now`, across tenants:
/// `(tenant, ticket_id)`.
pub async fn due_to_expire(
    pool: &AnyPool,
    now: i64,
    limit: i64,
) -> anyhow::Result<Vec<(String, String)>> {
    Ok(sqlx::query_as::<_, (String, String)>(&format!(
        "SELECT tenant_id, ticket_id FROM proj_cas_tickets \
         WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT {limit}"
    ))
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// A single-logout delivery still to make.
#[derive(Debug, Clone)]
pub struct LogoutRow {
    pub tenant_id: String,
    pub logout_id: String,
    pub service: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

const LOGOUT_COLUMNS: &str = "tenant_id, logout_id, service, status, attempts, last_error";

fn logout_row(r: &AnyRow) -> anyhow::Result<LogoutRow> {
    Ok(LogoutRow {
        tenant_id: r.try_get("tenant_id")?,
        logout_id: r.try_get("logout_id")?,
        service: r.try_get("service")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
    })
}

/// Pending deliveries whose next attempt is due, across tenants, oldest first.
pub async fn logouts_due(pool: &AnyPool, now: i64, limit: i64) -> anyhow::Result<Vec<LogoutRow>> {
    sqlx::query(&format!(
        "SELECT {LOGOUT_COLUMNS} FROM proj_cas_logouts \
         WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT {limit}"
    ))
    .bind(now)
    .fetch_all(pool)
    .await?
    .iter()
    .map(logout_row)
    .collect()
}

/// The deliveries queued for a session, whatever their state.
pub async fn logouts_of_session(
    pool: &AnyPool,
    tenant: &str,
    session_id: &str,
) -> anyhow::Result<Vec<LogoutRow>> {
    sqlx::query(&format!(
        "SELECT {LOGOUT_COLUMNS} FROM proj_cas_logouts WHERE tenant_id = $1 AND session_id = $2 \
         ORDER BY service, logout_id"
    ))
    .bind(tenant)
    .bind(session_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(logout_row)
    .collect()
}
