//! Every API of seeds 003 and 004 (specs/oneaccess-sdk-and-hainan-uaa.md §2.2–2.4) called with
//! the document's own example body, under its `…Test` name and its production name: the same
//! outcome, the eight-key envelope, HTTP 200, and the debug message only for the `Test` name.
//! The examples are mostly blank placeholders, so most answer a missing parameter; those that
//! need nothing answer data. (003-17's example has a malformed key, `"\pageSize"`; it is sent
//! with the key the table names.)

use idaas_tests::hainan::{app, call};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};

const MISSING: &str = "ERR_PARAM_MISSING";
const NOT_FOUND: &str = "ERR_DATA_NOT_FOUND";
const OK: &str = "0";

fn examples() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "uaaListUserRoleInfoWithAppKey",
            json!({"userId": ""}),
            MISSING,
        ),
        (
            "uaaAddPermission",
            json!({"permissionCode": "", "userId": "", "permissionName": "", "parentId": "",
                   "remark": "", "permissionType": "", "enable": true, "orderNum": 0}),
            MISSING,
        ),
        (
            "uaaModifyPermission",
            json!({"permissionId": "", "permissionCode": "", "userId": "", "permissionName": "",
                   "parentId": "", "remark": "", "permissionType": "", "enable": true, "orderNum": 0}),
            MISSING,
        ),
        (
            "uaaDeletePermission",
            json!({"permissionId": "", "userId": ""}),
            MISSING,
        ),
        (
            "uaaGetCurrentAppPermissionByRoleCode",
            json!({"roleCode": ""}),
            MISSING,
        ),
        (
            "uaaGetPermissions",
            json!({"parentId": "", "permissionType": 1, "permissionName": "", "permissionCode": "",
                   "enable": true}),
            OK,
        ),
        (
            "uaaAddRole",
            json!({"operator": "", "roleList": [{"roleName": "", "roleCode": "", "remark": ""}]}),
            MISSING,
        ),
        (
            "uaaModifyRole",
            json!({"operator": "", "roleId": "", "roleName": "", "roleCode": "", "remark": "",
                   "enable": ""}),
            MISSING,
        ),
        (
            "uaaDeleteRole",
            json!({"operator": "", "roleId": ""}),
            MISSING,
        ),
        ("uaaGetRoleByAppId", json!({}), OK),
        (
            "uaaRoleBindPermission",
            json!({"operator": "", "roleId": "", "permissionIds": []}),
            MISSING,
        ),
        (
            "uaaRoleUnBindPermission",
            json!({"operator": "", "roleId": "", "permissionIds": []}),
            MISSING,
        ),
        (
            "uaaUserIdBindRoles",
            json!({"operator": "", "userId": "", "roleIds": []}),
            MISSING,
        ),
        (
            "uaaUserIdUnBindRoles",
            json!({"operator": "", "userId": "", "roleIds": []}),
            MISSING,
        ),
        (
            "uaaOrgRoleAdd",
            json!({"operator": "", "roleCode": "ORG_EDIT", "roleId": "01", "orgId": "01",
                   "authSub": false}),
            NOT_FOUND,
        ),
        (
            "uaaOrgRoleDelete",
            json!({"operator": "", "roleCode": "ORG_EDIT", "roleId": "01", "orgId": "01",
                   "authSub": false}),
            NOT_FOUND,
        ),
        (
            "uaaPageOrgInfoListByRoleId",
            json!({"roleId": "122991921", "pageNum": 1, "pageSize": 10}),
            NOT_FOUND,
        ),
        ("pushUserInfo", json!({"phone": ""}), MISSING),
        ("pushOrgInfo", json!({"orgId": ""}), MISSING),
        ("pushOrgRootInfo", json!({}), OK),
        (
            "pushOrgChild",
            json!({"parentId": "", "pageNum": 1, "pageSize": 10}),
            OK,
        ),
        (
            "pushOrgUsers",
            json!({"orgId": "", "pageNum": 1, "pageSize": 10}),
            MISSING,
        ),
        ("orgUnit", json!({"orgId": ""}), MISSING),
        (
            "userInfoByRole",
            json!({"roleId": "", "roleCode": "", "pageNum": 1, "pageSize": 10}),
            MISSING,
        ),
        (
            "orgSearch",
            json!({"keyword": "", "keywordType": "", "includeOrgIdScope": [],
                   "excludeOrgIdScope": [], "includeDirectOrgIdScope": []}),
            OK,
        ),
        ("listUserInfoWithUserId", json!({"userIds": []}), MISSING),
        ("getUserInfoById", json!({"userId": ""}), MISSING),
        ("uaaGetUserOrgListById", json!({"userId": ""}), MISSING),
        ("uaaGetOrgListByIds", json!({"orgIds": []}), MISSING),
        (
            "searchUserByExtendProp",
            json!({"pageNum": 1, "pageSize": 10, "extendKey": "accountId", "extendValue": "v"}),
            OK,
        ),
    ]
}

async fn every_api_answers_its_documented_example_under_both_names(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    let examples = examples();
    assert_eq!(examples.len(), 30, "the 30 APIs of seeds 003 and 004");
    for (name, body, expected) in examples {
        let test_name = format!("{name}Test");
        let test = call(&server, &key, &token, &test_name, body.clone()).await;
        let production = call(&server, &key, &token, name, body).await;
        for (answer, is_test) in [(&test, true), (&production, false)] {
            if expected == OK {
                answer.data();
                continue;
            }
            answer.assert_error(200, expected);
            let debug = answer.body["debugMessage"].as_str().unwrap();
            assert_eq!(
                !debug.is_empty(),
                is_test,
                "{name} ({is_test}): {}",
                answer.body
            );
            assert_eq!(answer.body["debugTrace"], "", "never a trace");
        }
    }
    server.finish().await;
}

on_both_engines!(every_api_answers_its_documented_example_under_both_names);
