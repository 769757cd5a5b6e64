//! Each API's description: the fields of the document's tables that the handlers read, and the
//! `data` they answer.

use super::{field, required, text, ApiDoc, Field, Kind};
use crate::answers;
use crate::api::Api;

const OPERATOR: Field = text(
    "operator",
    "The person the application acts for, recorded with the change.",
);
const OPERATOR_USER: Field = text(
    "userId",
    "The person the application acts for (this family's name for the operator), recorded with \
     the change.",
);
const PAGE: [Field; 2] = [
    field("pageNum", Kind::Integer, "The page, from 1 (the default)."),
    field(
        "pageSize",
        Kind::Integer,
        "Rows per page, 1 to 100 (10 by default; more is ERR_LIMIT_EXCEEDED).",
    ),
];
const ROLE_KEY: [Field; 2] = [
    text(
        "roleId",
        "The role; roleId or roleCode is required, and both must name the same role.",
    ),
    text("roleCode", "The role's code, instead of or with roleId."),
];
const PERMISSION_FIELDS: [Field; 7] = [
    text(
        "permissionCode",
        "The permission's code, unique in the application.",
    ),
    text("permissionName", "The permission's name."),
    text("parentId", "The parent permission; absent: the top level."),
    field(
        "permissionType",
        Kind::PermissionType,
        "1 menu, 2 button, 3 api, 4 data, 5 other.",
    ),
    field(
        "enable",
        Kind::Boolean,
        "Whether the permission is enabled (true by default).",
    ),
    field(
        "orderNum",
        Kind::Integer,
        "Its place among its siblings (0 by default).",
    ),
    text("remark", "A description."),
];
const ROLE_ID: Field = required(text("roleId", "The role."));
const USER_ID: Field = required(text("userId", "The user."));
const ROLE_IDS: Field = required(field("roleIds", Kind::Ids, "The roles, 1 to 100."));
const PERMISSION_IDS: Field = required(field(
    "permissionIds",
    Kind::Ids,
    "The permissions, 1 to 100.",
));
const KEYWORD_TYPES: [&str; 4] = [
    "NAME",
    "FULL_NAME_PATH",
    "ORG_TYPE",
    "UNIFIED_SOCIAL_CREDIT_CODE",
];
const KEYWORD_TYPE: &str =
    "NAME (the default) and FULL_NAME_PATH: part of the name or of the full \
    name path; ORG_TYPE and UNIFIED_SOCIAL_CREDIT_CODE: exactly.";
const ROLE_LIST: [Field; 3] = [
    required(text(
        "roleCode",
        "The role's code, unique in the application.",
    )),
    text("roleName", "The role's name."),
    text("remark", "A description."),
];

