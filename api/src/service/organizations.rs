//! Organisation commands (specs/oneaccess.md §2.3).

use commands::services::{entity_id, now_millis};
use commands::Context;
use domain::organization::{Organization, OrganizationCommand, ParentFacts};
use domain::Aggregate;

use super::ServiceError;
use crate::state::AppState;

pub struct OrgChange {
    pub code: Option<String>,
    pub name: Option<String>,
    pub parent_id: Option<String>,
    pub category: Option<String>,
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

pub async fn create(
    state: &AppState,
    ctx: &Context,
    change: OrgChange,
) -> Result<String, ServiceError> {
    let parent = parent_facts(state, &ctx.tenant_id, change.parent_id).await?;
    let now = now_millis();
    let org_id = entity_id(now);
    let command = OrganizationCommand::Create {
        org_id: org_id.clone(),
        code: change.code.unwrap_or_default(),
        name: change.name.unwrap_or_default(),
        parent,
        category: change.category,
        now,
    };
    state
        .bus
        .execute::<Organization, _>(ctx, &org_id, |org| org.decide(command.clone(), &()))
        .await?;
    Ok(org_id)
}

pub async fn update(
    state: &AppState,
    ctx: &Context,
    org_id: &str,
    change: OrgChange,
) -> Result<(), ServiceError> {
    let parent = parent_facts(state, &ctx.tenant_id, change.parent_id).await?;
    let command = OrganizationCommand::Update {
        code: change.code,
        name: change.name,
        parent,
        category: change.category,
        now: now_millis(),
    };
    state
        .bus
        .execute::<Organization, _>(ctx, org_id, |org| org.decide(command.clone(), &()))
        .await?;
    Ok(())
}

pub async fn delete(state: &AppState, ctx: &Context, org_id: &str) -> Result<(), ServiceError> {
    let pool = state.pool();
    let command = OrganizationCommand::Delete {
        has_children: projections::organizations::has_children(pool, &ctx.tenant_id, org_id)
            .await?,
        has_members: projections::users::org_has_members(pool, &ctx.tenant_id, org_id).await?,
        now: now_millis(),
    };
    state
        .bus
        .execute::<Organization, _>(ctx, org_id, |org| org.decide(command.clone(), &()))
        .await?;
    Ok(())
}
