//! The organisation and user shapes of seed 004 (and the role pages of 003) in `data`.

use serde_json::{Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use super::{always_null, org_type};

/// An organisation (OrgRecord); times are `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgRecord {
    org_id: String,
    org_name: String,
    #[schema(required = true)]
    external_id: Option<String>,
    /// "0" for a top-level organisation.
    parent_org_id: String,
    #[schema(required = true)]
    sort_num: Option<i64>,
    /// Whether it has no children.
    leaf: bool,
    #[schema(schema_with = org_type, required = true)]
    org_type: Option<String>,
    enable: bool,
    /// The unit it belongs to: itself or its nearest `GOV_UNIT` ancestor.
    #[schema(required = true)]
    unit_id: Option<String>,
    create_time: String,
    update_time: String,
    #[schema(required = true)]
    area_code: Option<String>,
    #[schema(required = true)]
    area_name: Option<String>,
    #[schema(required = true)]
    unified_social_credit_code: Option<String>,
    #[schema(required = true)]
    remark: Option<String>,
}

/// An organisation with its extended attributes (pushOrgInfo).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgDetail {
    #[serde(flatten)]
    record: OrgRecord,
    /// The extended attributes as a JSON text, e.g. "{}".
    extend_map: String,
}

/// An organisation a user belongs to (uaaGetUserOrgListById).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserOrg {
    #[serde(flatten)]
    record: OrgRecord,
    /// Ancestor ids from the top down to the parent, `,`-joined.
    parent_id_path: String,
    /// Whether this is the user's primary organisation.
    main_job: bool,
}

/// An organisation bound to a role (uaaPageOrgInfoListByRoleId).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleOrg {
    #[serde(flatten)]
    record: OrgRecord,
    /// The extended attributes as a JSON text.
    extend_map: String,
    #[schema(required = true)]
    address: Option<String>,
    #[schema(required = true)]
    contacts: Option<String>,
    #[schema(required = true)]
    contact_tel: Option<String>,
    #[schema(required = true)]
    contact_tel_area_code: Option<String>,
    #[schema(required = true)]
    unit_name: Option<String>,
    #[schema(required = true)]
    belong_line: Option<String>,
    #[schema(required = true)]
    department_level: Option<String>,
    #[schema(required = true)]
    zip_code: Option<String>,
}

#[derive(ToSchema)]
pub struct Roots {
    orgs: Vec<OrgRecord>,
}

#[derive(ToSchema)]
pub struct UserOrgs {
    orgs: Vec<UserOrg>,
}

/// A user (pushUserInfo); times are `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDetail {
    user_id: String,
    /// The username.
    account: String,
    /// The display name.
    nick_name: String,
    /// The mobile number.
    #[schema(required = true)]
    phone: Option<String>,
    #[schema(required = true)]
    email: Option<String>,
    /// The identity document's type.
    #[schema(required = true)]
    cert_type: Option<String>,
    /// The identity document's number.
    #[schema(required = true)]
    cert_no: Option<String>,
    /// The extended attributes as a JSON text, e.g. "{}".
    extend_map: String,
    enable: bool,
    #[schema(required = true)]
    external_id: Option<String>,
    create_time: String,
    update_time: String,
}

/// A user (getUserInfoById, listUserInfoWithUserId); times are ISO, e.g.
/// `2023-11-07T08:25:43.000+0800`, in the tenant's zone.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    user_id: String,
    account: String,
    nick_name: String,
    #[schema(required = true)]
    phone: Option<String>,
    #[schema(required = true)]
    email: Option<String>,
    #[schema(required = true)]
    cert_type: Option<String>,
    #[schema(required = true)]
    cert_no: Option<String>,
    #[schema(schema_with = always_null)]
    channel: (),
    #[schema(required = true)]
    external_id: Option<String>,
    /// Never given out: always null.
    #[schema(schema_with = always_null)]
    password: (),
    enable: bool,
    create_time: String,
    update_time: String,
    #[schema(schema_with = always_null)]
    user_type: (),
    #[schema(schema_with = always_null)]
    area_code: (),
    #[schema(schema_with = always_null)]
    area_name: (),
    /// Always false: administrators are not users here.
    super_manager: bool,
    /// The extended attributes.
    extend_map: Map<String, Value>,
}

