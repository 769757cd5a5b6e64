//! Tenant isolation on the Inspur API (issue 15): another tenant's token, at its own host, sees
//! none of this tenant's organs, accounts, user types or groups, cannot change them, and cannot
//! place its own accounts in them; this tenant's token is not taken at the other's host.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso::PASSWORD;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::user_accounts::organ_and_type;

/// Calls the Inspur API at `host`; status and envelope.
async fn at_host(
    server: &TestServer,
    token: &str,
    host: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let addr = server.server.as_ref().expect("server running").addr;
    let mut request = reqwest::Client::new()
        .request(method, format!("http://{addr}{path}"))
        .header("host", host)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn another_tenant_sees_and_changes_none_of_the_directory(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (organ, user_type) = organ_and_type(&server, &t).await;
    let create = json!({"accountName": "mine", "phone": "13900000041", "nickName": "我的",
                        "expirationTime": "2099-12-31", "organizationId": organ,
                        "userType": user_type, "p6d": PASSWORD});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/createUser",
            Some(create.clone()),
        )
        .await,
    );
    let page = data(&call(&server, &t, Method::POST, "/idaas/v1/user/page/1/10", None).await);
    let user = page["data"][0]["id"].as_str().unwrap().to_string();
    let group = json!({"name": "g1", "organId": organ});
    let group = data(&call(&server, &t, Method::POST, "/idaas/v1/groups", Some(group)).await);
    let group = group["id"].as_str().unwrap().to_string();

    let other =
        idaas_server::cli::create_tenant(server.store(), "Acme", vec!["acme.test".into()], &[])
            .await
            .unwrap();
    let acme = server
        .client
        .token(&other.client_id, &other.client_secret, Some("acme.test"))
        .await;
    let as_acme = |method: Method, path: String, body: Option<Value>| {
        let (server, acme) = (&server, acme.clone());
        async move { at_host(server, &acme, "acme.test", method, &path, body).await }
    };
    for path in [
        format!("/idaas/v1/user/userInfoDetail?id={user}"),
        format!("/idaas/v1/userType/{user_type}"),
        format!("/idaas/v1/groups/{group}"),
    ] {
        assert_eq!(
            as_acme(Method::GET, path.clone(), None).await.0,
            404,
            "{path}"
        );
    }
    for (method, path) in [
        (Method::POST, "/idaas/v1/user/page/1/10"),
        (Method::GET, "/idaas/v1/groups/page/1/10"),
        (Method::GET, "/idaas/v1/organs/-1/sub-organs/page/1/10"),
    ] {
        let listed = data(&as_acme(method, path.into(), None).await);
        assert_eq!(listed["totalCount"], 0, "{path}: {listed}");
    }
    let change = json!({"id": user, "nickName": "theirs", "status": "2"});
    let refused = as_acme(
        Method::POST,
        "/idaas/v1/user/updateUser".into(),
        Some(change),
    )
    .await;
    assert_eq!(refused.0, 404);
    for path in ["/idaas/v1/user/dimission", "/idaas/v1/user/delete"] {
        let refused = as_acme(Method::POST, path.into(), Some(json!({"idList": [user]}))).await;
        assert_eq!(refused.0, 400, "{path}: {}", refused.1);
    }
    let mut theirs = create;
    theirs["accountName"] = json!("theirs");
    let refused = as_acme(
        Method::POST,
        "/idaas/v1/user/createUser".into(),
        Some(theirs),
    )
    .await;
    assert_eq!(refused.1["message"], "组织机构不存在");
    // This tenant's token is not taken at the other's host.
    let stray = at_host(
        &server,
        &t,
        "acme.test",
        Method::POST,
        "/idaas/v1/user/page/1/10",
        None,
    )
    .await;
    assert_eq!(stray.0, 401);
    // Nothing changed here.
    let detail = format!("/idaas/v1/user/userInfoDetail?id={user}");
    let mine = data(&call(&server, &t, Method::GET, &detail, None).await);
    assert_eq!(
        (mine["nickName"].clone(), mine["status"].clone()),
        (json!("我的"), json!("1"))
    );
    server.finish().await;
}

on_both_engines!(another_tenant_sees_and_changes_none_of_the_directory);
