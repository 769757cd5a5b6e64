//! The API names (specs/oneaccess-sdk-and-hainan-uaa.md §2.4, §4.1.2–3): each production name,
//! its `…Test` variant (the same API, with the debug fields filled), and the names the
//! document's own examples use instead. One table; an unknown name is `ERR_API_NOT_FOUND`.

/// An API of the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    // Seed 003: roles and permissions.
    UserRoles,
    AddPermission,
    ModifyPermission,
    DeletePermission,
    PermissionsOfRole,
    Permissions,
    AddRole,
    ModifyRole,
    DeleteRole,
    AppRoles,
    RoleBindPermission,
    RoleUnbindPermission,
    UserBindRoles,
    UserUnbindRoles,
    OrgRoleAdd,
    OrgRoleDelete,
    OrgsOfRole,
    // Seed 004: users and organisations.
    PushUserInfo,
    PushOrgInfo,
    PushOrgRootInfo,
    PushOrgChild,
    PushOrgUsers,
    OrgUnit,
    OrgSearch,
    ListUserInfoWithUserId,
    GetUserInfoById,
    UserOrgList,
    OrgListByIds,
    SearchByExtendProp,
    UsersOfRole,
}

/// Every accepted production name with its API (aliases from the document's examples last); the
/// description has one operation per name.
pub const NAMES: &[(&str, Api)] = &[
    ("uaaListUserRoleInfoWithAppKey", Api::UserRoles),
    ("uaaAddPermission", Api::AddPermission),
    ("uaaModifyPermission", Api::ModifyPermission),
    ("uaaDeletePermission", Api::DeletePermission),
    ("uaaGetPermissionByRoleCode", Api::PermissionsOfRole),
    ("uaaGetPermissions", Api::Permissions),
    ("uaaAddRole", Api::AddRole),
    ("uaaModifyRole", Api::ModifyRole),
    ("uaaDeleteRole", Api::DeleteRole),
    ("uaaListAppRoles", Api::AppRoles),
    ("uaaRoleBindPermission", Api::RoleBindPermission),
    ("uaaRoleUnBindPermission", Api::RoleUnbindPermission),
    ("uaaUserIdBindRoles", Api::UserBindRoles),
    ("uaaUserIdUnBindRoles", Api::UserUnbindRoles),
    ("uaaOrgRoleAdd", Api::OrgRoleAdd),
    ("uaaOrgRoleDelete", Api::OrgRoleDelete),
    ("uaaPageOrgInfoListByRoleId", Api::OrgsOfRole),
    ("pushUserInfo", Api::PushUserInfo),
    ("pushOrgInfo", Api::PushOrgInfo),
    ("pushOrgRootInfo", Api::PushOrgRootInfo),
    ("pushOrgChild", Api::PushOrgChild),
    ("pushOrgUsers", Api::PushOrgUsers),
    ("orgUnit", Api::OrgUnit),
    ("orgSearch", Api::OrgSearch),
    ("listUserInfoWithUserId", Api::ListUserInfoWithUserId),
    ("getUserInfoById", Api::GetUserInfoById),
    ("uaaGetUserOrgListById", Api::UserOrgList),
    ("uaaGetOrgListByIds", Api::OrgListByIds),
    ("searchByExtendProp", Api::SearchByExtendProp),
    ("searchUserByExtendProp", Api::SearchByExtendProp),
    ("userInfoByRole", Api::UsersOfRole),
    // The names the document's examples use instead.
    (
        "uaaGetCurrentAppPermissionByRoleCode",
        Api::PermissionsOfRole,
    ),
    ("uaaGetRoleByAppId", Api::AppRoles),
];

/// An API as named in a request: which one, and whether the `…Test` name was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub api: Api,
    pub test: bool,
}

/// The API a name selects, if any (names are case-sensitive, as the gateway's are).
pub fn lookup(name: &str) -> Option<Named> {
    let (base, test) = match name.strip_suffix("Test") {
        Some(base) => (base, true),
        None => (name, false),
    };
    NAMES
        .iter()
        .find(|(known, _)| *known == base)
        .map(|(_, api)| Named { api: *api, test })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_test_and_example_names_select_the_same_api() {
        assert_eq!(
            lookup("pushUserInfo"),
            Some(Named {
                api: Api::PushUserInfo,
                test: false
            })
        );
        assert_eq!(lookup("pushUserInfoTest").map(|n| n.test), Some(true));
        assert_eq!(
            lookup("uaaGetCurrentAppPermissionByRoleCodeTest").map(|n| n.api),
            Some(Api::PermissionsOfRole)
        );
        assert_eq!(
            lookup("uaaGetRoleByAppId").map(|n| n.api),
            Some(Api::AppRoles)
        );
        assert_eq!(
            NAMES.len(),
            30 + 3,
            "30 APIs and the 3 names of the examples"
        );
        let mut apis: Vec<String> = NAMES.iter().map(|(_, api)| format!("{api:?}")).collect();
        apis.sort();
        apis.dedup();
        assert_eq!(apis.len(), 30);
        for unknown in ["", "Test", "pushuserinfo", "pushUserInfoTestTest", "nope"] {
            assert_eq!(lookup(unknown), None, "{unknown}");
        }
    }
}
