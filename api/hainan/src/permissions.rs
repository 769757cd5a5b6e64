//! Seed 003 permissions (specs/oneaccess-sdk-and-hainan-uaa.md §2.2, ops/adr/0018): a tree per
//! application — uaaAddPermission (003-2), uaaModifyPermission (003-3: absent fields keep their
//! value, an explicit empty `parentId` moves to the top level, §4.1.13), uaaDeletePermission
//! (003-4: refused while it has children), uaaGetPermissionByRoleCode (003-5, a flat list),
//! uaaGetPermissions (003-6, the tree with `children`), and uaaRoleBindPermission /
//! uaaRoleUnBindPermission (003-11/12). `permissionType` is read as a number or its digits and
//! answered as a number; `userId` is the operator, recorded as the person acted for.

use domain::app_authorization::{NewPermission, PermissionChange};
use projections::permissions::{self, PermissionFilter, PermissionNode, PermissionRow};
use serde_json::{json, Value};
use usecases::authorization;
use usecases::AppState;

use crate::caller::Call;
use crate::envelope::HainanError;
use crate::input::Body;

fn view(p: &PermissionRow) -> Value {
    json!({
        "permissionId": p.permission_id,
        "permissionName": p.name,
        "parentId": p.parent_id,
        "permissionType": p.permission_type,
        "permissionCode": p.code,
        "remark": p.remark,
        "enable": p.enabled,
        "orderNum": p.order,
    })
}

fn node(n: &PermissionNode) -> Value {
    let mut value = view(&n.permission);
    value["children"] = Value::Array(n.children.iter().map(node).collect());
    value
}

/// `permissionType`: 1 menu, 2 button, 3 api, 4 data, 5 other.
fn permission_type(body: &Body) -> Result<Option<u8>, HainanError> {
    match body.integer("permissionType")? {
        None => Ok(None),
        Some(t @ 1..=5) => Ok(Some(t as u8)),
        Some(_) => Err(HainanError::invalid(
            "permissionType",
            "1 menu, 2 button, 3 api, 4 data or 5 other",
        )),
    }
}

/// 003-2 `uaaAddPermission`: `data.permissionId`.
pub async fn add(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let permission = NewPermission {
        code: body.required("permissionCode")?,
        name: body.required("permissionName")?,
        parent_id: body.text("parentId")?,
        permission_type: permission_type(body)?
            .ok_or_else(|| HainanError::missing("permissionType"))?,
        enabled: body.boolean("enable")?.unwrap_or(true),
        order: body.integer("orderNum")?.unwrap_or(0),
        remark: body.text("remark")?,
    };
    let ctx = call.acting_for(body.text("userId")?);
    let app = &call.app.application_id;
    let id = authorization::add_permission(state, &ctx, app, permission).await?;
    Ok(json!({ "permissionId": id }))
}

/// 003-3 `uaaModifyPermission`: `data` null.
pub async fn modify(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let id = body.required("permissionId")?;
    let parent_id = if body.is_blank("parentId") {
        Some(None)
    } else {
        body.text("parentId")?.map(Some)
    };
    let change = PermissionChange {
        code: body.text("permissionCode")?,
        name: body.text("permissionName")?,
        parent_id,
        permission_type: permission_type(body)?,
        enabled: body.boolean("enable")?,
        order: body.integer("orderNum")?,
        remark: body.text("remark")?,
    };
    let ctx = call.acting_for(body.text("userId")?);
    let app = &call.app.application_id;
    authorization::modify_permission(state, &ctx, app, &id, change).await?;
    Ok(Value::Null)
}

/// 003-4 `uaaDeletePermission`: `data` null.
pub async fn delete(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let id = body.required("permissionId")?;
    let ctx = call.acting_for(body.text("userId")?);
    authorization::delete_permission(state, &ctx, &call.app.application_id, &id).await?;
    Ok(Value::Null)
}

/// 003-5 `uaaGetPermissionByRoleCode`: `data.permissions`, the role's permissions, flat.
pub async fn of_role(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let code = body.required("roleCode")?;
    let app = &call.app.application_id;
    let found = permissions::of_role_code(state.pool(), &call.tenant_id, app, &code)
        .await?
        .ok_or_else(|| HainanError::not_found("the role"))?;
    Ok(json!({ "permissions": found.iter().map(view).collect::<Vec<_>>() }))
}

/// 003-6 `uaaGetPermissions`: `data.permissions`, the tree (under `parentId`: every level
/// below it), filtered.
pub async fn tree(state: &AppState, call: &Call, body: &Body) -> Result<Value, HainanError> {
    let filter = PermissionFilter {
        parent_id: body.text("parentId")?,
        permission_type: permission_type(body)?,
        name: body.text("permissionName")?,
        code: body.text("permissionCode")?,
        enabled: body.boolean("enable")?,
    };
    let app = &call.app.application_id;
    if let Some(parent) = &filter.parent_id {
        permissions::get(state.pool(), &call.tenant_id, app, parent)
            .await?
            .ok_or_else(|| HainanError::not_found("the parent permission"))?;
    }
    let nodes = permissions::tree(state.pool(), &call.tenant_id, app, &filter).await?;
    Ok(json!({ "permissions": nodes.iter().map(node).collect::<Vec<_>>() }))
}

/// 003-11/12 `uaaRoleBindPermission`, `uaaRoleUnBindPermission`: `data` null.
pub async fn bind(
    state: &AppState,
    call: &Call,
    body: &Body,
    bind: bool,
) -> Result<Value, HainanError> {
    let role_id = body.required("roleId")?;
    let ids = body.required_ids("permissionIds")?;
    let ctx = call.acting_for(body.text("operator")?);
    let app = &call.app.application_id;
    authorization::bind_permissions(state, &ctx, app, &role_id, ids, bind).await?;
    Ok(Value::Null)
}
