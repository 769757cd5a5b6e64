//! `idaas user erase` and `idaas retention run` (ops/adr/0026): erasure of one user with the CLI
//! as actor, and a one-off run of every tenant's retention policy (or one tenant's) with the
//! system as actor — the same use cases as the admin API and the retention worker.

use domain::user::{ErasureReason, UserError};
use store::{CommandBus, EventStore};
use usecases::clock::Clock;
use usecases::retention::Applied;
use usecases::ServiceError;

/// Erases `user_id` in `tenant_id`; an unknown or already erased user is an error naming it.
pub async fn erase_user(
    store: &EventStore,
    tenant_id: &str,
    user_id: &str,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    let bus = CommandBus::new(store.clone());
    let ctx = usecases::Context {
        tenant_id: tenant_id.to_string(),
        metadata: usecases::Metadata {
            actor_kind: Some("admin".into()),
            actor_id: Some("cli".into()),
            surface: Some("cli".into()),
            ..Default::default()
        },
    };
    let now = clock.now_millis();
    match usecases::erasure::erase_user(&bus, &ctx, user_id, ErasureReason::Request, now).await {
        Ok(_) => Ok(()),
        Err(ServiceError::User(UserError::NotFound)) => {
            anyhow::bail!("no user {user_id} in tenant {tenant_id}")
        }
        Err(ServiceError::User(UserError::AlreadyErased)) => {
            anyhow::bail!("user {user_id} is already erased")
        }
        Err(other) => Err(anyhow::anyhow!("{other}")),
    }
}

/// Applies the retention policies now: every tenant's, or only `tenant_id`'s. What was done.
pub async fn run_retention(
    store: &EventStore,
    tenant_id: Option<&str>,
    clock: &dyn Clock,
) -> anyhow::Result<Vec<Applied>> {
    let bus = CommandBus::new(store.clone());
    let now = clock.now_millis();
    let Some(tenant_id) = tenant_id else {
        return usecases::retention::run_all(&bus, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"));
    };
    let tenant = projections::tenants::get(&store.database().pool, tenant_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no tenant {tenant_id}"))?;
    let Some(days) = tenant.settings.retention.de_identify_after_days else {
        return Ok(Vec::new());
    };
    let run = usecases::retention::run_tenant(&bus, tenant_id, days, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(run
        .into_iter()
        .map(|run| Applied {
            tenant_id: tenant_id.to_string(),
            run,
        })
        .collect())
}
