//! Inspur users so far (specs/inspur-idaas.md §2.6, USR-04 and USR-13): the directory's users —
//! made here through the OneAccess API in an organisation made through Inspur — filtered from
//! the query or a JSON body, with `idBind` for an application, and never a password.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

async fn the_directorys_users_are_listed_and_read(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let organ = data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/organs",
            Some(json!({"name": "研发", "parentId": "-1", "code": "RD"})),
        )
        .await,
    );
    let created = server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "lzy", "name": "李四", "mobile": "13900000001", "email": "lzy@example.com",
                   "org_code": "RD", "password": sso::PASSWORD}),
        )
        .await;
    let lzy = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let zhang = sso::user(&server, &t, "zhangsan", "13900000002").await;
    let app = sso::register(&server, &t, "ERP", json!({})).await;
    sso::account(&server, &t, &app, &zhang, "zhangsan").await;
    // USR-13.
    let detail = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/user/userInfoDetail?id={lzy}"),
            None,
        )
        .await,
    );
    assert_eq!(
        (
            detail["accountName"].clone(),
            detail["nickName"].clone(),
            detail["phone"].clone()
        ),
        (json!("lzy"), json!("李四"), json!("13900000001"))
    );
    assert_eq!(
        (
            detail["organizationId"].clone(),
            detail["organName"].clone()
        ),
        (organ["id"].clone(), json!("研发"))
    );
    assert_eq!(detail["status"], "1");
    assert!(detail.get("p6d").is_none() && detail.get("password").is_none());
    assert!(detail["updateTime"].is_string(), "users say updateTime");
    // USR-04: filters from the query or the body; idBind for an application.
    let page = |query: &str, body: Option<serde_json::Value>| {
        let (server, t) = (&server, &t);
        let path = format!("/idaas/v1/user/page/1/10{query}");
        async move { data(&call(server, t, Method::POST, &path, body).await) }
    };
    assert_eq!(page("", None).await["totalCount"], 2);
    let by_query = page(
        &format!("?organizationId={}", organ["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(by_query["data"][0]["accountName"], "lzy");
    let by_body = page("", Some(json!({"nickName": "李"}))).await;
    assert_eq!(by_body["totalCount"], 1);
    let bound = page(&format!("?appId={}", app.application_id), None).await;
    let flags: Vec<(String, String)> = bound["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["accountName"].as_str().unwrap().into(),
                u["idBind"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("lzy".to_string(), "0".to_string()),
            ("zhangsan".to_string(), "1".to_string())
        ]
    );
    assert_eq!(page("?status=2", None).await["totalCount"], 0);
    let missing = call(
        &server,
        &t,
        Method::GET,
        "/idaas/v1/user/userInfoDetail?id=nobody",
        None,
    )
    .await;
    assert_eq!(missing.0, 404);
    server.finish().await;
}

on_both_engines!(the_directorys_users_are_listed_and_read);
