//! Seed 004 organisation reads (specs/oneaccess-sdk-and-hainan-uaa.md §2.3): pushOrgInfo (004-2,
//! by exactly one of orgId, externalId), pushOrgRootInfo (004-3), pushOrgChild (004-4, direct
//! children of at most one of parentId, parentExternalId; neither: the roots), pushOrgUsers
//! (004-5, direct members, `nickName` a prefix) and uaaGetOrgListByIds (004-12, a bare list).

use projections::organs::{self, Children, Organ};
use projections::uaa;
use serde_json::{json, Value};
use usecases::AppState;

use crate::caller::Call;
use crate::envelope::HainanError;
use crate::input::{page_object, Body};
use crate::views;

/// The records of these organisations, each with the id of its unit (the nearest `GOV_UNIT`
/// of itself and its ancestors).
pub async fn records(
    state: &AppState,
    call: &Call,
    found: &[Organ],
    extend_map: bool,
) -> Result<Vec<Value>, HainanError> {
    let mut records = Vec::with_capacity(found.len());
    for organ in found {
        let unit = uaa::unit_of(state.pool(), &call.tenant_id, organ).await?;
        let unit_id = unit.as_ref().map(|u| u.org_id.as_str());
        records.push(views::org(organ, call.zone, extend_map, unit_id));
    }
    Ok(records)
}

/// The organisation `key` (`orgId` or an external-id key) names.
async fn organ_by(
    state: &AppState,
    call: &Call,
    key: &str,
    value: &str,
) -> Result<Organ, HainanError> {
    let pool = state.pool();
    let found = if key.ends_with("xternalId") {
        uaa::org_by_external_id(pool, &call.tenant_id, value).await?
    } else {
        organs::get(pool, &call.tenant_id, value).await?
    };
    found.ok_or_else(|| HainanError::not_found("the organisation"))
}

/// 004-2 `pushOrgInfo`.
pub async fn org_info(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let (key, value) = body.exactly_one(&["orgId", "externalId"])?;
    let organ = organ_by(state, call, &key, &value).await?;
    let mut records = records(state, call, std::slice::from_ref(&organ), true).await?;
    Ok(records.remove(0))
}

/// 004-3 `pushOrgRootInfo`: `data.orgs`, every top-level organisation.
pub async fn roots(state: &AppState, call: &Call) -> Result<Value, HainanError> {
    let which = Children {
        parent_id: None,
        name_like: None,
        include_disabled: true,
    };
    let roots = organs::children(state.pool(), &call.tenant_id, which).await?;
    Ok(json!({ "orgs": records(state, call, &roots, false).await? }))
}

/// 004-4 `pushOrgChild`.
pub async fn children(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let page = body.page()?;
    let parent = match body.at_most_one(&["parentId", "parentExternalId"])? {
        Some((key, value)) => Some(organ_by(state, call, &key, &value).await?),
        None => None,
    };
    let which = Children {
        parent_id: parent.as_ref().map(|p| p.org_id.as_str()),
        name_like: None,
        include_disabled: true,
    };
    let found = organs::children_page(state.pool(), &call.tenant_id, which, page).await?;
    let rows = records(state, call, &found.items, false).await?;
    Ok(page_object(found.with_items(rows)))
}

/// 004-5 `pushOrgUsers`: direct members; `jobType` 1 primary post, 2 a concurrent one.
pub async fn members(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let page = body.page()?;
    let (key, value) = body.exactly_one(&["orgId", "orgExternalId"])?;
    let organ = organ_by(state, call, &key, &value).await?;
    let prefix = body.text("nickName")?;
    let pool = state.pool();
    let tenant = &call.tenant_id;
    let found = uaa::org_members(pool, tenant, &organ.org_id, prefix.as_deref(), page).await?;
    let ids: Vec<String> = found.items.iter().map(|m| m.user_id.clone()).collect();
    let details = uaa::account_details(pool, tenant, &ids).await?;
    let mut records = Vec::with_capacity(found.items.len());
    for member in &found.items {
        let Some(user) = projections::users::get(pool, tenant, &member.user_id).await? else {
            continue;
        };
        let p = &user.profile;
        records.push(json!({
            "userId": user.user_id,
            "account": p.username,
            "phone": p.mobile,
            "email": p.email,
            "nickName": p.display_name,
            "remark": details.get(&user.user_id).and_then(|d| d.remark.clone()),
            "enable": !user.disabled,
            "jobType": if member.post.primary { 1 } else { 2 },
            "posJob": member.post.post,
            "sortNum": member.post.sort,
            "mainJob": member.post.primary,
            "createTime": views::wire(user.created_at, call.zone),
            "updateTime": views::wire(user.updated_at, call.zone),
        }));
    }
    let page = found.with_items(records);
    Ok(page_object(page))
}

/// 004-12 `uaaGetOrgListByIds`: `data` is the list itself.
pub async fn by_ids(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let ids = body.required_ids("orgIds")?;
    let found = uaa::orgs_by_ids(state.pool(), &call.tenant_id, &ids).await?;
    Ok(Value::Array(records(state, call, &found, false).await?))
}
