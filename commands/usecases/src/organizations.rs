//! Organisation commands (specs/oneaccess.md §2.3): the tenant's organisation policy is read here,
//! and the decision is the organisation aggregate's. Each dialect validates its own vocabulary
//! (codes, categories) before calling these.

use std::sync::Arc;

use domain::organization::{
    OrgDetails, Organization, OrganizationCommand, OrganizationError, ParentFacts,
};
use domain::{Aggregate, OrganizationId};
use projections::guards::{
    org_exists, org_has_no_children, org_has_no_members, org_not_under_itself, HAS_NO_CHILDREN,
    HAS_NO_MEMBERS, NOT_UNDER_ITSELF, ORG_EXISTS,
};
use store::store::Guard;
use store::{BusError, Context};

use crate::state::AppState;
use crate::{settings, ServiceError};

/// An organisation's fields as a dialect gives them; `None` (or empty) leaves a field as it is
/// on update. On create a missing category is stored empty: a dialect with a default supplies it.
pub struct OrgChange {
    pub code: Option<String>,
    pub name: Option<String>,
    pub parent_id: Option<String>,
    pub category: Option<String>,
    /// External id (set once), order and description (Inspur); empty for OneAccess.
    pub details: OrgDetails,
}

async fn parent_facts(
    state: &AppState,
    tenant: &str,
    parent_id: Option<String>,
) -> anyhow::Result<Option<ParentFacts>> {
    let Some(id) = parent_id.filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let parent = projections::organizations::get(state.pool(), tenant, &id).await?;
    Ok(Some(ParentFacts {
        exists: parent.is_some(),
        ancestors: parent.map(|p| p.ancestors()).unwrap_or_default(),
        id,
    }))
}

/// Guard failures in organisation commands, as the organisation's own errors.
fn tree_error(error: BusError<OrganizationError>) -> ServiceError {
    match error {
        BusError::GuardFailed(ORG_EXISTS) => OrganizationError::ParentNotFound.into(),
        BusError::GuardFailed(NOT_UNDER_ITSELF) => OrganizationError::ParentIsSelf.into(),
        BusError::GuardFailed(HAS_NO_CHILDREN | HAS_NO_MEMBERS) => {
            OrganizationError::CannotDelete.into()
        }
        other => other.into(),
    }
}

/// The parent must still exist, and (for a move) must not lie under the organisation, when the
/// events are written.
fn parent_guards(org_id: &str, parent: &Option<ParentFacts>) -> Vec<Arc<dyn Guard>> {
    match parent {
        Some(p) => vec![
            Arc::new(org_exists(p.id.clone())),
            Arc::new(org_not_under_itself(org_id.to_string(), p.id.clone())),
        ],
        None => Vec::new(),
    }
}

/// Whether the organisation exists (a dialect that reports "not found" before its own input
/// rules asks this first).
pub async fn exists(
    state: &AppState,
    ctx: &Context,
    org_id: &OrganizationId,
) -> Result<bool, ServiceError> {
    Ok(
        projections::organizations::get(state.pool(), &ctx.tenant_id, org_id.as_str())
            .await?
            .is_some(),
    )
}

pub async fn create(
    state: &AppState,
    ctx: &Context,
    change: OrgChange,
) -> Result<OrganizationId, ServiceError> {
    let parent = parent_facts(state, &ctx.tenant_id, change.parent_id).await?;
    let policy = settings(state, &ctx.tenant_id).await?.organizations;
    let now = state.now();
    let org_id = state.ids.entity_id(now);
    let guards = parent_guards(&org_id, &parent);
    let command = OrganizationCommand::Create {
        org_id: org_id.clone(),
        code: change.code.unwrap_or_default(),
        name: change.name.unwrap_or_default(),
        parent,
        category: change.category,
        details: change.details,
        policy,
        now,
    };
    state
        .bus
        .execute_guarded::<Organization, _>(ctx, &org_id, guards, |org| {
            org.decide(command.clone(), &())
        })
        .await
        .map_err(tree_error)?;
    Ok(OrganizationId::new(org_id))
}

pub async fn update(
    state: &AppState,
    ctx: &Context,
    org_id: &OrganizationId,
    change: OrgChange,
) -> Result<(), ServiceError> {
    let org_id = org_id.as_str();
    // An empty parent id (a dialect's "to the top level") moves the organisation to the top
    // level; an absent one leaves it where it is.
    let to_root = change.parent_id.as_deref() == Some("");
    let parent = parent_facts(state, &ctx.tenant_id, change.parent_id).await?;
    let policy = settings(state, &ctx.tenant_id).await?.organizations;
    let guards = parent_guards(org_id, &parent);
    let command = OrganizationCommand::Update {
        code: change.code,
        name: change.name,
        parent,
        to_root,
        category: change.category,
        details: change.details,
        policy,
        now: state.now(),
    };
    state
        .bus
        .execute_guarded::<Organization, _>(ctx, org_id, guards, |org| {
            org.decide(command.clone(), &())
        })
        .await
        .map_err(tree_error)?;
    Ok(())
}

pub async fn delete(
    state: &AppState,
    ctx: &Context,
    org_id: &OrganizationId,
) -> Result<(), ServiceError> {
    let org_id = org_id.as_str();
    let pool = state.pool();
    let command = OrganizationCommand::Delete {
        has_children: projections::organizations::has_children(pool, &ctx.tenant_id, org_id)
            .await?,
        has_members: projections::users::org_has_members(pool, &ctx.tenant_id, org_id).await?,
        now: state.now(),
    };
    let guards: Vec<Arc<dyn Guard>> = vec![
        Arc::new(org_has_no_children(org_id.to_string())),
        Arc::new(org_has_no_members(org_id.to_string())),
    ];
    state
        .bus
        .execute_guarded::<Organization, _>(ctx, org_id, guards, |org| {
            org.decide(command.clone(), &())
        })
        .await
        .map_err(tree_error)?;
    Ok(())
}

/// Enables or disables an organisation (Inspur ORG-02).
pub async fn set_disabled(
    state: &AppState,
    ctx: &Context,
    org_id: &OrganizationId,
    disabled: bool,
) -> Result<(), ServiceError> {
    let command = OrganizationCommand::SetDisabled {
        disabled,
        now: state.now(),
    };
    state
        .bus
        .execute::<Organization, _>(ctx, org_id.as_str(), |org| org.decide(command.clone(), &()))
        .await?;
    Ok(())
}
