//! Inspur ORG-08 (grant or revoke applications for an organisation) and ORG-09 (organisations an
//! application may be granted to, or is granted to), with the document's snake_case rows.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

async fn applications_are_granted_to_organisations(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let organ = |name: &str, code: &str| {
        let (server, t) = (&server, &t);
        let body = json!({"name": name, "parentId": "-1", "code": code});
        async move {
            let created =
                data(&call(server, t, Method::POST, "/idaas/v1/organs", Some(body)).await);
            created["id"].as_str().unwrap().to_string()
        }
    };
    let idaas = organ("IDaas", "asas11").await;
    let other = organ("Other", "other").await;
    let erp = sso::register(&server, &t, "ERP", json!({}))
        .await
        .application_id;
    let hr = sso::register(&server, &t, "HR", json!({}))
        .await
        .application_id;
    let auth = |organ: &str, apps: Vec<&str>, action: &str| {
        let (server, t) = (&server, &t);
        let path = format!("/idaas/v1/organs/{organ}/action/auth");
        let body = json!({"appIdList": apps, "action": action});
        async move { call(server, t, Method::POST, &path, Some(body)).await }
    };
    assert_eq!(
        data(&auth(&idaas, vec![&erp, &hr], "auth").await),
        json!(true)
    );
    assert_eq!(
        data(&auth(&idaas, vec![&erp], "auth").await),
        json!(true),
        "again: no change"
    );
    assert_eq!(auth(&idaas, vec!["nope"], "auth").await.0, 400);
    assert_eq!(auth(&idaas, vec![&erp], "maybe").await.0, 400);
    let page = |kind: &str, name: Option<&str>| {
        let (server, t) = (&server, &t);
        let path = format!("/idaas/v1/organs/auth-app/{erp}/page/1/10");
        let body = match name {
            Some(name) => json!({"type": kind, "name": name}),
            None => json!({"type": kind}),
        };
        async move { data(&call(server, t, Method::POST, &path, Some(body)).await) }
    };
    let granted = page("2", None).await;
    assert_eq!(granted["totalCount"], 1);
    let row = &granted["data"][0];
    assert_eq!(
        (
            row["id"].clone(),
            row["parent_id"].clone(),
            row["is_leaf"].clone(),
            row["path"].clone()
        ),
        (json!(idaas), json!("-1"), json!("1"), json!("/IDaas"))
    );
    let grantable = page("1", Some("Oth")).await;
    assert_eq!(grantable["totalCount"], 1);
    assert_eq!(grantable["data"][0]["id"], json!(other));
    assert_eq!(data(&auth(&idaas, vec![&erp], "unauth").await), json!(true));
    assert_eq!(page("2", None).await["totalCount"], 0);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(applications_are_granted_to_organisations);
