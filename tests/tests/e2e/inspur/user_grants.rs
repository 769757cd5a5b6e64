//! Inspur grants of applications to users (specs/inspur-idaas.md §2.6: USR-07 grant/revoke,
//! USR-08 list, USR-01 page, USR-02 revoke by record id).

use idaas_tests::inspur::{call, data};
use idaas_tests::sso;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

async fn applications_are_granted_to_users(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let user = sso::user(&server, &t, "granted", "13900000011").await;
    let erp = sso::register(&server, &t, "ERP", json!({}))
        .await
        .application_id;
    let hr = sso::register(&server, &t, "HR", json!({}))
        .await
        .application_id;
    // USR-07 without `action` (the description's example): auth.
    let body = json!({"userIdList": [user], "appIdList": [erp, hr]});
    let granted = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/user/addUserAppAuth",
        Some(body.clone()),
    )
    .await;
    assert_eq!(data(&granted), serde_json::Value::Null);
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/addUserAppAuth",
            Some(body),
        )
        .await,
    );
    let list = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/user/userAppAuthList?id={user}"),
            None,
        )
        .await,
    );
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2, "granting twice changes nothing: {list}");
    assert_eq!(rows[0]["userId"], json!(user));
    assert_eq!(rows[0]["appStatus"], "1");
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["appName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"ERP") && names.contains(&"HR"), "{names:?}");
    let page = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/user/userAuth/page/1/1?id={user}"),
            None,
        )
        .await,
    );
    assert_eq!(
        (page["totalCount"].clone(), page["pages"].clone()),
        (json!(2), json!(2))
    );
    // USR-07 unauth, then USR-02 by the record id.
    let unauth = json!({"userIdList": [user], "appIdList": [hr], "action": "unauth"});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/addUserAppAuth",
            Some(unauth),
        )
        .await,
    );
    let list = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/user/userAppAuthList?id={user}"),
            None,
        )
        .await,
    );
    assert_eq!(list.as_array().unwrap().len(), 1);
    let record = list[0]["id"].as_str().unwrap().to_string();
    let removed = call(
        &server,
        &t,
        Method::POST,
        "/idaas/v1/user/delAppAuth",
        Some(json!({"idList": [record]})),
    )
    .await;
    assert_eq!(data(&removed), serde_json::Value::Null);
    let list = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/user/userAppAuthList?id={user}"),
            None,
        )
        .await,
    );
    assert_eq!(list, json!([]));
    let unknown = json!({"userIdList": ["nobody"], "appIdList": [erp]});
    assert_eq!(
        call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/addUserAppAuth",
            Some(unknown)
        )
        .await
        .0,
        400
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(applications_are_granted_to_users);
