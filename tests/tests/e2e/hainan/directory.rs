//! The Hainan UAA gateway over the directory (specs/oneaccess-sdk-and-hainan-uaa.md §2.1, §2.3,
//! §4.1): seed 004's user and organisation reads with the document's example bodies, the
//! exactly-one / at-most-one rules, the limits, the eight-key envelope with the debug message
//! only for `…Test` names, and who may call — a bearer token of the `Uaa-App-Key` application
//! or of a tenant administrator, another application's token refused, a trusted gateway only
//! from a trusted proxy. Organisations and users are made through the Inspur dialect: one
//! directory.

use idaas_tests::hainan::{app, call, call_with, directory, Answer};
use idaas_tests::inspur::{call as inspur, data as inspur_data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

async fn users_are_found_by_each_documented_key(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    let d = directory(&server, &t).await;
    let get = |api: &'static str, body: Value| {
        let (server, key, token) = (&server, &key, &token);
        async move { call(server, key, token, api, body).await }
    };
    // 004-1 pushUserInfo: by each of the four keys, the same user.
    for body in [
        json!({"userId": d.zhang}),
        json!({"account": "zhangsan", "userId": ""}),
        json!({"phone": "13533612316"}),
        json!({"externalId": "ext-zs"}),
    ] {
        let user = get("pushUserInfo", body.clone()).await.data();
        assert_eq!(user["userId"], json!(d.zhang), "{body}");
        assert_eq!(user["account"], "zhangsan");
        assert_eq!(user["nickName"], "张三");
        assert_eq!(user["phone"], "13533612316");
        assert_eq!(user["externalId"], "ext-zs");
        assert_eq!(user["enable"], true);
        assert!(user["extendMap"].is_string(), "a JSON string: {user}");
        let created = user["createTime"].as_str().unwrap();
        assert_eq!(created.len(), "yyyy-MM-dd HH:mm:ss".len(), "{created}");
    }
    // Exactly one key: none, two, and the document's example (a blank phone) are refused.
    get("pushUserInfo", json!({"phone": ""}))
        .await
        .assert_error(200, "ERR_PARAM_MISSING");
    get(
        "pushUserInfo",
        json!({"userId": d.zhang, "phone": "13533612316"}),
    )
    .await
    .assert_error(200, "ERR_PARAM_CONFLICT");
    let missing = get("pushUserInfo", json!({"account": "nobody"})).await;
    missing.assert_error(200, "ERR_DATA_NOT_FOUND");
    assert_eq!(missing.body["message"], "数据不存在");
    assert_eq!(
        missing.body["debugMessage"], "",
        "production names carry no debug message"
    );
    let test = get("pushUserInfoTest", json!({"account": "nobody"})).await;
    test.assert_error(200, "ERR_DATA_NOT_FOUND");
    assert_eq!(test.body["debugMessage"], "the user does not exist");
    assert_eq!(test.body["debugTrace"], "");
    // 004-10 getUserInfoById: ISO times, extendMap an object, never a password.
    let info = get("getUserInfoById", json!({"userId": d.li})).await.data();
    assert_eq!(info["account"], "lisi");
    assert_eq!(info["password"], Value::Null);
    assert!(info["extendMap"].is_object());
    assert_eq!(info["superManager"], false);
    let created = info["createTime"].as_str().unwrap();
    assert!(
        created.len() == "2023-11-07T08:25:43.000+0800".len() && created.contains('T'),
        "{created}"
    );
    // 004-9 listUserInfoWithUserId: the known ids in the order asked; at most 100.
    let users = get(
        "listUserInfoWithUserId",
        json!({"userIds": [d.li, "nobody", d.zhang]}),
    )
    .await
    .data();
    let accounts: Vec<&str> = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["account"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, ["lisi", "zhangsan"]);
    let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    get("listUserInfoWithUserId", json!({ "userIds": many }))
        .await
        .assert_error(200, "ERR_LIMIT_EXCEEDED");
    get("listUserInfoWithUserId", json!({"userIds": []}))
        .await
        .assert_error(200, "ERR_PARAM_MISSING");
    // 004-11 uaaGetUserOrgListById: the organisation with its ancestors' ids and the main post.
    let orgs = get("uaaGetUserOrgListById", json!({"userId": d.zhang}))
        .await
        .data();
    let org = &orgs["orgs"][0];
    assert_eq!(org["orgId"], json!(d.bureau));
    assert_eq!(
        org["parentIdPath"],
        json!(format!("{},{}", d.root, d.middle))
    );
    assert_eq!(org["mainJob"], true);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(users_are_found_by_each_documented_key);

async fn organisations_are_read_as_the_document_shows(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    let d = directory(&server, &t).await;
    let get = |api: &'static str, body: Value| {
        let (server, key, token) = (&server, &key, &token);
        async move { call(server, key, token, api, body).await }
    };
    // 004-2 pushOrgInfo by id and by external id.
    let by_id = get("pushOrgInfo", json!({"orgId": d.bureau})).await.data();
    let by_external = get("pushOrgInfo", json!({"externalId": "123456"}))
        .await
        .data();
    assert_eq!(by_id, by_external);
    assert_eq!(by_id["orgName"], "海口市商务局");
    assert_eq!(by_id["parentOrgId"], json!(d.middle));
    assert_eq!(by_id["leaf"], true);
    assert_eq!(by_id["remark"], "局");
    assert_eq!(by_id["extendMap"], "{}");
    get("pushOrgInfo", json!({"orgId": ""}))
        .await
        .assert_error(200, "ERR_PARAM_MISSING");
    get("pushOrgInfo", json!({"orgId": "x", "externalId": "y"}))
        .await
        .assert_error(200, "ERR_PARAM_CONFLICT");
    // 004-3 pushOrgRootInfo: the root, whose parent is "0".
    let roots = get("pushOrgRootInfo", json!({})).await.data();
    let root = roots["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["orgId"] == json!(d.root))
        .expect("the root")
        .clone();
    assert_eq!(root["parentOrgId"], "0");
    assert_eq!(root["leaf"], false);
    assert!(root.get("extendMap").is_none(), "not in this API's table");
    // 004-4 pushOrgChild: direct children, paged; one parent key at most; 100 rows at most.
    let page = get(
        "pushOrgChild",
        json!({"parentId": d.root, "pageNum": 1, "pageSize": 10}),
    )
    .await
    .data();
    assert_eq!(
        (
            page["pageNum"].clone(),
            page["pageSize"].clone(),
            page["total"].clone(),
            page["pages"].clone()
        ),
        (json!(1), json!(10), json!(1), json!(1))
    );
    assert_eq!(page["records"][0]["orgId"], json!(d.middle));
    assert_eq!(page["records"][0]["sortNum"], 2);
    let by_external = get("pushOrgChild", json!({"parentExternalId": "123456"}))
        .await
        .data();
    assert_eq!(by_external["total"], 0);
    get(
        "pushOrgChild",
        json!({"parentId": d.root, "parentExternalId": "123456"}),
    )
    .await
    .assert_error(200, "ERR_PARAM_CONFLICT");
    get("pushOrgChild", json!({"parentId": d.root, "pageSize": 101}))
        .await
        .assert_error(200, "ERR_LIMIT_EXCEEDED");
    // 004-5 pushOrgUsers: direct members, the display name as a prefix.
    let members = get(
        "pushOrgUsers",
        json!({"orgId": d.bureau, "pageNum": 1, "pageSize": 10}),
    )
    .await
    .data();
    assert_eq!(members["total"], 2);
    let first = &members["records"][0];
    assert_eq!(first["account"], "zhangsan");
    assert_eq!(
        (first["jobType"].clone(), first["mainJob"].clone()),
        (json!(1), json!(true))
    );
    let li = get(
        "pushOrgUsers",
        json!({"orgExternalId": "123456", "nickName": "李"}),
    )
    .await
    .data();
    assert_eq!(li["total"], 1);
    assert_eq!(li["records"][0]["userId"], json!(d.li));
    let none = get("pushOrgUsers", json!({"orgId": d.middle})).await.data();
    assert_eq!(none["total"], 0, "direct members only");
    // 004-12 uaaGetOrgListByIds: a bare list, in the order asked, unknown ids left out.
    let list = get(
        "uaaGetOrgListByIds",
        json!({"orgIds": [d.bureau, "nope", d.root]}),
    )
    .await
    .data();
    let ids: Vec<Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orgId"].clone())
        .collect();
    assert_eq!(ids, [json!(d.bureau), json!(d.root)]);
    server.finish().await;
}

on_both_engines!(organisations_are_read_as_the_document_shows);

async fn only_the_named_application_or_an_administrator_may_call(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    let (_, other) = app(&server, &t, "ERP").await;
    let body = r#"{"orgIds": []}"#;
    let api = "pushOrgRootInfo";
    let with = |headers: Vec<(&'static str, String)>| {
        let server = &server;
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call_with(server, api, &headers, body).await
        }
    };
    let bearer = |t: &str| ("Authorization", format!("Bearer {t}"));
    let app_key = ("Uaa-App-Key", key.clone());
    // The application's own token and an administrator's both speak for it.
    with(vec![app_key.clone(), bearer(&token)]).await.data();
    with(vec![app_key.clone(), bearer(&t)]).await.data();
    // Another application's token may not act with this key: 403, recorded.
    with(vec![app_key.clone(), bearer(&other)])
        .await
        .assert_error(403, "ERR_FORBIDDEN");
    // No credential, a wrong one, no key, an unknown key, an unknown tenant.
    with(vec![app_key.clone()])
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    with(vec![app_key.clone(), bearer("not-a-token")])
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    with(vec![bearer(&token)])
        .await
        .assert_error(200, "ERR_PARAM_MISSING");
    with(vec![("Uaa-App-Key", "nope".into()), bearer(&token)])
        .await
        .assert_error(200, "ERR_APP_NOT_FOUND");
    // Before a credential is verified every refusal is the same: nothing is learnt of tenants
    // or applications.
    with(vec![
        app_key.clone(),
        ("Uaa-Tenant-Id", "nope".into()),
        bearer(&token),
    ])
    .await
    .assert_error(401, "ERR_UNAUTHORIZED");
    with(vec![("Uaa-App-Key", "nope".into())])
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    // A name no API has, a body that is not an object.
    let headers = [
        ("Uaa-App-Key", key.as_str()),
        ("Authorization", &format!("Bearer {token}")),
    ];
    call_with(&server, "nope", &headers, "{}")
        .await
        .assert_error(200, "ERR_API_NOT_FOUND");
    call_with(&server, "pushOrgInfo", &headers, "[1]")
        .await
        .assert_error(400, "ERR_BODY_INVALID");
    // No store keeps a NUL: refused alike on both engines.
    call_with(
        &server,
        "pushUserInfo",
        &headers,
        r#"{"userId": "a\u0000"}"#,
    )
    .await
    .assert_error(200, "ERR_PARAM_INVALID");
    call_with(
        &server,
        "pushOrgInfo",
        &headers,
        &format!("{{\"orgId\": \"{}\"}}", "x".repeat(1_100_000)),
    )
    .await
    .assert_error(413, "ERR_BODY_TOO_LARGE");
    call_with(&server, "%FF", &headers, "{}")
        .await
        .assert_error(200, "ERR_API_NOT_FOUND");
    let addr = server.server.as_ref().unwrap().addr;
    let get = reqwest::get(format!("http://{addr}/apione/pushOrgRootInfo"))
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let get: Value = get.json().await.unwrap();
    assert_eq!(get["code"], "ERR_METHOD_NOT_ALLOWED");
    // The name in a header or as `_api_name`, at `/apione`; the request id echoed.
    for (url, name_header) in [
        (format!("http://{addr}/apione"), Some("pushOrgRootInfoTest")),
        (
            format!("http://{addr}/apione?_api_name=pushOrgRootInfo"),
            None,
        ),
    ] {
        let mut request = reqwest::Client::new()
            .post(url)
            .header("Uaa-App-Key", key.as_str())
            .header("Authorization", format!("Bearer {token}"))
            .header("x-request-id", "3d540c355c03405f9a5e22052a573a12")
            .body("{}");
        if let Some(name) = name_header {
            request = request.header("X-Api-Name", name);
        }
        let response = request.send().await.unwrap();
        let answer = Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.json().await.unwrap(),
        };
        answer.data();
        assert_eq!(answer.body["requestId"], "3d540c355c03405f9a5e22052a573a12");
    }
    let pool = &server.store().database().pool;
    let refusals: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE event_type = 'management.refused'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(refusals, 1);
    server.finish().await;
}

