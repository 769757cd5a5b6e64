//! Seed 003 through the gateway (specs/oneaccess-sdk-and-hainan-uaa.md §2.2, §4.1.10–18; ops/adr/0018,
//! 0019): roles in batches, changed and deleted; a permission tree per application (types,
//! parents only of the same application, no cycles, no deleting a parent); role ↔ permission,
//! user ↔ role and organisation ↔ role bindings with their limits and `authSub` as a snapshot of
//! the subtree; the reads of each; the example names; `operator` in the events' metadata; another
//! application's key sees none of it.

use idaas_tests::hainan::{app, call, directory};
use idaas_tests::inspur::{call as inspur, data as inspur_data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

async fn roles_and_permissions_are_managed_and_bound_per_application(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    let (other_key, other_token) = app(&server, &t, "教育").await;
    let d = directory(&server, &t).await;
    let uaa = |api: &'static str, body: Value| {
        let (server, key, token) = (&server, &key, &token);
        async move { call(server, key, token, api, body).await }
    };
    // 003-7: a batch of roles (the example's shape); the new ids come from 003-10.
    let batch = json!({"operator": "op-1", "roleList": [
        {"roleName": "机构编辑", "roleCode": "ORG_EDIT", "remark": "编辑组织"},
        {"roleName": "审核员", "roleCode": "AUDITOR", "remark": ""}]});
    assert_eq!(uaa("uaaAddRole", batch).await.data(), json!(true));
    uaa(
        "uaaAddRole",
        json!({"roleList": [{"roleName": "x", "roleCode": "ORG_EDIT"}]}),
    )
    .await
    .assert_error(200, "ERR_DATA_EXISTS");
    uaa(
        "uaaAddRole",
        json!({"roleList": [{"roleName": "y", "roleCode": ""}]}),
    )
    .await
    .assert_error(200, "ERR_PARAM_MISSING");
    let roles = uaa("uaaGetRoleByAppIdTest", json!({})).await.data()["roles"].clone();
    let mut codes = ids(&roles, "roleCode");
    codes.sort();
    assert_eq!(codes, ["AUDITOR", "ORG_EDIT"]);
    // One batch is made in one moment: find each role by its code.
    let by_code = |code: &str| {
        roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["roleCode"] == code)
            .unwrap()
            .clone()
    };
    let role = &by_code("ORG_EDIT");
    assert_eq!(
        (role["enable"].clone(), role["remark"].clone()),
        (json!(true), json!("编辑组织"))
    );
    let editor = role["roleId"].as_str().unwrap().to_string();
    let auditor = by_code("AUDITOR")["roleId"].as_str().unwrap().to_string();
    // Another application sees none of them, and cannot touch them.
    let theirs = call(
        &server,
        &other_key,
        &other_token,
        "uaaListAppRoles",
        json!({}),
    )
    .await;
    assert_eq!(theirs.data()["roles"], json!([]));
    call(
        &server,
        &other_key,
        &other_token,
        "uaaDeleteRole",
        json!({"roleId": editor}),
    )
    .await
    .assert_error(200, "ERR_DATA_NOT_FOUND");
    // 003-8: the example's `"enable": ""` keeps the state; a new code is taken.
    let modify = json!({"operator": "op-1", "roleId": auditor, "roleName": "审核", "roleCode": "REVIEWER",
                        "remark": "", "enable": ""});
    assert_eq!(uaa("uaaModifyRole", modify).await.data(), json!(true));
    let off = json!({"roleId": auditor, "enable": false});
    uaa("uaaModifyRole", off).await.data();
    let roles = uaa("uaaListAppRoles", json!({})).await.data()["roles"].clone();
    let changed = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["roleId"] == json!(auditor))
        .unwrap();
    assert_eq!(changed["roleCode"], "REVIEWER");
    assert_eq!(changed["enable"], false);

    // 003-2: a permission tree — a menu and a button under it.
    let add = |code: &str, parent: Option<&str>, kind: Value| {
        let body = json!({"permissionCode": code, "userId": "op-2", "permissionName": format!("{code} 名称"),
                          "parentId": parent.unwrap_or(""), "remark": "", "permissionType": kind,
                          "enable": true, "orderNum": 0});
        let uaa = &uaa;
        async move { uaa("uaaAddPermission", body).await }
    };
    let menu = add("org:menu", None, json!("1")).await.data()["permissionId"]
        .as_str()
        .unwrap()
        .to_string();
    let button = add("org:edit", Some(&menu), json!(2)).await.data()["permissionId"]
        .as_str()
        .unwrap()
        .to_string();
    let api = add("org:api", Some(&button), json!("3")).await.data()["permissionId"]
        .as_str()
        .unwrap()
        .to_string();
    add("org:menu", None, json!("1"))
        .await
        .assert_error(200, "ERR_DATA_EXISTS");
    add("bad:type", None, json!("9"))
        .await
        .assert_error(200, "ERR_PARAM_INVALID");
    // A parent of another application is not a parent here.
    let foreign = json!({"permissionCode": "x", "permissionName": "x", "permissionType": "1"});
    let foreign = call(
        &server,
        &other_key,
        &other_token,
        "uaaAddPermission",
        foreign,
    )
    .await;
    let foreign = foreign.data()["permissionId"].as_str().unwrap().to_string();
    add("stray", Some(&foreign), json!("1"))
        .await
        .assert_error(200, "ERR_DATA_NOT_FOUND");
    // 003-3: no cycles; an explicit empty parent moves to the top level.
    uaa(
        "uaaModifyPermission",
        json!({"permissionId": menu, "parentId": api}),
    )
    .await
    .assert_error(200, "ERR_PARAM_INVALID");
    // 003-6: the tree, whole and filtered.
    let tree = uaa("uaaGetPermissions", json!({})).await.data()["permissions"].clone();
    assert_eq!(ids(&tree, "permissionId"), std::slice::from_ref(&menu));
    assert_eq!(tree[0]["children"][0]["permissionId"], json!(button));
    assert_eq!(tree[0]["children"][0]["children"][0]["permissionType"], 3);
    let below = uaa("uaaGetPermissions", json!({"parentId": menu}))
        .await
        .data();
    assert_eq!(
        ids(&below["permissions"], "permissionId"),
        std::slice::from_ref(&button)
    );
    let buttons = uaa(
        "uaaGetPermissions",
        json!({"permissionType": 2, "enable": true}),
    )
    .await
    .data();
    assert_eq!(ids(&buttons["permissions"], "permissionCode"), ["org:edit"]);
    uaa(
        "uaaModifyPermission",
        json!({"permissionId": api, "parentId": "", "userId": "op-2"}),
    )
    .await
    .data();
    let tree = uaa("uaaGetPermissions", json!({})).await.data()["permissions"].clone();
    assert_eq!(
        ids(&tree, "permissionId").len(),
        2,
        "the api permission is a root now"
    );

    // 003-11: bind (≤100 ids, every one known or nothing changes); 003-5 by role code.
    let bind = |role: &str, perms: Value| json!({"operator": "op-1", "roleId": role, "permissionIds": perms});
    uaa(
        "uaaRoleBindPermission",
        bind(&editor, json!([menu, "nope"])),
    )
    .await
    .assert_error(200, "ERR_DATA_NOT_FOUND");
    let many: Vec<String> = (0..101).map(|i| format!("p{i}")).collect();
    uaa("uaaRoleBindPermission", bind(&editor, json!(many)))
        .await
        .assert_error(200, "ERR_LIMIT_EXCEEDED");
    assert_eq!(
        uaa(
            "uaaRoleBindPermission",
            bind(&editor, json!([menu, button, api]))
        )
        .await
        .data(),
        Value::Null
    );
    let carried = uaa(
        "uaaGetCurrentAppPermissionByRoleCodeTest",
        json!({"roleCode": "ORG_EDIT"}),
    )
    .await
    .data();
    let mut codes = ids(&carried["permissions"], "permissionCode");
    codes.sort();
    assert_eq!(codes, ["org:api", "org:edit", "org:menu"]);
    uaa("uaaGetPermissionByRoleCode", json!({"roleCode": "NOPE"}))
        .await
        .assert_error(200, "ERR_DATA_NOT_FOUND");
    // 003-4: a parent is not deleted; a leaf is, and leaves the role.
    uaa("uaaDeletePermission", json!({"permissionId": menu}))
        .await
        .assert_error(200, "ERR_DATA_IN_USE");
    uaa("uaaRoleUnBindPermission", bind(&editor, json!([api])))
        .await
        .data();
    uaa(
        "uaaDeletePermission",
        json!({"permissionId": button, "userId": "op-2"}),
    )
    .await
    .data();
    let carried = uaa(
        "uaaGetPermissionByRoleCode",
        json!({"roleCode": "ORG_EDIT"}),
    )
    .await
    .data();
    assert_eq!(ids(&carried["permissions"], "permissionCode"), ["org:menu"]);

    // 003-13/14, 003-1, 004-7: users hold roles directly.
    let user_bind = json!({"operator": "op-1", "userId": d.zhang, "roleIds": [editor, auditor]});
    assert_eq!(
        uaa("uaaUserIdBindRoles", user_bind).await.data(),
        Value::Null
    );
    let held = uaa("uaaListUserRoleInfoWithAppKey", json!({"userId": d.zhang}))
        .await
        .data();
    let mut held = ids(&held["roles"], "roleId");
    held.sort();
    let mut both = vec![editor.clone(), auditor.clone()];
    both.sort();
    assert_eq!(held, both);
    uaa(
        "uaaUserIdBindRoles",
        json!({"userId": "nobody", "roleIds": [editor]}),
    )
    .await
    .assert_error(200, "ERR_DATA_NOT_FOUND");
    let holders = uaa(
        "userInfoByRole",
        json!({"roleCode": "ORG_EDIT", "pageNum": 1, "pageSize": 10}),
    )
    .await
    .data();
    assert_eq!(holders["total"], 1);
    assert_eq!(holders["records"], holders["record"]);
    assert_eq!(holders["records"][0]["account"], "zhangsan");
    uaa(
        "userInfoByRole",
        json!({"roleId": editor, "roleCode": "REVIEWER"}),
    )
    .await
    .assert_error(200, "ERR_PARAM_INVALID");
    uaa("userInfoByRole", json!({"pageNum": 1}))
        .await
        .assert_error(200, "ERR_PARAM_MISSING");
    uaa(
        "uaaUserIdUnBindRoles",
        json!({"userId": d.zhang, "roleIds": [auditor]}),
    )
    .await
    .data();
    let held = uaa("uaaListUserRoleInfoWithAppKey", json!({"userId": d.zhang}))
        .await
        .data();
    assert_eq!(ids(&held["roles"], "roleId"), std::slice::from_ref(&editor));

    // 003-15/16/17: a role bound to an organisation and its current subtree (a snapshot).
    let org_bind = json!({"operator": "op-1", "roleCode": "ORG_EDIT", "roleId": editor,
                          "orgId": d.middle, "authSub": true});
    assert_eq!(uaa("uaaOrgRoleAdd", org_bind).await.data(), json!(true));
    let later = json!({"name": "新设处", "parentId": d.middle, "code": "NEW"});
    let later =
        inspur_data(&inspur(&server, &t, Method::POST, "/idaas/v1/organs", Some(later)).await);
    let later = later["id"].as_str().unwrap().to_string();
    let page = uaa(
        "uaaPageOrgInfoListByRoleId",
        json!({"roleId": editor, "pageNum": 1, "pageSize": 10}),
    )
    .await
    .data();
    let mut bound = ids(&page["records"], "orgId");
    bound.sort();
    let mut expected = vec![d.middle.clone(), d.bureau.clone()];
    expected.sort();
    assert_eq!(
        bound, expected,
        "the subtree when bound, not the organisation made later"
    );
    assert!(!bound.contains(&later));
    assert!(
        page["records"][0].get("unitName").is_some(),
        "the extended record"
    );
    uaa(
        "uaaOrgRoleAdd",
        json!({"orgId": d.root, "roleId": editor, "roleCode": "REVIEWER"}),
    )
    .await
    .assert_error(200, "ERR_PARAM_INVALID");
    uaa("uaaOrgRoleAdd", json!({"orgId": d.root}))
        .await
        .assert_error(200, "ERR_PARAM_MISSING");
    uaa(
        "uaaOrgRoleDelete",
        json!({"orgId": d.middle, "roleCode": "ORG_EDIT", "authSub": false}),
    )
    .await
    .data();
    let page = uaa("uaaPageOrgInfoListByRoleId", json!({"roleId": editor}))
        .await
        .data();
    assert_eq!(
        ids(&page["records"], "orgId"),
        std::slice::from_ref(&d.bureau)
    );
    uaa(
        "uaaPageOrgInfoListByRoleId",
        json!({"roleId": editor, "pageSize": 101}),
    )
    .await
    .assert_error(200, "ERR_LIMIT_EXCEEDED");

    // The operator is on the record of each change, beside the calling application.
    let pool = &server.store().database().pool;
    let acted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE metadata LIKE '%\"on_behalf_of\":\"op-1\"%'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(acted >= 6, "{acted} events name the operator");
    // 003-9: deleting a role takes its bindings with it.
    uaa(
        "uaaDeleteRole",
        json!({"operator": "op-1", "roleId": editor}),
    )
    .await
    .data();
    let held = uaa("uaaListUserRoleInfoWithAppKey", json!({"userId": d.zhang}))
        .await
        .data();
    assert_eq!(held["roles"], json!([]));
    uaa("uaaPageOrgInfoListByRoleId", json!({"roleId": editor}))
        .await
        .assert_error(200, "ERR_DATA_NOT_FOUND");
    assert_eq!(d.li.len(), 32);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(roles_and_permissions_are_managed_and_bound_per_application);

