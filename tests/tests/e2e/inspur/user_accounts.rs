//! Inspur accounts written (specs/inspur-idaas.md §2.6): USR-10 create with the document's
//! fields, USR-03 update with a password and a state in one decision, USR-11 dimission, the
//! account details in the detail and the OneAccess view, sign-in through the hosted login
//! following the state and the expiry, and a user type in use kept from deletion.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use idaas_tests::inspur::{call, data};
use idaas_tests::sso::{Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const SESSION: &str = "idaas_session";

/// Signs in on the hosted login in a fresh browser; whether a session was made.
pub async fn signs_in(server: &TestServer, user_name: &str, password: &str) -> bool {
    let browser = Browser::new(server);
    let page = browser.get("/api/v1/login").await;
    let hop = browser.sign_in(&page, user_name, password).await;
    hop.status != StatusCode::TOO_MANY_REQUESTS && browser.cookie(SESSION).is_some()
}

/// An organ `RD` and an enabled user type `staff`: their ids.
pub async fn organ_and_type(server: &TestServer, t: &str) -> (String, String) {
    let body = json!({"name": "研发", "parentId": "-1", "code": "RD"});
    let organ = data(&call(server, t, Method::POST, "/idaas/v1/organs", Some(body)).await);
    let body = json!({"name": "正式员工", "code": "staff", "description": "", "order": 1});
    let user_type = data(&call(server, t, Method::POST, "/idaas/v1/userType", Some(body)).await);
    (
        organ["id"].as_str().unwrap().to_string(),
        user_type.as_str().unwrap().to_string(),
    )
}

async fn detail(server: &TestServer, t: &str, id: &str) -> Value {
    let path = format!("/idaas/v1/user/userInfoDetail?id={id}");
    data(&call(server, t, Method::GET, &path, None).await)
}

async fn id_of(server: &TestServer, t: &str, account_name: &str) -> String {
    let path = format!("/idaas/v1/user/page/1/10?accountName={account_name}");
    let page = data(&call(server, t, Method::POST, &path, None).await);
    page["data"][0]["id"].as_str().unwrap().to_string()
}

async fn refusal(server: &TestServer, t: &str, path: &str, body: Value) -> (u16, Value) {
    let (status, envelope) = call(server, t, Method::POST, path, Some(body)).await;
    (status, envelope["message"].clone())
}

async fn accounts_are_created_updated_and_leave(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (organ, user_type) = organ_and_type(&server, &t).await;
    // USR-10 with the document's fields (the e-mail's name is blank there; `email` is read).
    let create = json!({
        "accountName": "wangwu", "email": "ww@example.com", "phone": "13900000011",
        "nickName": "王五", "expirationTime": "2099-12-31 23:59:59", "description": "备注",
        "externalId": "EXT-1", "organizationId": organ, "userType": user_type, "p6d": PASSWORD
    });
    let created = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/user/createUser",
        Some(create.clone()),
    )
    .await;
    assert_eq!(data(&created), Value::Null, "the document returns no id");
    let path = "/idaas/v1/user/createUser";
    let mut missing = create.clone();
    missing.as_object_mut().unwrap().remove("phone");
    assert_eq!(
        refusal(&server, &t, path, missing).await,
        (400, json!("参数错误: phone 不能为空"))
    );
    let mut twice = create.clone();
    twice["phone"] = json!("13900000012");
    assert_eq!(
        refusal(&server, &t, path, twice.clone()).await,
        (400, json!("账户名称已存在"))
    );
    twice["accountName"] = json!("other");
    twice["userType"] = json!("nope");
    assert_eq!(
        refusal(&server, &t, path, twice.clone()).await,
        (400, json!("账户类型不存在"))
    );
    twice["userType"] = json!(user_type);
    twice["expirationTime"] = json!("31/12/2099");
    assert_eq!(refusal(&server, &t, path, twice).await.0, 400);
    // USR-13: the account details, the type's name, how and by whom it was made.
    let id = id_of(&server, &t, "wangwu").await;
    let user = detail(&server, &t, &id).await;
    for (field, value) in [
        ("expirationTime", json!("2099-12-31 23:59:59")),
        ("userType", json!(user_type)),
        ("userTypeName", json!("正式员工")),
        ("externalId", json!("EXT-1")),
        ("description", json!("备注")),
        ("createdType", json!("0")),
        ("organizationId", json!(organ)),
        ("status", json!("1")),
    ] {
        assert_eq!(user[field], value, "{field}: {user}");
    }
    assert!(user["creator"].is_string(), "{user}");
    // The same user in the OneAccess API, and signing in through the hosted login.
    let oneaccess = server
        .client
        .get(&format!("/api/v2/tenant/users/{id}"), &t)
        .await;
    assert_eq!(oneaccess.assert_status(200)["user_name"], "wangwu");
    assert!(signs_in(&server, "wangwu", PASSWORD).await);
    // USR-03: details, a new password and "disabled" in one decision.
    let update = "/idaas/v1/user/updateUser";
    let new_password = "Lantern#Quay-58";
    let body = json!({"id": id, "nickName": "王五五", "externald": "EXT-2", "p6d": new_password, "status": "2"});
    assert_eq!(
        data(&call(&server, &t, Method::POST, update, Some(body)).await),
        Value::Null
    );
    let user = detail(&server, &t, &id).await;
    assert_eq!(
        (
            user["nickName"].clone(),
            user["externalId"].clone(),
            user["status"].clone()
        ),
        (json!("王五五"), json!("EXT-2"), json!("2"))
    );
    let oneaccess = server
        .client
        .get(&format!("/api/v2/tenant/users/{id}"), &t)
        .await;
    assert_eq!(oneaccess.assert_status(200)["disabled"], true);
    assert!(!signs_in(&server, "wangwu", new_password).await, "disabled");
    // A refused password refuses the whole update: the name stays.
    let body = json!({"id": id, "nickName": "改名", "p6d": "12345678", "status": "1"});
    let (status, message) = refusal(&server, &t, update, body).await;
    assert_eq!(status, 400);
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("参数错误: 密码不符合密码策略"),
        "{message}"
    );
    let user = detail(&server, &t, &id).await;
    assert_eq!(
        (user["nickName"].clone(), user["status"].clone()),
        (json!("王五五"), json!("2"))
    );
    let body = json!({"id": id, "status": "1"});
    data(&call(&server, &t, Method::POST, update, Some(body)).await);
    assert!(
        signs_in(&server, "wangwu", new_password).await,
        "enabled again"
    );
    let missing = refusal(
        &server,
        &t,
        update,
        json!({"id": "nobody", "nickName": "x"}),
    )
    .await;
    assert_eq!(missing.0, 404);
    // USR-11: the user leaves; listed only with status=0, and cannot sign in.
    let body = json!({"idList": [id]});
    let left = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/dimission",
            Some(body),
        )
        .await,
    );
    assert_eq!(left, "1");
    assert_eq!(detail(&server, &t, &id).await["status"], "0");
    let page = |query: &'static str| {
        let (server, t) = (&server, &t);
        async move {
            let path = format!("/idaas/v1/user/page/1/10{query}");
            data(&call(server, t, Method::POST, &path, None).await)["totalCount"].clone()
        }
    };
    assert_eq!(page("").await, 0);
    assert_eq!(page("?status=0").await, 1);
    assert_eq!(page("?status=1").await, 0);
    assert!(!signs_in(&server, "wangwu", new_password).await, "left");
    // The type is in use: it stays.
    let type_path = format!("/idaas/v1/userType/{user_type}");
    let (status, envelope) = call(&server, &t, Method::DELETE, &type_path, None).await;
    assert_eq!(
        (status, envelope["message"].clone()),
        (400, json!("账户类型已被账户使用,禁止删除"))
    );
    // Back, with an expiry an hour from now (Unix milliseconds are read too): then it passes.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let body = json!({"id": id, "status": 1, "expirationTime": now + 3_600_000});
    data(&call(&server, &t, Method::POST, update, Some(body)).await);
    assert_eq!(page("?status=1").await, 1);
    assert!(signs_in(&server, "wangwu", new_password).await, "back");
    server.advance(Duration::from_secs(2 * 3600));
    assert!(!signs_in(&server, "wangwu", new_password).await, "expired");
    server.finish().await;
}