on_both_engines!(only_the_named_application_or_an_administrator_may_call);

async fn a_trusted_gateway_is_believed_only_from_its_own_address_and_for_business_applications(
    engine: Engine,
) {
    let server = TestServer::start_configured(engine, |c| {
        c.hainan.trusted_gateways = vec!["127.0.0.1".into()];
    })
    .await;
    let t = server.token().await;
    let (key, _) = app(&server, &t, "政务").await;
    let headers = [("Uaa-App-Key", key.as_str())];
    call_with(&server, "pushOrgRootInfo", &headers, "{}")
        .await
        .data();
    // The tenant's own management application is an administrator: a gateway cannot speak for it.
    let admin = [("Uaa-App-Key", server.credentials.client_id.as_str())];
    call_with(&server, "pushOrgRootInfo", &admin, "{}")
        .await
        .assert_error(403, "ERR_FORBIDDEN");
    // A reverse proxy is not a gateway: off unless the gateway's own address is listed.
    let behind_proxy = TestServer::start_configured(engine, |c| {
        c.limits.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let t = behind_proxy.token().await;
    let (key, _) = app(&behind_proxy, &t, "政务").await;
    let headers = [("Uaa-App-Key", key.as_str())];
    call_with(&behind_proxy, "pushOrgRootInfo", &headers, "{}")
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    behind_proxy.finish().await;
    let elsewhere = TestServer::start_configured(engine, |c| {
        c.hainan.trusted_gateways = vec!["10.0.0.1".into()];
        c.limits.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let t = elsewhere.token().await;
    let (key, _) = app(&elsewhere, &t, "政务").await;
    let headers = [
        ("Uaa-App-Key", key.as_str()),
        ("X-Forwarded-For", "10.0.0.1"),
    ];
    call_with(&elsewhere, "pushOrgRootInfo", &headers, "{}")
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    elsewhere.finish().await;
    server.finish().await;
}

on_both_engines!(
    a_trusted_gateway_is_believed_only_from_its_own_address_and_for_business_applications
);

async fn government_profiles_decide_types_units_and_searches(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    let d = directory(&server, &t).await;
    let c = &server.client;
    let government = |org: &str| format!("/admin/v1/organizations/{org}/government");
    c.put(
        &government(&d.root),
        &t,
        json!({"org_type": "GOV_HOLLOW_DIVISION_NODE", "area_code": "460100", "area_name": "海口市"}),
    )
    .await
    .assert_status(200);
    // A unit needs its full name, sector line and department level (003-17).
    let unit = json!({"org_type": "GOV_UNIT", "unit_name": "惠企政策组织", "belong_line": "商务",
                      "unified_social_credit_code": "11460100MB1234567X", "area_code": "460100"});
    c.put(&government(&d.middle), &t, unit.clone())
        .await
        .assert_status(400);
    let mut unit = unit;
    unit["department_level"] = json!("正处级");
    let saved = c.put(&government(&d.middle), &t, unit).await;
    assert_eq!(
        saved.assert_status(200)["government"]["org_type"],
        "GOV_UNIT"
    );
    c.put(
        &government(&d.bureau),
        &t,
        json!({"org_type": "GOV_INTERNAL_INSTITUTION", "extend_map": {"level": "3"}}),
    )
    .await
    .assert_status(200);
    for (body, status) in [
        (json!({"org_type": "MINISTRY"}), 400),
        (json!({"unified_social_credit_code": "123"}), 400),
        (json!({"colour": "red"}), 400),
    ] {
        c.put(&government(&d.bureau), &t, body.clone())
            .await
            .assert_status(status);
    }
    c.put(&government("nope"), &t, json!({}))
        .await
        .assert_status(404);
    let get = |api: &'static str, body: Value| {
        let (server, key, token) = (&server, &key, &token);
        async move { call(server, key, token, api, body).await }
    };
    // The records carry the type, the division and the unit (the nearest GOV_UNIT above).
    let bureau = get("pushOrgInfo", json!({"orgId": d.bureau})).await.data();
    assert_eq!(bureau["orgType"], "GOV_INTERNAL_INSTITUTION");
    assert_eq!(bureau["unitId"], json!(d.middle));
    assert_eq!(bureau["extendMap"], r#"{"level":"3"}"#);
    let middle = get("pushOrgInfo", json!({"orgId": d.middle})).await.data();
    assert_eq!(middle["unitId"], json!(d.middle), "a unit is its own unit");
    assert_eq!(middle["unifiedSocialCreditCode"], "11460100MB1234567X");
    let root = get("pushOrgInfo", json!({"orgId": d.root})).await.data();
    assert_eq!(
        (root["unitId"].clone(), root["areaName"].clone()),
        (Value::Null, json!("海口市"))
    );
    // 004-6 orgUnit.
    let unit = get("orgUnit", json!({"orgId": d.bureau})).await.data();
    assert_eq!(unit["orgId"], json!(d.middle));
    assert_eq!(unit["pathFullName"], "业务中台/惠企政策组织");
    assert_eq!(unit["orgType"], "GOV_UNIT");
    get("orgUnit", json!({"orgId": d.root}))
        .await
        .assert_error(200, "ERR_DATA_NOT_FOUND");
    // 004-8 orgSearch by each keyword type and scope.
    let search = |body: Value| {
        let get = &get;
        async move {
            let page = get("orgSearch", body).await.data();
            assert_eq!(page["records"], page["record"]);
            page["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["orgId"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search(json!({"keyword": "商务"})).await,
        std::slice::from_ref(&d.bureau)
    );
    assert_eq!(
        search(json!({"keyword": "惠企政策组织/海口", "keywordType": "FULL_NAME_PATH"})).await,
        std::slice::from_ref(&d.bureau)
    );
    assert_eq!(
        search(json!({"keyword": "GOV_UNIT", "keywordType": "ORG_TYPE"})).await,
        std::slice::from_ref(&d.middle)
    );
    assert_eq!(
        search(
            json!({"keyword": "11460100MB1234567X", "keywordType": "UNIFIED_SOCIAL_CREDIT_CODE"})
        )
        .await,
        std::slice::from_ref(&d.middle)
    );
    let mut within = search(json!({"includeOrgIdScope": [d.middle]})).await;
    within.sort();
    let mut expected = vec![d.middle.clone(), d.bureau.clone()];
    expected.sort();
    assert_eq!(within, expected);
    assert_eq!(
        search(json!({"includeOrgIdScope": [d.root], "excludeOrgIdScope": [d.middle]})).await,
        std::slice::from_ref(&d.root)
    );
    assert_eq!(
        search(json!({"includeDirectOrgIdScope": [d.bureau], "keyword": ""})).await,
        std::slice::from_ref(&d.bureau)
    );
    assert!(search(json!({"includeOrgIdScope": ["nope"]}))
        .await
        .is_empty());
    get(
        "orgSearch",
        json!({"keyword": "x", "keywordType": "COLOUR"}),
    )
    .await
    .assert_error(200, "ERR_PARAM_INVALID");
    let page = get("orgSearch", json!({"keyword": "海口市商务局"}))
        .await
        .data();
    let row = &page["records"][0];
    assert_eq!(row["fullNamePath"], "业务中台/惠企政策组织/海口市商务局");
    assert_eq!(
        row["parentIdPath"],
        json!(format!("{},{}", d.root, d.middle))
    );
    // A renamed ancestor renames the full name path below it.
    let rename = json!({"id": d.middle, "name": "惠企组织"});
    inspur_data(&inspur(&server, &t, Method::POST, "/idaas/v1/organs", Some(rename)).await);
    let page = get("orgSearch", json!({"keyword": "海口市商务局"}))
        .await
        .data();
    assert_eq!(
        page["records"][0]["fullNamePath"],
        "业务中台/惠企组织/海口市商务局"
    );
    // Moved under another root, the subtree's names, ancestors and unit follow it.
    let other_root = json!({"name": "海口市", "parentId": "-1", "code": "HK_CITY"});
    let other_root = inspur_data(
        &inspur(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/organs",
            Some(other_root),
        )
        .await,
    );
    let other_root = other_root["id"].as_str().unwrap().to_string();
    let moved = json!({"id": d.middle, "parentId": other_root});
    inspur_data(
        &inspur(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/organs/action/move",
            Some(moved),
        )
        .await,
    );
    let page = get("orgSearch", json!({"keyword": "海口市商务局"}))
        .await
        .data();
    let row = &page["records"][0];
    assert_eq!(row["fullNamePath"], "海口市/惠企组织/海口市商务局");
    assert_eq!(
        row["parentIdPath"],
        json!(format!("{},{}", other_root, d.middle))
    );
    let bureau = get("pushOrgInfo", json!({"orgId": d.bureau})).await.data();
    assert_eq!(bureau["unitId"], json!(d.middle));
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(government_profiles_decide_types_units_and_searches);

async fn users_are_found_by_an_extended_attribute_with_their_posts(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    let d = directory(&server, &t).await;
    // A OneAccess user of the bureau, also posted to the middle organisation, with the
    // 海政通 id as an extended attribute.
    let body = json!({"user_name": "wangwu", "password": "New#5678", "mobile": "13533612318",
                      "name": "王五", "org_code": "HK", "pwd_must_modify": false,
                      "user_org_relation_list": [{"orgCode": "HK", "relationType": 1},
                                                 {"orgCode": "MID", "relationType": 0}],
                      "extension": {"dingAccountId": "ding-ww", "level": 3}});
    let created = server.client.post("/api/v2/tenant/users", &t, body).await;
    let wang = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let get = |api: &'static str, body: Value| {
        let (server, key, token) = (&server, &key, &token);
        async move { call(server, key, token, api, body).await }
    };
    let page = get(
        "searchByExtendProp",
        json!({"pageNum": 1, "pageSize": 10, "extendKey": "dingAccountId", "extendValue": "ding-ww"}),
    )
    .await
    .data();
    assert_eq!(page["total"], 1);
    assert_eq!(page["records"], page["result"]);
    assert_eq!(page["latestId"], json!(wang));
    let row = &page["records"][0];
    assert_eq!(
        (row["userId"].clone(), row["account"].clone()),
        (json!(wang), json!("wangwu"))
    );
    let belongs = row["belongs"].as_array().unwrap();
    assert_eq!(belongs.len(), 2, "{row}");
    assert_eq!(belongs[0]["orgId"], json!(d.bureau));
    assert_eq!(
        (belongs[0]["jobType"].clone(), belongs[0]["mainJob"].clone()),
        (json!("1"), json!(true))
    );
    assert_eq!(
        belongs[0]["fullNamePath"],
        "业务中台/惠企政策组织/海口市商务局"
    );
    assert_eq!(
        (belongs[1]["jobType"].clone(), belongs[1]["mainJob"].clone()),
        (json!("2"), json!(false))
    );
    // Posts on the memberships (admin API): the post and place show in both reads, the
    // members are ordered by their place, and a later change of memberships keeps them.
    let posts = format!("/admin/v1/users/{wang}/posts");
    let body = json!({"posts": [{"org_id": d.bureau, "post": "科长", "sort": 1}]});
    let set = server.client.put(&posts, &t, body).await;
    assert_eq!(set.assert_status(200)["posts"][0]["post"], "科长");
    let outsider = json!({"posts": [{"org_id": d.root, "post": "x"}]});
    server
        .client
        .put(&posts, &t, outsider)
        .await
        .assert_status(400);
    let members = get("pushOrgUsers", json!({"orgId": d.bureau})).await.data();
    let first = &members["records"][0];
    assert_eq!(first["userId"], json!(wang), "the first place: {members}");
    assert_eq!(
        (first["posJob"].clone(), first["sortNum"].clone()),
        (json!("科长"), json!(1))
    );
    let update = json!({"user_org_relation_list": [{"orgCode": "HK", "relationType": 1}]});
    server
        .client
        .put(&format!("/api/v2/tenant/users/{wang}"), &t, update)
        .await
        .assert_status(200);
    let found = get(
        "searchByExtendProp",
        json!({"extendKey": "dingAccountId", "extendValue": "ding-ww"}),
    )
    .await
    .data();
    let belongs = found["records"][0]["belongs"].as_array().unwrap().clone();
    assert_eq!(belongs.len(), 1, "the secondary membership left: {found}");
    assert_eq!(
        belongs[0]["posJob"], "科长",
        "the kept membership keeps its post"
    );
    // Numbers match as text; other values, other keys and blanks find nobody or are refused.
    let level = get(
        "searchUserByExtendProp",
        json!({"extendKey": "level", "extendValue": "3"}),
    )
    .await
    .data();
    assert_eq!(level["total"], 1);
    let none = get(
        "searchByExtendProp",
        json!({"extendKey": "dingAccountId", "extendValue": "ding"}),
    )
    .await
    .data();
    assert_eq!(
        (none["total"].clone(), none["latestId"].clone()),
        (json!(0), json!(""))
    );
    get(
        "searchByExtendProp",
        json!({"extendKey": "", "extendValue": "x"}),
    )
    .await
    .assert_error(200, "ERR_PARAM_MISSING");
    // pushUserInfo reads the attributes as a JSON string; a changed attribute is found anew.
    let user = get("pushUserInfo", json!({"userId": wang})).await.data();
    let map: Value = serde_json::from_str(user["extendMap"].as_str().unwrap()).unwrap();
    assert_eq!(map["dingAccountId"], "ding-ww");
    let update = json!({"extension": {"dingAccountId": "ding-new"}});
    server
        .client
        .put(&format!("/api/v2/tenant/users/{wang}"), &t, update)
        .await
        .assert_status(200);
    let moved = get(
        "searchByExtendProp",
        json!({"extendKey": "dingAccountId", "extendValue": "ding-new"}),
    )
    .await
    .data();
    assert_eq!(moved["total"], 1);
    // A deleted user leaves nothing to be found by.
    server
        .client
        .delete(&format!("/api/v2/tenant/users/{wang}"), &t)
        .await
        .assert_status(204);
    let gone = get(
        "searchByExtendProp",
        json!({"extendKey": "dingAccountId", "extendValue": "ding-new"}),
    )
    .await
    .data();
    assert_eq!(gone["total"], 0);
    let pool = &server.store().database().pool;
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM proj_user_extensions WHERE user_id = $1")
            .bind(&wang)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(rows, 0);
    assert_eq!(d.zhang.len(), 32);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(users_are_found_by_an_extended_attribute_with_their_posts);

/// pushOrgRootInfo with these headers.
async fn roots_with(server: &TestServer, headers: Vec<(&'static str, String)>) -> Answer {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    call_with(server, "pushOrgRootInfo", &headers, "{}").await
}

/// `Uaa-Tenant-Id: 1` (and no header) means the configured default tenant when there is one,
/// else the host's; a credential of one tenant never reaches another.
async fn tenant_one_is_the_configured_default_tenant(engine: Engine) {
    let mut server = TestServer::start(engine).await;
    let other =
        idaas_server::cli::create_tenant(server.store(), "Hainan", vec!["hn.test".into()], &[])
            .await
            .unwrap();
    let hn_token = server
        .client
        .token(&other.client_id, &other.client_secret, Some("hn.test"))
        .await;
    let headers = |tenant: Option<&str>| {
        let mut headers = vec![
            ("Uaa-App-Key", other.client_id.clone()),
            ("Authorization", format!("Bearer {hn_token}")),
        ];
        if let Some(tenant) = tenant {
            headers.push(("Uaa-Tenant-Id", tenant.to_string()));
        }
        headers
    };
    // At the default tenant's host, "1" means that tenant: the other tenant's token is no
    // credential there.
    roots_with(&server, headers(Some("1")))
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    // Named explicitly, the other tenant answers to its own credential, and to no other.
    roots_with(&server, headers(Some(&other.tenant_id)))
        .await
        .data();
    let t = server.token().await;
    let (mine, my_token) = app(&server, &t, "本租户").await;
    let crossing = vec![
        ("Uaa-App-Key", mine.clone()),
        ("Uaa-Tenant-Id", other.tenant_id.clone()),
        ("Authorization", format!("Bearer {my_token}")),
    ];
    roots_with(&server, crossing)
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    server.config.hainan.default_tenant = Some(other.tenant_id.clone());
    server.restart().await;
    roots_with(&server, headers(Some("1"))).await.data();
    roots_with(&server, headers(None)).await.data();
    // The default tenant's own credential does not reach the configured one.
    let t = server.token().await;
    let (key, token) = app(&server, &t, "政务").await;
    call(&server, &key, &token, "pushOrgRootInfo", json!({}))
        .await
        .assert_error(401, "ERR_UNAUTHORIZED");
    server.finish().await;
}

on_both_engines!(tenant_one_is_the_configured_default_tenant);
