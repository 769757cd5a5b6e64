//! The CAS background work: single-logout deliveries from the durable outbox (each attempt an
//! event; failures retried with a doubling wait) and the expiry of tickets nobody presented in
//! time. Any number of server processes may run it over one database: a delivery two of them
//! attempt at once is sent twice (services treat a repeated `logoutRequest` as a no-op) and
//! recorded once.

use std::time::Duration;

use domain::cas_logout::{CasLogout, CasLogoutCommand};
use domain::cas_ticket::{CasTicket, CasTicketCommand};
use domain::Aggregate;
use projections::cas::LogoutRow;
use store::{BusError, Context, Metadata};
use tokio::task::JoinHandle;

use crate::cas::iso_millis;
use crate::state::AppState;

/// How long a service has to answer a `logoutRequest`.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// Deliveries and expiries handled per round.
const BATCH: i64 = 100;

/// Runs until aborted: wakes when a logout is queued, when the first retry may be due, and for
/// the expiry sweep.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let tick = Duration::from_millis(state.config.cas_logout_retry_ms.clamp(50, 1_000));
        // Expired tickets are looked for once per ticket lifetime (at most every 30 s), so each
        // expiry is on record within two lifetimes of the ticket's issuance.
        let sweep_every = Duration::from_secs(u64::from(state.config.cas_ticket_seconds).min(30));
        let mut last_sweep = tokio::time::Instant::now();
        loop {
            if let Err(error) = deliver_due(&state).await {
                tracing::warn!(%error, "CAS single-logout round failed");
            }
            if last_sweep.elapsed() >= sweep_every {
                last_sweep = tokio::time::Instant::now();
                if let Err(error) = expire_due(&state).await {
                    tracing::warn!(%error, "CAS ticket expiry round failed");
                }
            }
            let _ = tokio::time::timeout(tick, state.cas_outbox.notified()).await;
        }
    })
}

fn system_context(tenant: &str) -> Context {
    Context {
        tenant_id: tenant.to_string(),
        metadata: Metadata {
            actor_id: Some("cas-outbox".into()),
            actor_kind: Some("system".into()),
            surface: Some("cas".into()),
            ..Metadata::default()
        },
    }
}

/// Attempts every delivery that is due.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<()> {
    let due = projections::cas::logouts_due(state.pool(), state.now(), BATCH).await?;
    if due.is_empty() {
        return Ok(());
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(DELIVERY_TIMEOUT)
        .build()?;
    for row in due {
        deliver(state, &client, &row).await?;
    }
    Ok(())
}

async fn deliver(
    state: &AppState,
    client: &reqwest::Client,
    row: &LogoutRow,
) -> anyhow::Result<()> {
    let (logout, _) = state
        .bus
        .load::<CasLogout>(&row.tenant_id, &row.logout_id)
        .await?;
    if logout.done {
        return Ok(());
    }
    let Some(session_index) = logout.session_index.clone() else {
        return Ok(());
    };
    let outcome = match client
        .post(&row.service)
        .form(&[(
            "logoutRequest",
            logout_request(&session_index, &state.ids.uuid(), state.now()),
        )])
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => Ok(r.status().as_u16()),
        Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
        Err(e) if e.is_timeout() => Err("timed out".to_string()),
        Err(e) if e.is_connect() => Err("connection failed".to_string()),
        Err(_) => Err("request failed".to_string()),
    };
    let command = CasLogoutCommand::Record {
        outcome,
        retry_base_ms: i64::try_from(state.config.cas_logout_retry_ms).unwrap_or(30_000),
        now: state.now(),
    };
    let ctx = system_context(&row.tenant_id);
    match state
        .bus
        .execute::<CasLogout, _>(&ctx, &row.logout_id, |l| l.decide(command.clone(), &()))
        .await
    {
        Ok(_) | Err(BusError::Domain(_)) => Ok(()),
        Err(e) => Err(anyhow::anyhow!("recording a CAS logout attempt: {e}")),
    }
}

/// The SAML 2.0 `LogoutRequest` CAS services expect (CAS Protocol 3.0 §2.3.3 and appendix C).
pub fn logout_request(session_index: &str, id: &str, now: i64) -> String {
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"LR-{}\" Version=\"2.0\" \
         IssueInstant=\"{}\"><saml:NameID>@NOT_USED@</saml:NameID>\
         <samlp:SessionIndex>{}</samlp:SessionIndex></samlp:LogoutRequest>",
        id,
        iso_millis(now),
        xml_dsig::escape(session_index)
    )
}

/// Records the expiry of unused tickets (and PGTs) whose lifetime is over.
pub async fn expire_due(state: &AppState) -> anyhow::Result<()> {
    let now = state.now();
    for (tenant, ticket_id) in projections::cas::due_to_expire(state.pool(), now, BATCH).await? {
        let ctx = system_context(&tenant);
        let command = CasTicketCommand::Expire { now };
        match state
            .bus
            .execute::<CasTicket, _>(&ctx, &ticket_id, |t| t.decide(command.clone(), &()))
            .await
        {
            Ok(_) | Err(BusError::Domain(_)) => {}
            Err(e) => return Err(anyhow::anyhow!("expiring a CAS ticket: {e}")),
        }
    }
    Ok(())
}
