//! The user and organisation records of seed 004 (specs/oneaccess-sdk-and-hainan-uaa.md §2.1
//! "Common types", §2.3): the directory's users and organisations under Hainan's names —
//! `account` the username, `nickName` the display name, `phone` the mobile, `certType`/`certNo`
//! the identity document, `extendMap` the extended attributes; an organisation's `sortNum` its
//! order, `remark` its description, `parentOrgId` "0" for a root (the document's roots).
//! Times are `yyyy-MM-dd HH:mm:ss` in the tenant's zone, except where the document prints ISO
//! dates (`iso`). A password is never emitted.

use projections::organs::Organ;
use projections::users::UserRow;
use serde_json::{json, Map, Value};

/// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
pub fn wire(millis: i64, zone: i32) -> String {
    at(millis, zone).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `2023-11-07T08:25:43.000+0000` (listUserInfoWithUserId, getUserInfoById) in the tenant's zone.
pub fn iso(millis: i64, zone: i32) -> String {
    at(millis, zone)
        .format("%Y-%m-%dT%H:%M:%S%.3f%z")
        .to_string()
}

fn at(millis: i64, zone: i32) -> chrono::DateTime<chrono::FixedOffset> {
    let offset = chrono::FixedOffset::east_opt(zone * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset is valid"));
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .with_timezone(&offset)
}

fn extension(user: &UserRow) -> Map<String, Value> {
    user.profile.extension.clone()
}

/// The extended attributes as a JSON string (pushUserInfo and the organisation records).
fn as_json_string(map: &Map<String, Value>) -> String {
    Value::Object(map.clone()).to_string()
}

/// The user of pushUserInfo (004-1).
pub fn user_detail(user: &UserRow, zone: i32) -> Value {
    let p = &user.profile;
    json!({
        "userId": user.user_id,
        "account": p.username,
        "nickName": p.display_name,
        "phone": p.mobile,
        "email": p.email,
        "certType": p.identity_type,
        "certNo": p.identity_number,
        "extendMap": as_json_string(&extension(user)),
        "enable": !user.disabled,
        "externalId": null,
        "createTime": wire(user.created_at, zone),
        "updateTime": wire(user.updated_at, zone),
    })
}

/// The user of getUserInfoById (004-10) and listUserInfoWithUserId (004-9): ISO times,
/// `extendMap` an object, `password` always null, no super administrators among users.
pub fn user_info(user: &UserRow, zone: i32) -> Value {
    let p = &user.profile;
    json!({
        "userId": user.user_id,
        "account": p.username,
        "nickName": p.display_name,
        "phone": p.mobile,
        "email": p.email,
        "certType": p.identity_type,
        "certNo": p.identity_number,
        "channel": null,
        "externalId": null,
        "password": null,
        "enable": !user.disabled,
        "createTime": iso(user.created_at, zone),
        "updateTime": iso(user.updated_at, zone),
        "userType": null,
        "areaCode": null,
        "areaName": null,
        "superManager": false,
        "extendMap": extension(user),
    })
}

/// An organisation record (OrgRecord) with its unit's id; `extend_map` adds the `extendMap`
/// string where the API's table has it.
pub fn org(organ: &Organ, zone: i32, extend_map: bool, unit_id: Option<&str>) -> Value {
    let gov = &organ.gov;
    let mut record = json!({
        "orgId": organ.org_id,
        "orgName": organ.name,
        "externalId": organ.external_id,
        "parentOrgId": organ.parent_id.clone().unwrap_or_else(|| "0".to_string()),
        "sortNum": organ.order,
        "leaf": !organ.has_children,
        "orgType": gov.org_type.map(|t| t.code()),
        "enable": !organ.disabled,
        "unitId": unit_id,
        "createTime": wire(organ.created_at, zone),
        "updateTime": wire(organ.updated_at, zone),
        "areaCode": gov.area_code,
        "areaName": gov.area_name,
        "unifiedSocialCreditCode": gov.unified_social_credit_code,
        "remark": organ.description,
    });
    if extend_map {
        record["extendMap"] = json!(as_json_string(&gov.extend_map));
    }
    record
}

/// The fields only the role's organisation page (003-17) adds to a record.
pub fn org_extended(record: &mut Value, organ: &Organ) {
    let gov = &organ.gov;
    for (key, value) in [
        ("address", &gov.address),
        ("contacts", &gov.contacts),
        ("contactTel", &gov.contact_tel),
        ("contactTelAreaCode", &gov.contact_tel_area_code),
        ("unitName", &gov.unit_name),
        ("belongLine", &gov.belong_line),
        ("departmentLevel", &gov.department_level),
        ("zipCode", &gov.zip_code),
    ] {
        record[key] = json!(value);
    }
}

/// Ancestor ids from the root down to the parent, `,`-joined (orgSearch's `parentIdPath`).
pub fn parent_id_path(organ: &Organ) -> String {
    let ids: Vec<&str> = organ.id_path.split('/').filter(|s| !s.is_empty()).collect();
    ids[..ids.len().saturating_sub(1)].join(",")
}
