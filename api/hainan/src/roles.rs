//! Seed 003 roles and their holders (specs/oneaccess-sdk-and-hainan-uaa.md §2.2, ops/adr/0018):
//! uaaAddRole (003-7, a batch), uaaModifyRole (003-8), uaaDeleteRole (003-9), uaaListAppRoles
//! (003-10), uaaListUserRoleInfoWithAppKey (003-1, direct bindings), uaaUserIdBindRoles and
//! uaaUserIdUnBindRoles (003-13/14), uaaOrgRoleAdd and uaaOrgRoleDelete (003-15/16, `authSub`
//! the organisation's current subtree), uaaPageOrgInfoListByRoleId (003-17) and userInfoByRole
//! (004-7, direct bindings). Roles are the application's (`Uaa-App-Key`); `operator` is recorded
//! as the person the application acted for.

use projections::app_roles::RoleRow;
use projections::role_bindings;
use serde_json::{json, Value};
use usecases::authorization::{self, RoleKey};
use usecases::authorization_roles::{self as roles, NewRole, RoleChange};
use usecases::AppState;

use crate::caller::Call;
use crate::envelope::{Code, HainanError};
use crate::input::{page_object, Body, MAX_IDS};
use crate::views;

/// The Role object.
fn view(role: &RoleRow) -> Value {
    json!({
        "roleId": role.role_id,
        "roleCode": role.code,
        "roleName": role.name,
        "remark": role.remark,
        "enable": role.enabled,
        "appId": role.application_id,
    })
}

/// The role `roleId` and/or `roleCode` name (at least one; both must agree).
async fn role(state: &AppState, call: &Call, body: &Body) -> Result<RoleRow, HainanError> {
    let key = RoleKey {
        role_id: body.text("roleId")?,
        role_code: body.text("roleCode")?,
    };
    if key.role_id.is_none() && key.role_code.is_none() {
        return Err(HainanError::new(
            Code::ParamMissing,
            "roleId or roleCode is required",
        ));
    }
    let app = &call.app.application_id;
    Ok(authorization::resolve_role(state, &call.tenant_id, app, &key).await?)
}

/// 003-7 `uaaAddRole`: `data` true.
pub async fn add(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let items = body
        .list("roleList")?
        .filter(|items| !items.is_empty())
        .ok_or_else(|| HainanError::missing("roleList"))?;
    if items.len() > MAX_IDS {
        return Err(HainanError::new(
            Code::LimitExceeded,
            format!("roleList: at most {MAX_IDS} roles per call"),
        ));
    }
    let mut batch = Vec::with_capacity(items.len());
    for item in &items {
        batch.push(NewRole {
            code: item.required("roleCode")?,
            name: item.text("roleName")?,
            remark: item.text("remark")?,
        });
    }
    let ctx = call.acting_for(body.text("operator")?);
    roles::create_roles(state, &ctx, &call.app.application_id, batch).await?;
    Ok(json!(true))
}

/// 003-8 `uaaModifyRole`: the given fields change; `data` true.
pub async fn modify(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let role_id = body.required("roleId")?;
    let change = RoleChange {
        name: body.text("roleName")?,
        code: body.text("roleCode")?,
        remark: body.text("remark")?,
        enabled: body.boolean("enable")?,
    };
    let ctx = call.acting_for(body.text("operator")?);
    roles::configure_role(state, &ctx, &call.app.application_id, &role_id, change).await?;
    Ok(json!(true))
}

/// 003-9 `uaaDeleteRole`: its bindings go with it; `data` true.
pub async fn delete(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let role_id = body.required("roleId")?;
    let ctx = call.acting_for(body.text("operator")?);
    roles::delete_role(state, &ctx, &call.app.application_id, &role_id).await?;
    Ok(json!(true))
}

/// 003-10 `uaaListAppRoles`: `data.roles`, every role of the application.
pub async fn list(state: &AppState, call: &Call) -> Result<Value, HainanError> {
    let app = &call.app.application_id;
    let found = role_bindings::roles_of_application(state.pool(), &call.tenant_id, app).await?;
    Ok(json!({ "roles": found.iter().map(view).collect::<Vec<_>>() }))
}

