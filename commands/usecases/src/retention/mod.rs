//! Retention (DESIGN.md "Audit and compliance", ops/adr/0026): for each tenant whose policy names
//! `de_identify_after_days` N, a run erases the users deleted more than N days ago and forgets the
//! request metadata (client address, user agent) of events recorded more than N days ago, and
//! records what it did as one `tenant.retention_applied` (a run that finds nothing records
//! nothing). The system is the actor.

mod worker;

pub use worker::{RetentionSettings, RetentionWorker};

use domain::retention::RetentionRun;
use domain::tenant::{Tenant, TenantCommand};
use domain::user::{ErasureReason, UserError};
use domain::Aggregate;
use store::{CommandBus, Context, Metadata};

use crate::erasure::erase_user;
use crate::ServiceError;

const DAY_MS: i64 = 86_400_000;
/// The most deleted users one run erases per tenant; the next run goes on.
const MAX_ERASED_PER_RUN: i64 = 500;

/// What a run did in one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub tenant_id: String,
    pub run: RetentionRun,
}

fn system(tenant_id: &str) -> Context {
    Context {
        tenant_id: tenant_id.to_string(),
        metadata: Metadata {
            actor_kind: Some("system".into()),
            actor_id: Some("retention".into()),
            surface: Some("retention".into()),
            ..Default::default()
        },
    }
}

/// Applies every tenant's policy at `now` (milliseconds); the tenants where something was done.
pub async fn run_all(bus: &CommandBus, now: i64) -> Result<Vec<Applied>, ServiceError> {
    let pool = &bus.store().database().pool;
    let mut applied = Vec::new();
    for (tenant, _) in projections::tenants::list(pool).await? {
        let Some(days) = tenant.settings.retention.de_identify_after_days else {
            continue;
        };
        if let Some(run) = run_tenant(bus, &tenant.tenant_id, days, now).await? {
            applied.push(Applied {
                tenant_id: tenant.tenant_id,
                run,
            });
        }
    }
    Ok(applied)
}

/// Applies a period of `days` to one tenant at `now`; what was done, if anything.
#[tracing::instrument(skip(bus))]
pub async fn run_tenant(
    bus: &CommandBus,
    tenant_id: &str,
    days: u32,
    now: i64,
) -> Result<Option<RetentionRun>, ServiceError> {
    let ctx = system(tenant_id);
    let cutoff = now - i64::from(days) * DAY_MS;
    let pool = &bus.store().database().pool;
    let due =
        projections::users::deleted_before(pool, tenant_id, cutoff, MAX_ERASED_PER_RUN).await?;
    let mut users_erased = Vec::new();
    for user_id in due {
        match erase_user(bus, &ctx, &user_id, ErasureReason::Retention, now).await {
            Ok(_) => users_erased.push(user_id),
            // Erased meanwhile by someone else: nothing left to do for it.
            Err(ServiceError::User(UserError::AlreadyErased | UserError::NotFound)) => {}
            Err(error) => return Err(error),
        }
    }
    let cutoff_text = crate::audit::search::recorded_form(cutoff)
        .ok_or_else(|| anyhow::anyhow!("a retention cutoff out of range"))?;
    let metadata = bus
        .store()
        .request_metadata_due(tenant_id, &cutoff_text)
        .await?;
    if users_erased.is_empty() && metadata.is_none() {
        return Ok(None);
    }
    let run = RetentionRun {
        after_days: days,
        cutoff,
        request_metadata_up_to: metadata.map(|(position, _)| position),
        request_metadata_removed: metadata.map_or(0, |(_, count)| count),
        users_erased,
        at: now,
    };
    let command = TenantCommand::RecordRetention(run.clone());
    bus.execute::<Tenant, _>(&ctx, tenant_id, |tenant| {
        tenant.decide(command.clone(), &())
    })
    .await?;
    tracing::info!(
        users_erased = run.users_erased.len(),
        request_metadata_removed = run.request_metadata_removed,
        "retention applied"
    );
    Ok(Some(run))
}