on_both_engines!(accounts_are_created_updated_and_leave);

async fn a_disabled_user_type_or_organ_takes_no_new_accounts(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (organ, user_type) = organ_and_type(&server, &t).await;
    let stop = format!("/idaas/v1/userType/{user_type}/action/stop");
    data(&call(&server, &t, Method::POST, &stop, None).await);
    let create = json!({
        "accountName": "zhaoliu", "phone": "13900000021", "nickName": "赵六",
        "expirationTime": "2099-12-31", "organizationId": organ, "userType": user_type,
        "p6d": PASSWORD
    });
    let path = "/idaas/v1/user/createUser";
    assert_eq!(
        refusal(&server, &t, path, create.clone()).await,
        (400, json!("账户类型已禁用"))
    );
    let start = format!("/idaas/v1/userType/{user_type}/action/start");
    data(&call(&server, &t, Method::POST, &start, None).await);
    let mut elsewhere = create.clone();
    elsewhere["organizationId"] = json!("no-such-organ");
    assert_eq!(
        refusal(&server, &t, path, elsewhere).await,
        (400, json!("组织机构不存在"))
    );
    data(&call(&server, &t, Method::POST, path, Some(create)).await);
    let id = id_of(&server, &t, "zhaoliu").await;
    assert_eq!(
        detail(&server, &t, &id).await["expirationTime"],
        "2099-12-31 23:59:59"
    );
    // Disabled since: the whole object sent back unchanged still saves (only changes are
    // checked), and a status change alone passes.
    data(&call(&server, &t, Method::POST, &stop, None).await);
    let mut whole = detail(&server, &t, &id).await;
    whole["nickName"] = json!("赵六六");
    let update = "/idaas/v1/user/updateUser";
    data(&call(&server, &t, Method::POST, update, Some(whole)).await);
    let status = json!({"id": id, "status": "2"});
    data(&call(&server, &t, Method::POST, update, Some(status)).await);
    let user = detail(&server, &t, &id).await;
    assert_eq!(
        (user["nickName"].clone(), user["status"].clone()),
        (json!("赵六六"), json!("2"))
    );
    server.finish().await;
}

on_both_engines!(a_disabled_user_type_or_organ_takes_no_new_accounts);