/// One set of roles: made through OneAccess, seen and changed through Hainan, and back.
async fn roles_are_the_same_through_oneaccess_and_hainan(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            &t,
            json!({"name": "ERP", "api_product": true, "app_roles": true}),
        )
        .await;
    let created = created.assert_status(201).clone();
    let app_id = created["application_id"].as_str().unwrap().to_string();
    let key = created["client_id"].as_str().unwrap().to_string();
    let base = format!("/api/v2/tenant/applications/{app_id}");
    let oa = server
        .client
        .post(
            &format!("{base}/role"),
            &t,
            json!({"code": "oa_role", "name": "OA角色"}),
        )
        .await;
    let oa_role = oa.assert_status(200)["role_id"]
        .as_str()
        .unwrap()
        .to_string();
    let uaa = |api: &'static str, body: Value| {
        let (server, key, t) = (&server, &key, &t);
        async move { call(server, key, t, api, body).await }
    };
    uaa(
        "uaaAddRole",
        json!({"roleList": [{"roleName": "海南角色", "roleCode": "HN_ROLE"}]}),
    )
    .await
    .data();
    let roles = uaa("uaaListAppRoles", json!({})).await.data()["roles"].clone();
    let mut codes = ids(&roles, "roleCode");
    codes.sort();
    assert_eq!(codes, ["HN_ROLE", "oa_role"]);
    let list = server
        .client
        .get(&format!("{base}/role-list?offset=0&limit=10"), &t)
        .await;
    let list = list.assert_status(200)["roles"].clone();
    let mut codes = ids(&list, "code");
    codes.sort();
    assert_eq!(codes, ["HN_ROLE", "oa_role"]);
    uaa(
        "uaaModifyRole",
        json!({"roleId": oa_role, "roleName": "改名"}),
    )
    .await
    .data();
    let detail = server
        .client
        .get(&format!("{base}/role/{oa_role}"), &t)
        .await;
    assert_eq!(detail.assert_status(200)["name"], "改名");
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(roles_are_the_same_through_oneaccess_and_hainan);