#[derive(ToSchema)]
pub struct UserInfos {
    users: Vec<UserInfo>,
}

/// A member of an organisation (pushOrgUsers).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    user_id: String,
    account: String,
    #[schema(required = true)]
    phone: Option<String>,
    #[schema(required = true)]
    email: Option<String>,
    nick_name: String,
    #[schema(required = true)]
    remark: Option<String>,
    enable: bool,
    /// 1 the primary post, 2 a concurrent one.
    #[schema(minimum = 1, maximum = 2)]
    job_type: u8,
    /// The post held there.
    #[schema(required = true)]
    pos_job: Option<String>,
    /// The user's place among the members.
    #[schema(required = true)]
    sort_num: Option<i64>,
    /// Whether this is the user's primary organisation.
    main_job: bool,
    create_time: String,
    update_time: String,
}

/// A user holding a role (userInfoByRole).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleHolder {
    user_id: String,
    account: String,
    nick_name: String,
    enable: bool,
    #[schema(required = true)]
    remark: Option<String>,
    #[schema(required = true)]
    phone: Option<String>,
    #[schema(required = true)]
    email: Option<String>,
}

/// The unit an organisation belongs to (orgUnit).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgUnit {
    org_id: String,
    org_name: String,
    #[schema(schema_with = org_type, required = true)]
    org_type: Option<String>,
    /// The names from the top down, `/`-joined.
    #[schema(required = true)]
    path_full_name: Option<String>,
    #[schema(required = true)]
    area_code: Option<String>,
    #[schema(required = true)]
    area_name: Option<String>,
    #[schema(required = true)]
    unified_social_credit_code: Option<String>,
}

/// An organisation found (orgSearch).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgFound {
    org_id: String,
    org_name: String,
    parent_org_id: String,
    /// The names from the top down, `/`-joined.
    #[schema(required = true)]
    full_name_path: Option<String>,
    /// Ancestor ids from the top down to the parent, `,`-joined.
    parent_id_path: String,
    enable: bool,
    #[schema(schema_with = org_type, required = true)]
    org_type: Option<String>,
}

/// A post a user holds (searchByExtendProp `belongs`).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Belong {
    org_id: String,
    org_name: String,
    #[schema(required = true)]
    pos_job: Option<String>,
    #[schema(required = true)]
    full_name_path: Option<String>,
    /// "1" the primary post, "2" a concurrent one.
    #[schema(schema_with = job_type_text)]
    job_type: String,
    main_job: bool,
}

fn job_type_text() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["1", "2"]))
        .into()
}

/// A user found by an extended attribute.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtendPropUser {
    /// The user's id again.
    id: String,
    user_id: String,
    account: String,
    nick_name: String,
    #[schema(required = true)]
    phone: Option<String>,
    belongs: Vec<Belong>,
}

page!(
    /// A page of organisations (pushOrgChild).
    OrgPage, OrgRecord
);
page!(
    /// A page of the organisations bound to a role.
    RoleOrgPage, RoleOrg
);
page!(
    /// A page of an organisation's members.
    MemberPage, Member
);
page!(
    /// A page of a role's users; `record` repeats `records` (the document's example).
    RoleHolderPage, RoleHolder,
    record: Vec<RoleHolder>
);
page!(
    /// A page of organisations found; `record` repeats `records` (the document's example).
    OrgSearchPage, OrgFound,
    record: Vec<OrgFound>
);
page!(
    /// A page of users; `result` repeats `records` and `latestId` is the last row's id ("" for
    /// none), for callers written against the document's example.
    ExtendPropPage, ExtendPropUser,
    result: Vec<ExtendPropUser>,
    latest_id: String
);
