//! Seed 004 user reads (specs/oneaccess-sdk-and-hainan-uaa.md §2.3): pushUserInfo (004-1, by
//! exactly one of userId, externalId, account, phone), listUserInfoWithUserId (004-9, at most
//! 100 ids), getUserInfoById (004-10), uaaGetUserOrgListById (004-11) and searchByExtendProp
//! (004-13).

use projections::uaa::{self, UserKey};
use projections::users::{self, UserRow};
use serde_json::{json, Value};

use crate::caller::Call;
use crate::envelope::HainanError;
use crate::input::{page_object, Body};
use crate::views;
use usecases::AppState;

async fn user(state: &AppState, call: &Call, user_id: &str) -> Result<UserRow, HainanError> {
    users::get(state.pool(), &call.tenant_id, user_id)
        .await?
        .ok_or_else(|| HainanError::not_found("the user"))
}

/// The external id and remark the account details hold, put into a user view.
async fn with_details(
    state: &AppState,
    call: &Call,
    rows: &[UserRow],
    mut views: Vec<Value>,
) -> Result<Vec<Value>, HainanError> {
    let ids: Vec<String> = rows.iter().map(|u| u.user_id.clone()).collect();
    let details = uaa::account_details(state.pool(), &call.tenant_id, &ids).await?;
    for (row, view) in rows.iter().zip(views.iter_mut()) {
        let found = details.get(&row.user_id).cloned().unwrap_or_default();
        view["externalId"] = json!(found.external_id);
        if view.get("remark").is_some() {
            view["remark"] = json!(found.remark);
        }
    }
    Ok(views)
}

/// 004-1 `pushUserInfo`.
pub async fn push_user_info(
    state: &AppState,
    call: &Call,
    body: &Body,
) -> Result<Value, HainanError> {
    let (key, value) = body.exactly_one(&["userId", "externalId", "account", "phone"])?;
    let pool = state.pool();
    let tenant = &call.tenant_id;
    let found = match key.as_str() {
        "userId" => users::get(pool, tenant, &value).await?,
        "account" => users::by_user_name(pool, tenant, &value).await?,
        _ => {
            let by = if key == "phone" {
                UserKey::Mobile
            } else {
                UserKey::ExternalId
            };
            match uaa::user_id_by(pool, tenant, by, &value).await? {
                Some(id) => users::get(pool, tenant, &id).await?,
                None => None,
            }
        }
    };
    let user = found.ok_or_else(|| HainanError::not_found("the user"))?;
    let view = views::user_detail(&user, call.zone);
    let mut views = with_details(state, call, std::slice::from_ref(&user), vec![view]).await?;
    Ok(views.remove(0))
}

/// 004-9 `listUserInfoWithUserId`: `data.users`, the known ones in the order asked.
pub async fn list_user_info(
    state: &AppState,
    call: &Call,
    body: &Body,
) -> Result<Value, HainanError> {
    let ids = body.required_ids("userIds")?;
    let mut rows = Vec::new();
    for id in &ids {
        if let Some(user) = users::get(state.pool(), &call.tenant_id, id).await? {
            rows.push(user);
        }
    }
    let views = rows
        .iter()
        .map(|u| views::user_info(u, call.zone))
        .collect();
    let views = with_details(state, call, &rows, views).await?;
    Ok(json!({ "users": views }))
}

/// 004-10 `getUserInfoById`.
pub async fn get_user_info(
    state: &AppState,
    call: &Call,
    body: &Body,
) -> Result<Value, HainanError> {
    let user = user(state, call, &body.required("userId")?).await?;
    let view = views::user_info(&user, call.zone);
    let mut views = with_details(state, call, std::slice::from_ref(&user), vec![view]).await?;
    Ok(views.remove(0))
}

/// 004-11 `uaaGetUserOrgListById`: `data.orgs`, each with `parentIdPath` and `mainJob`.
pub async fn user_orgs(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let user = user(state, call, &body.required("userId")?).await?;
    let orgs = uaa::user_orgs(state.pool(), &call.tenant_id, &user.user_id).await?;
    let organs: Vec<_> = orgs.iter().map(|(organ, _)| organ.clone()).collect();
    let mut records = crate::orgs::records(state, call, &organs, false).await?;
    for (record, (organ, post)) in records.iter_mut().zip(&orgs) {
        record["parentIdPath"] = json!(views::parent_id_path(organ));
        record["mainJob"] = json!(post.primary);
    }
    Ok(json!({ "orgs": records }))
}

/// 004-13 `searchByExtendProp`: users whose extended attribute `extendKey` is exactly
/// `extendValue`, each with the posts it holds (`belongs`). The page has the table's keys, and
/// the example's `result` and `latestId` (the last row's id) for callers written against it.
pub async fn by_extension(
    state: &AppState,
    call: &Call,
    body: &Body,
) -> Result<Value, HainanError> {
    let page = body.page()?;
    let key = body.required("extendKey")?;
    let value = body.required("extendValue")?;
    let pool = state.pool();
    let tenant = &call.tenant_id;
    let found = uaa::users_by_extension(pool, tenant, &key, &value, page).await?;
    let mut rows = Vec::with_capacity(found.items.len());
    for user_id in &found.items {
        let Some(user) = users::get(pool, tenant, user_id).await? else {
            continue;
        };
        let mut belongs = Vec::new();
        for (organ, post) in uaa::user_orgs(pool, tenant, user_id).await? {
            belongs.push(json!({
                "orgId": organ.org_id,
                "orgName": organ.name,
                "posJob": post.post,
                "fullNamePath": organ.name_path,
                "jobType": if post.primary { "1" } else { "2" },
                "mainJob": post.primary,
            }));
        }
        let p = &user.profile;
        rows.push(json!({
            "id": user.user_id,
            "userId": user.user_id,
            "account": p.username,
            "nickName": p.display_name,
            "phone": p.mobile,
            "belongs": belongs,
        }));
    }
    let latest = rows.last().map(|r| r["id"].clone()).unwrap_or(json!(""));
    let page = found.with_items(rows);
    let mut object = page_object(page);
    object["result"] = object["records"].clone();
    object["latestId"] = latest;
    Ok(object)
}
