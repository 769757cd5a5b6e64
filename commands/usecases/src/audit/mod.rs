//! The audit trail as an API (DESIGN.md "Audit and compliance", ops/adr/0022): who may read it
//! (an auditor's credential, or any credential granted audit reading), the grant itself (an
//! audited `application.audit_reading_changed`), the event search and each entity's history with
//! before → after values — personal values only to readers granted them, secrets never.

pub mod access;
pub mod export;
pub mod history;
pub mod redact;
pub mod review;
pub mod search;
pub mod subject;

use domain::application::{Application, ApplicationCommand};
use domain::authority::{AuditReading, Authority};
use domain::Aggregate;
use store::{CommandBus, Context};

use crate::authority::{self, GrantRefused, Held};
use crate::state::AppState;
use crate::ServiceError;

/// A credential that may read the audit surface, and whether it sees personal values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub application_id: String,
    pub personal: bool,
}

impl Reader {
    pub fn reading(&self) -> AuditReading {
        if self.personal {
            AuditReading::Personal
        } else {
            AuditReading::Events
        }
    }
}

/// The reader behind the application `ctx`'s actor, or `None` when its credential may not read
/// the audit surface — an administrator without the grant, a directory client — in which case
/// the refusal of `action` has been recorded (`management.refused`, required `auditor`).
pub async fn reader(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    action: &str,
) -> Result<Option<Reader>, ServiceError> {
    let row = projections::applications::get(state.pool(), &ctx.tenant_id, application_id).await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if let Some(reading) = row.reads_audit() {
        return Ok(Some(Reader {
            application_id: row.application_id,
            personal: reading == AuditReading::Personal,
        }));
    }
    let held = Held::of(&row).unwrap_or(Held {
        application_id: row.application_id.clone(),
        authority: Authority::Directory,
        granted_applications: Vec::new(),
    });
    authority::record_refusal(state, ctx, &held, Authority::Auditor, action).await;
    tracing::warn!(application_id = %application_id, %action, "an audit read refused");
    Ok(None)
}

/// Grants (or revokes, with `None`) reading the audit surface to the application
/// `application_id`: recorded as `application.audit_reading_changed` with `ctx`'s actor. A
/// credential (`granter`, absent for the command line) must be a tenant administrator, never
/// grants itself and never changes an application above its own; the target must hold the API
/// product (its credential is a management token).
pub async fn grant(
    bus: &CommandBus,
    ctx: &Context,
    granter: Option<&Held>,
    application_id: &str,
    reading: Option<AuditReading>,
    now: i64,
) -> Result<Result<(), GrantRefused>, ServiceError> {
    let pool = &bus.store().database().pool;
    let Some(target) = projections::applications::get(pool, &ctx.tenant_id, application_id).await?
    else {
        return Ok(Err(GrantRefused::NotFound));
    };
    if let Some(granter) = granter {
        if granter.authority < Authority::TenantAdmin {
            return Ok(Err(GrantRefused::AboveOwn));
        }
        if granter.application_id == target.application_id {
            return Ok(Err(GrantRefused::Own));
        }
        if target.manages() > Some(granter.authority) {
            return Ok(Err(GrantRefused::TargetAbove));
        }
    }
    if !target.api_product {
        return Ok(Err(GrantRefused::NoApiProduct));
    }
    let command = ApplicationCommand::SetAuditReading { reading, now };
    bus.execute::<Application, _>(ctx, application_id, |a| a.decide(command.clone(), &()))
        .await?;
    Ok(Ok(()))
}
