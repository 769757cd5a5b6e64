//! Proxy tickets from proxy-granting tickets (CAS Protocol 3.0 §2.7).

use super::*;

use crate::state::AppState;
use domain::cas_ticket::{CasTicket, CasTicketCommand, Issue, TicketKind};
use domain::Aggregate;
use store::{BusError, Context};

/// `/proxy`: a proxy ticket for `target_service` from a live PGT.
pub async fn proxy(
    state: &AppState,
    ctx: &Context,
    pgt: Option<&str>,
    target_service: Option<&str>,
) -> Result<String, CasFailure> {
    let (Some(pgt), Some(target)) = (
        pgt.filter(|p| !p.is_empty()),
        target_service.filter(|t| !t.is_empty()),
    ) else {
        return Err(CasFailure::invalid_request(
            "'pgt' and 'targetService' parameters are both required",
        ));
    };
    let tenant = &ctx.tenant_id;
    let bad_pgt = || CasFailure::new("INVALID_TICKET", format!("Ticket {pgt} not recognized"));
    if !well_formed(pgt) {
        return Err(bad_pgt());
    }
    let hash = state.keys().secret_hash(pgt);
    let row = projections::cas::ticket_by_hash(state.pool(), tenant, &hash).await?;
    let Some(row) = row.filter(|r| r.kind == TicketKind::ProxyGranting && r.status == "open")
    else {
        return Err(bad_pgt());
    };
    let (current, _) = state.bus.load::<CasTicket>(tenant, &row.ticket_id).await?;
    let Some(pgt_issue) = current.issued.clone() else {
        return Err(bad_pgt());
    };
    let unauthorized = || {
        CasFailure::new(
            "UNAUTHORIZED_SERVICE",
            format!("The service '{target}' is not authorized to receive a proxy ticket"),
        )
    };
    let Some(target_app) = application_for_service(state, tenant, target).await? else {
        return Err(unauthorized());
    };
    let usable = usable_account(
        state,
        tenant,
        &pgt_issue.user_id,
        &target_app.application_id,
    )
    .await?;
    if usable.is_none() {
        return Err(unauthorized());
    }
    let ticket = new_ticket(state, TicketKind::Proxy.prefix(), TICKET_RANDOM_LEN);
    let ticket_id = state.ids.ordered_uuid();
    let now = state.now();
    let grant = CasTicketCommand::GrantProxy {
        target_service: target.to_string(),
        proxy_ticket_id: ticket_id.clone(),
        now,
    };
    let app_ctx = crate::acting(ctx, "application", &pgt_issue.application_id);
    match state
        .bus
        .execute::<CasTicket, _>(&app_ctx, &row.ticket_id, |t| t.decide(grant.clone(), &()))
        .await
    {
        Ok(_) => {}
        Err(BusError::Domain(_)) => return Err(bad_pgt()),
        Err(e) => return Err(anyhow::anyhow!("granting a proxy ticket: {e}").into()),
    }
    let issue = Issue {
        kind: TicketKind::Proxy,
        ticket_hash: state.keys().secret_hash(&ticket),
        application_id: target_app.application_id.clone(),
        service: target.to_string(),
        from_new_login: false,
        granted_by: Some(row.ticket_id.clone()),
        issued_at: now,
        expires_at: now + ticket_lifetime_ms(state),
        ..pgt_issue
    };
    record_issue(state, &app_ctx, &ticket_id, issue, Some(ticket.clone())).await?;
    // Counted here: a proxy answer is 200 whether it issued a ticket or refused.
    metrics::counter!("idaas_tickets_issued_total", "kind" => "cas_proxy").increment(1);
    Ok(ticket)
}
