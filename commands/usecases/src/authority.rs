//! Who may do what (DESIGN.md "Who may do what", ops/adr/0014): a management credential's
//! authority, the applications a directory client may manage, recorded refusals, and grants.

use domain::application::{Application, ApplicationCommand};
use domain::authority::Authority;
use domain::management_access::{ManagementAccess, Refuse};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use store::Context;

use crate::state::AppState;
use crate::ServiceError;

/// What a caller's credential holds.
#[derive(Debug, Clone)]
pub struct Held {
    pub application_id: String,
    pub authority: Authority,
    pub granted_applications: Vec<String>,
}

impl Held {
    /// What the application's credential holds on the management surfaces: nothing for an
    /// auditor, which reads the audit surface alone (ops/adr/0022).
    pub fn of(row: &ApplicationRow) -> Option<Self> {
        Some(Self {
            application_id: row.application_id.clone(),
            authority: row.manages()?,
            granted_applications: row.granted_applications.clone(),
        })
    }

    /// An auditor's credential, as a refusal on a management surface records it.
    pub fn auditor(row: &ApplicationRow) -> Option<Self> {
        row.is_auditor().then(|| Self {
            application_id: row.application_id.clone(),
            authority: Authority::Auditor,
            granted_applications: Vec::new(),
        })
    }

    /// Whether the caller may manage the accounts, roles and organisations of `application_id`.
    pub fn may_manage(&self, application_id: &str) -> bool {
        self.authority >= Authority::TenantAdmin
            || self.application_id == application_id
            || self
                .granted_applications
                .iter()
                .any(|a| a == application_id)
    }
}

/// The authority of the application `application_id` of the tenant, if it has one.
pub async fn held(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Option<Held>> {
    Ok(
        crate::cache::lookups::application(state, tenant, application_id)
            .await?
            .as_ref()
            .and_then(Held::of),
    )
}

/// The application `application_id` of the tenant if its credential is an auditor's: it holds
/// no management authority, and a management surface refuses it (recorded) rather than not
/// knowing it.
pub async fn auditor(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Option<Held>> {
    Ok(
        crate::cache::lookups::application(state, tenant, application_id)
            .await?
            .as_ref()
            .and_then(Held::auditor),
    )
}

/// Records a refused call (the refusal is answered whether or not this succeeds).
pub async fn record_refusal(
    state: &AppState,
    ctx: &Context,
    held: &Held,
    required: Authority,
    action: &str,
) {
    let refuse = Refuse {
        application_id: held.application_id.clone(),
        held: held.authority,
        required,
        action: action.to_string(),
        now: state.now(),
    };
    let recorded = state
        .bus
        .execute::<ManagementAccess, _>(ctx, &held.application_id, |a| {
            a.decide(refuse.clone(), &())
        })
        .await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "recording a refused management call");
    }
}

/// Why a grant was refused.
#[derive(Debug, thiserror::Error)]
pub enum GrantRefused {
    #[error("a credential grants at most its own authority")]
    AboveOwn,
    #[error("this application holds more authority than the caller")]
    TargetAbove,
    #[error("a credential cannot change its own authority; ask another administrator")]
    Own,
    #[error("only the default tenant has an operator")]
    OperatorOutsideDefault,
    #[error("the API product is required for a management authority")]
    NoApiProduct,
    #[error("application does not exist")]
    NotFound,
}

/// Sets an application's authority (and the applications a directory client may manage).
pub async fn grant(
    state: &AppState,
    ctx: &Context,
    caller: &Held,
    application_id: &str,
    authority: Option<Authority>,
    applications: Vec<String>,
) -> Result<Result<(), GrantRefused>, ServiceError> {
    let Some(target) =
        projections::applications::get(state.pool(), &ctx.tenant_id, application_id).await?
    else {
        return Ok(Err(GrantRefused::NotFound));
    };
    if target.application_id == caller.application_id {
        return Ok(Err(GrantRefused::Own));
    }
    if target.management_authority() > Some(caller.authority) {
        return Ok(Err(GrantRefused::TargetAbove));
    }
    if authority > Some(caller.authority) {
        return Ok(Err(GrantRefused::AboveOwn));
    }
    if authority == Some(Authority::Operator) && ctx.tenant_id != domain::tenant::DEFAULT_TENANT_ID
    {
        return Ok(Err(GrantRefused::OperatorOutsideDefault));
    }
    if authority.is_some() && !target.api_product {
        return Ok(Err(GrantRefused::NoApiProduct));
    }
    let command = ApplicationCommand::SetAuthority {
        authority,
        applications,
        now: state.now(),
    };
    state
        .bus
        .execute::<Application, _>(ctx, application_id, |a| a.decide(command.clone(), &()))
        .await?;
    Ok(Ok(()))
}

/// Whether the caller may change the application `target` (its secret, settings, switches): not
/// one holding more authority than the caller.
pub fn may_change(caller: &Held, target: &ApplicationRow) -> bool {
    target.management_authority() <= Some(caller.authority)
}
