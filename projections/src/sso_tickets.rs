//! One-time `sso_ticket`s of the OneAccess SDK (seed 002 A9/A10): which ticket stream a presented
//! ticket (by its keyed hash) belongs to, and whether it was redeemed.

use domain::sso_ticket::{SsoTicket, SsoTicketEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct SsoTicketsProjection;

pub const TABLES: &[&str] = &["proj_sso_tickets"];

impl Projector for SsoTicketsProjection {
    fn name(&self) -> &'static str {
        "sso_tickets"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != SsoTicket::STREAM_TYPE {
                return Ok(());
            }
            apply(conn, &event.tenant_id, &event.stream_id, typed(event)?).await
        })
    }
}

async fn apply(
    conn: &mut AnyConnection,
    tenant: &str,
    ticket_id: &str,
    event: SsoTicketEvent,
) -> anyhow::Result<()> {
    let query = match event {
        SsoTicketEvent::Issued {
            ticket_hash,
            session_id,
            user_id,
            application_id,
            issued_to,
            issued_at,
            expires_at,
            ..
        } => sqlx::query(
            "INSERT INTO proj_sso_tickets (tenant_id, ticket_id, ticket_hash, session_id, user_id, \
             application_id, issued_to, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(tenant.to_string())
        .bind(ticket_id.to_string())
        .bind(ticket_hash)
        .bind(session_id)
        .bind(user_id)
        .bind(application_id)
        .bind(issued_to)
        .bind(issued_at)
        .bind(expires_at),
        SsoTicketEvent::Redeemed { at, .. } => sqlx::query(
            "UPDATE proj_sso_tickets SET redeemed_at = $1 WHERE tenant_id = $2 AND ticket_id = $3",
        )
        .bind(at)
        .bind(tenant.to_string())
        .bind(ticket_id.to_string()),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub ticket_id: String,
    pub session_id: String,
    pub user_id: String,
    pub application_id: Option<String>,
    pub expires_at: i64,
    pub redeemed: bool,
}

/// The ticket a keyed hash belongs to, redeemed or not.
pub async fn by_hash(
    pool: &AnyPool,
    tenant: &str,
    ticket_hash: &str,
) -> anyhow::Result<Option<TicketRow>> {
    let row = sqlx::query(
        "SELECT ticket_id, session_id, user_id, application_id, expires_at, redeemed_at \
         FROM proj_sso_tickets WHERE tenant_id = $1 AND ticket_hash = $2",
    )
    .bind(tenant)
    .bind(ticket_hash)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(TicketRow {
            ticket_id: r.try_get("ticket_id")?,
            session_id: r.try_get("session_id")?,
            user_id: r.try_get("user_id")?,
            application_id: r.try_get("application_id")?,
            expires_at: r.try_get("expires_at")?,
            redeemed: r.try_get::<Option<i64>, _>("redeemed_at")?.is_some(),
        })
    })
    .transpose()
}