/// 003-1 `uaaListUserRoleInfoWithAppKey`: `data.roles`, the user's roles bound directly.
pub async fn of_user(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let user_id = body.required("userId")?;
    projections::users::get(state.pool(), &call.tenant_id, &user_id)
        .await?
        .ok_or_else(|| HainanError::not_found("the user"))?;
    let app = &call.app.application_id;
    let found = role_bindings::user_roles(state.pool(), &call.tenant_id, app, &user_id).await?;
    Ok(json!({ "roles": found.iter().map(view).collect::<Vec<_>>() }))
}

/// 003-13/14 `uaaUserIdBindRoles`, `uaaUserIdUnBindRoles`: `data` null.
pub async fn bind_user(
    state: &AppState,
    call: &Call,
    body: &Body,
    bind: bool,
) -> Result<Value, HainanError> {
    let user_id = body.required("userId")?;
    let role_ids = body.required_ids("roleIds")?;
    let ctx = call.acting_for(body.text("operator")?);
    let app = &call.app.application_id;
    authorization::bind_user_roles(state, &ctx, app, &user_id, role_ids, bind).await?;
    Ok(Value::Null)
}

/// 003-15/16 `uaaOrgRoleAdd`, `uaaOrgRoleDelete`: `data` true.
pub async fn bind_org(
    state: &AppState,
    call: &Call,
    body: &Body,
    bind: bool,
) -> Result<Value, HainanError> {
    let org_id = body.required("orgId")?;
    let role = role(state, call, body).await?;
    let auth_sub = body.boolean("authSub")?.unwrap_or(false);
    let ctx = call.acting_for(body.text("operator")?);
    let key = RoleKey {
        role_id: Some(role.role_id),
        role_code: None,
    };
    let app = &call.app.application_id;
    authorization::bind_org_role(state, &ctx, app, key, &org_id, auth_sub, bind).await?;
    Ok(json!(true))
}

/// 003-17 `uaaPageOrgInfoListByRoleId`: the organisations bound to the role, each an extended
/// organisation record.
pub async fn orgs(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let page = body.page()?;
    let role_id = body.required("roleId")?;
    let app = &call.app.application_id;
    roles::role_of(state, &call.tenant_id, app, &role_id).await?;
    let pool = state.pool();
    let found = role_bindings::orgs_of_role(pool, &call.tenant_id, &role_id, page).await?;
    let mut organs = Vec::with_capacity(found.items.len());
    for binding in &found.items {
        if let Some(organ) =
            projections::organs::get(pool, &call.tenant_id, &binding.org_id).await?
        {
            organs.push(organ);
        }
    }
    let mut records = crate::orgs::records(state, call, &organs, true).await?;
    for (record, organ) in records.iter_mut().zip(&organs) {
        views::org_extended(record, organ);
    }
    Ok(page_object(found.with_items(records)))
}

/// 004-7 `userInfoByRole`: the users bound to the role directly; the page carries its rows as
/// `records` (the table) and `record` (the example).
pub async fn users(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let page = body.page()?;
    let role = role(state, call, body).await?;
    let pool = state.pool();
    let tenant = &call.tenant_id;
    let found = role_bindings::users_of_role(pool, tenant, &role.role_id, page).await?;
    let details = projections::uaa::account_details(pool, tenant, &found.items).await?;
    let mut rows = Vec::with_capacity(found.items.len());
    for user_id in &found.items {
        if let Some(user) = projections::users::get(pool, tenant, user_id).await? {
            let p = &user.profile;
            rows.push(json!({
                "userId": user.user_id,
                "account": p.username,
                "nickName": p.display_name,
                "enable": !user.disabled,
                "remark": details.get(user_id).and_then(|d| d.remark.clone()),
                "phone": p.mobile,
                "email": p.email,
            }));
        }
    }
    let mut object = page_object(found.with_items(rows));
    object["record"] = object["records"].clone();
    Ok(object)
}
