//! Inspur user (account) types (specs/inspur-idaas.md §2.9, UTYPE-01…09) at the printed paths
//! (with their repeated `/idaas/v1`): save, lists, detail, start/stop, verify, delete.

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

const BASE: &str = "/idaas/v1/idaas/v1/userType";

async fn user_types_are_saved_listed_switched_verified_and_deleted(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // UTYPE-02 with the document's example values; `data` is the id.
    let body = json!({"name": "test01", "code": "test", "description": "akwkhdh", "order": 1});
    let id = data(&call(&server, &t, Method::POST, BASE, Some(body)).await);
    let id = id.as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    let second = json!({"name": "test02", "code": "test2", "description": "x", "order": "0"});
    data(&call(&server, &t, Method::POST, BASE, Some(second)).await);
    let duplicate = json!({"name": "test01", "code": "other", "description": "", "order": 3});
    let refused = call(&server, &t, Method::POST, BASE, Some(duplicate)).await;
    assert_eq!(
        (refused.0, refused.1["message"].clone()),
        (400, json!("名称已存在"))
    );
    // UTYPE-07 detail, UTYPE-03 list (name filter), UTYPE-04 page: order first.
    let detail = data(&call(&server, &t, Method::GET, &format!("{BASE}/{id}"), None).await);
    assert_eq!(
        (
            detail["code"].clone(),
            detail["order"].clone(),
            detail["status"].clone()
        ),
        (json!("test"), json!(1), json!("1"))
    );
    let list = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("{BASE}/list?name=01"),
            None,
        )
        .await,
    );
    assert_eq!(list.as_array().unwrap().len(), 1);
    let page = data(&call(&server, &t, Method::GET, &format!("{BASE}/page/1/10"), None).await);
    assert_eq!(page["totalCount"], 2);
    assert_eq!(page["data"][0]["name"], "test02", "order 0 before order 1");
    // An update changes what it names and keeps the rest.
    let rename = json!({"id": id, "name": "test03"});
    assert_eq!(
        data(&call(&server, &t, Method::POST, BASE, Some(rename)).await),
        json!(id)
    );
    let detail = data(&call(&server, &t, Method::GET, &format!("{BASE}/{id}"), None).await);
    assert_eq!(
        (detail["name"].clone(), detail["description"].clone()),
        (json!("test03"), json!("akwkhdh"))
    );
    // UTYPE-08 stop / UTYPE-06 start: the envelope without data.
    let stopped = call(
        &server,
        &t,
        Method::POST,
        &format!("{BASE}/{id}/action/stop"),
        None,
    )
    .await;
    assert_eq!(stopped.0, 200);
    assert!(stopped.1.get("data").is_none(), "{}", stopped.1);
    let detail = data(&call(&server, &t, Method::GET, &format!("{BASE}/{id}"), None).await);
    assert_eq!(detail["status"], "2");
    call(
        &server,
        &t,
        Method::POST,
        &format!("{BASE}/{id}/action/start"),
        None,
    )
    .await;
    // UTYPE-05 (a GET) and UTYPE-09: true = free.
    for (path, free) in [
        ("action/verify-name/test03", false),
        ("action/verify-name/test01", true),
        ("action/verify-code/test", false),
        ("action/verify-code/fresh", true),
    ] {
        let method = if path.contains("name") {
            Method::GET
        } else {
            Method::POST
        };
        let answer = call(&server, &t, method, &format!("{BASE}/{path}"), None).await;
        assert_eq!(data(&answer), json!(free), "{path}");
    }
    // UTYPE-01: gone afterwards, its name and code free again.
    let deleted = call(&server, &t, Method::DELETE, &format!("{BASE}/{id}"), None).await;
    assert_eq!(deleted.0, 200);
    let gone = call(&server, &t, Method::GET, &format!("{BASE}/{id}"), None).await;
    assert_eq!(gone.0, 404);
    let again = call(&server, &t, Method::DELETE, &format!("{BASE}/{id}"), None).await;
    assert_eq!(again.0, 404);
    let free = call(
        &server,
        &t,
        Method::POST,
        &format!("{BASE}/action/verify-code/test"),
        None,
    )
    .await;
    assert_eq!(data(&free), json!(true));
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(user_types_are_saved_listed_switched_verified_and_deleted);