impl Api {
    /// The API's description.
    pub fn doc(self) -> ApiDoc {
        use answers::*;
        use Kind::*;
        match self {
            Api::UserRoles => ApiDoc {
                section: "003-1",
                summary: "A user's roles in the application (direct bindings).",
                fields: fields![required(text("userId", "The user."))],
                data: of::<Roles>,
            },
            Api::AddPermission => ApiDoc {
                section: "003-2",
                summary: "Creates a permission; answers its id.",
                fields: fields![
                    required(PERMISSION_FIELDS[0]),
                    required(PERMISSION_FIELDS[1]),
                    PERMISSION_FIELDS[2],
                    required(PERMISSION_FIELDS[3]),
                    PERMISSION_FIELDS[4],
                    PERMISSION_FIELDS[5],
                    PERMISSION_FIELDS[6],
                    OPERATOR_USER,
                ],
                data: of::<NewPermission>,
            },
            Api::ModifyPermission => ApiDoc {
                section: "003-3",
                summary: "Changes the given fields of a permission; absent fields stay.",
                fields: fields![
                    required(text("permissionId", "The permission.")),
                    PERMISSION_FIELDS[0],
                    PERMISSION_FIELDS[1],
                    text(
                        "parentId",
                        "The new parent; \"\" moves it to the top level."
                    ),
                    PERMISSION_FIELDS[3],
                    field("enable", Boolean, "Whether the permission is enabled."),
                    field("orderNum", Integer, "Its place among its siblings."),
                    PERMISSION_FIELDS[6],
                    OPERATOR_USER,
                ],
                data: null,
            },
            Api::DeletePermission => ApiDoc {
                section: "003-4",
                summary: "Deletes a permission (ERR_DATA_IN_USE while it has children).",
                fields: fields![
                    required(text("permissionId", "The permission.")),
                    OPERATOR_USER
                ],
                data: null,
            },
            Api::PermissionsOfRole => ApiDoc {
                section: "003-5",
                summary: "The permissions of a role of the application, flat.",
                fields: fields![required(text("roleCode", "The role's code."))],
                data: of::<Permissions>,
            },
            Api::Permissions => ApiDoc {
                section: "003-6",
                summary: "The application's permissions as a tree, filtered.",
                fields: fields![
                    text("parentId", "Only the levels below this permission."),
                    field(
                        "permissionType",
                        PermissionType,
                        "Only permissions of this type."
                    ),
                    text(
                        "permissionName",
                        "Only permissions whose name holds this text."
                    ),
                    text("permissionCode", "Only the permission with this code."),
                    field(
                        "enable",
                        Boolean,
                        "true: only enabled ones; false: only disabled ones."
                    ),
                ],
                data: of::<PermissionTree>,
            },
            Api::AddRole => ApiDoc {
                section: "003-7",
                summary: "Creates roles; every one is checked before any is created.",
                fields: fields![
                    required(field(
                        "roleList",
                        Objects(&ROLE_LIST),
                        "The roles, 1 to 100."
                    )),
                    OPERATOR,
                ],
                data: always_true,
            },
            Api::ModifyRole => ApiDoc {
                section: "003-8",
                summary: "Changes the given fields of a role; absent fields stay.",
                fields: fields![
                    required(text("roleId", "The role.")),
                    text("roleName", "The new name."),
                    text("roleCode", "The new code."),
                    text("remark", "The new description."),
                    field(
                        "enable",
                        Boolean,
                        "Whether the role is enabled (\"\" keeps it)."
                    ),
                    OPERATOR,
                ],
                data: always_true,
            },
            Api::DeleteRole => ApiDoc {
                section: "003-9",
                summary: "Deletes a role and its bindings.",
                fields: fields![required(text("roleId", "The role.")), OPERATOR],
                data: always_true,
            },
            Api::AppRoles => ApiDoc {
                section: "003-10",
                summary: "Every role of the application; the body is not read.",
                fields: fields![],
                data: of::<Roles>,
            },
            Api::RoleBindPermission => ApiDoc {
                section: "003-11",
                summary: "Binds permissions to a role.",
                fields: fields![ROLE_ID, PERMISSION_IDS, OPERATOR],
                data: null,
            },
            Api::RoleUnbindPermission => ApiDoc {
                section: "003-12",
                summary: "Unbinds permissions from a role.",
                fields: fields![ROLE_ID, PERMISSION_IDS, OPERATOR],
                data: null,
            },
            Api::UserBindRoles => ApiDoc {
                section: "003-13",
                summary: "Binds roles to a user.",
                fields: fields![USER_ID, ROLE_IDS, OPERATOR],
                data: null,
            },
            Api::UserUnbindRoles => ApiDoc {
                section: "003-14",
                summary: "Unbinds roles from a user.",
                fields: fields![USER_ID, ROLE_IDS, OPERATOR],
                data: null,
            },
            Api::OrgRoleAdd => ApiDoc {
                section: "003-15",
                summary: "Binds a role to an organisation (with authSub, its subtree too).",
                fields: fields![
                    ROLE_KEY[0],
                    ROLE_KEY[1],
                    required(text("orgId", "The organisation.")),
                    field(
                        "authSub",
                        Boolean,
                        "true: the current subtree too (false by default)."
                    ),
                    OPERATOR,
                ],
                data: always_true,
            },
            Api::OrgRoleDelete => ApiDoc {
                section: "003-16",
                summary: "Unbinds a role from an organisation (with authSub, its subtree too).",
                fields: fields![
                    ROLE_KEY[0],
                    ROLE_KEY[1],
                    required(text("orgId", "The organisation.")),
                    field(
                        "authSub",
                        Boolean,
                        "true: the current subtree too (false by default)."
                    ),
                    OPERATOR,
                ],
                data: always_true,
            },
            Api::OrgsOfRole => ApiDoc {
                section: "003-17",
                summary: "A page of the organisations bound to a role.",
                fields: fields![ROLE_ID, PAGE[0], PAGE[1]],
                data: of::<RoleOrgPage>,
            },
            Api::PushUserInfo => ApiDoc {
                section: "004-1",
                summary: "A user, by exactly one of userId, externalId, account and phone.",
                fields: fields![
                    text("userId", "The user's id."),
                    text("externalId", "The user's external id."),
                    text("account", "The username."),
                    text("phone", "The mobile number."),
                ],
                data: of::<UserDetail>,
            },
            Api::PushOrgInfo => ApiDoc {
                section: "004-2",
                summary: "An organisation, by exactly one of orgId and externalId.",
                fields: fields![
                    text("orgId", "The organisation's id."),
                    text("externalId", "The organisation's external id."),
                ],
                data: of::<OrgDetail>,
            },
            Api::PushOrgRootInfo => ApiDoc {
                section: "004-3",
                summary: "The top-level organisations; the body is not read.",
                fields: fields![],
                data: of::<Roots>,
            },
            Api::PushOrgChild => ApiDoc {
                section: "004-4",
                summary: "A page of an organisation's direct children.",
                fields: fields![
                    PAGE[0],
                    PAGE[1],
                    text(
                        "parentId",
                        "The parent; neither this nor the next: the top level."
                    ),
                    text(
                        "parentExternalId",
                        "The parent's external id, instead of parentId."
                    ),
                ],
                data: of::<OrgPage>,
            },
            Api::PushOrgUsers => ApiDoc {
                section: "004-5",
                summary: "A page of an organisation's direct members.",
                fields: fields![
                    PAGE[0],
                    PAGE[1],
                    text(
                        "orgId",
                        "The organisation; exactly one of this and the next."
                    ),
                    text("orgExternalId", "The organisation's external id."),
                    text(
                        "nickName",
                        "Only members whose display name starts with this."
                    ),
                ],
                data: of::<MemberPage>,
            },
            Api::OrgUnit => ApiDoc {
                section: "004-6",
                summary: "The unit an organisation belongs to: the nearest GOV_UNIT up from it.",
                fields: fields![required(text("orgId", "The organisation."))],
                data: of::<OrgUnit>,
            },
            Api::UsersOfRole => ApiDoc {
                section: "004-7",
                summary: "A page of the users bound to a role directly.",
                fields: fields![ROLE_KEY[0], ROLE_KEY[1], PAGE[0], PAGE[1]],
                data: of::<RoleHolderPage>,
            },
            Api::OrgSearch => ApiDoc {
                section: "004-8",
                summary: "A page of organisations found by keyword and scope.",
                fields: fields![
                    text("keyword", "The text looked for; absent: all in scope."),
                    field("keywordType", Choice(&KEYWORD_TYPES), KEYWORD_TYPE),
                    field("includeOrgIdScope", Ids, "Only within these subtrees."),
                    field("excludeOrgIdScope", Ids, "Not within these subtrees."),
                    field("includeDirectOrgIdScope", Ids, "Only these organisations."),
                    PAGE[0],
                    PAGE[1],
                ],
                data: of::<OrgSearchPage>,
            },
            Api::ListUserInfoWithUserId => ApiDoc {
                section: "004-9",
                summary: "Users by id, the known ones in the order asked.",
                fields: fields![required(field("userIds", Ids, "The users, 1 to 100."))],
                data: of::<UserInfos>,
            },
            Api::GetUserInfoById => ApiDoc {
                section: "004-10",
                summary: "A user by id.",
                fields: fields![USER_ID],
                data: of::<UserInfo>,
            },
            Api::UserOrgList => ApiDoc {
                section: "004-11",
                summary: "The organisations a user belongs to.",
                fields: fields![USER_ID],
                data: of::<UserOrgs>,
            },
            Api::OrgListByIds => ApiDoc {
                section: "004-12",
                summary: "Organisations by id, the known ones; `data` is the list itself.",
                fields: fields![required(field(
                    "orgIds",
                    Ids,
                    "The organisations, 1 to 100."
                ))],
                data: list_of::<OrgRecord>,
            },
            Api::SearchByExtendProp => ApiDoc {
                section: "004-13",
                summary: "A page of the users whose extended attribute extendKey is extendValue.",
                fields: fields![
                    PAGE[0],
                    PAGE[1],
                    required(text("extendKey", "The extended attribute.")),
                    required(text("extendValue", "Its value, exactly.")),
                ],
                data: of::<ExtendPropPage>,
            },
        }
    }
}
