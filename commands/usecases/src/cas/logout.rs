//! What a session's end means for its tickets: PGTs end, services are queued single-logout
//! requests (CAS Protocol 3.0 §2.3.3).

use crate::state::AppState;
use crate::ServiceError;
use domain::cas_logout::{CasLogout, CasLogoutCommand};
use domain::cas_ticket::{CasTicket, CasTicketCommand, TicketKind};
use domain::Aggregate;
use projections::cas::TicketRow;
use store::{BusError, Context};

/// What a session's end means for CAS: its live PGTs end, and every service that validated a
/// ticket from it is queued a single-logout request naming that ticket.
pub async fn session_ended(
    state: &AppState,
    ctx: &Context,
    session_id: &str,
) -> Result<(), ServiceError> {
    let tenant = &ctx.tenant_id;
    let tickets = projections::cas::tickets_of_session(state.pool(), tenant, session_id).await?;
    let mut queued = false;
    for row in tickets {
        match (row.kind, row.status.as_str()) {
            (TicketKind::ProxyGranting, "open") => end_pgt(state, ctx, &row).await?,
            (TicketKind::Service | TicketKind::Proxy, "validated") => {
                queue_logout(state, ctx, &row).await?;
                queued = true;
            }
            _ => {}
        }
    }
    if queued {
        state.cas_outbox.notify_one();
    }
    Ok(())
}

pub(super) async fn end_pgt(
    state: &AppState,
    ctx: &Context,
    row: &TicketRow,
) -> Result<(), ServiceError> {
    let command = CasTicketCommand::End {
        reason: "session_ended".into(),
        now: state.now(),
    };
    match state
        .bus
        .execute::<CasTicket, _>(ctx, &row.ticket_id, |t| t.decide(command.clone(), &()))
        .await
    {
        Ok(_) | Err(BusError::Domain(_)) => Ok(()),
        Err(e) => Err(ServiceError::Internal(anyhow::anyhow!("ending a PGT: {e}"))),
    }
}

pub(super) async fn queue_logout(
    state: &AppState,
    ctx: &Context,
    row: &TicketRow,
) -> Result<(), ServiceError> {
    let (ticket, _) = state
        .bus
        .load::<CasTicket>(&ctx.tenant_id, &row.ticket_id)
        .await?;
    let Some(value) = ticket.ticket.filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let command = CasLogoutCommand::Queue {
        session_id: row.session_id.clone(),
        ticket_id: row.ticket_id.clone(),
        application_id: row.application_id.clone(),
        service: row.service.clone(),
        ticket: value,
        now: state.now(),
    };
    state
        .bus
        .execute::<CasLogout, _>(ctx, &state.ids.ordered_uuid(), |l| {
            l.decide(command.clone(), &())
        })
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("queueing a CAS logout: {e}")))?;
    Ok(())
}
