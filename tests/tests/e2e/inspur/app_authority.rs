//! Who may change applications through the Inspur dialect (ops/adr/0015, DESIGN.md "Who may do
//! what"): a directory client (a business application holding the API product) manages the
//! directory, but registering, changing and deleting applications takes a tenant administrator,
//! and granting an application (APP-02, ORG-08, USR-07, USR-02) takes a credential that manages
//! it — its own application, or any for an administrator. Refusals are 403 `无权限` and recorded.

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

#[track_caller]
fn forbidden(answer: &(u16, Value), what: &str) {
    assert_eq!(answer.0, 403, "{what}: {}", answer.1);
    assert_eq!(answer.1["message"], "无权限", "{what}: {}", answer.1);
}

async fn only_an_administrator_changes_applications_and_grants_reach_only_managed_ones(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let client = idaas_tests::hainan::api_client(&server, &t, "ERP").await;
    let (erp, erp_token) = (client.application_id, client.token);
    let body = json!({"appName": "门户", "appCode": "portal_app"});
    let portal = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
    let portal = portal["id"].as_str().unwrap().to_string();
    let organ = json!({"name": "研发", "parentId": "-1", "code": "RD"});
    let organ = data(
        &call(
            &server,
            &erp_token,
            Method::POST,
            "/idaas/v1/organs",
            Some(organ),
        )
        .await,
    );
    let organ = organ["id"].as_str().unwrap().to_string();
    let user = idaas_tests::sso::user(&server, &t, "wangwu", "13900000071").await;
    let admin_grant = json!({"userIdList": [user], "appIdList": [portal]});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/addUserAppAuth",
            Some(admin_grant),
        )
        .await,
    );
    let grants = format!("/idaas/v1/user/userAppAuthList?id={user}");
    let grants = data(&call(&server, &t, Method::GET, &grants, None).await);
    let grant_id = grants[0]["id"].as_str().unwrap().to_string();

    // The directory client: the directory yes (above), applications no.
    let erp_calls: Vec<(&str, Method, String, Value)> = vec![
        (
            "APP-05",
            Method::POST,
            "/idaas/v1/apps".into(),
            json!({"appName": "X", "appCode": "x_app"}),
        ),
        (
            "APP-06",
            Method::POST,
            "/idaas/v1/apps/updateapp".into(),
            json!({"id": portal, "appName": "Mine"}),
        ),
        (
            "APP-06 own",
            Method::POST,
            "/idaas/v1/apps/updateapp".into(),
            json!({"id": erp, "appName": "Mine"}),
        ),
        (
            "APP-04",
            Method::DELETE,
            format!("/idaas/v1/apps/{portal}"),
            Value::Null,
        ),
        (
            "APP-02",
            Method::POST,
            format!("/idaas/v1/apps/{portal}/action/auth/organs"),
            json!({"organIdList": [organ], "action": "auth"}),
        ),
        (
            "ORG-08",
            Method::POST,
            format!("/idaas/v1/organs/{organ}/action/auth"),
            json!({"appIdList": [erp, portal], "action": "auth"}),
        ),
        (
            "USR-07",
            Method::POST,
            "/idaas/v1/user/addUserAppAuth".into(),
            json!({"userIdList": [user], "appIdList": [portal], "action": "unauth"}),
        ),
        (
            "USR-02",
            Method::POST,
            "/idaas/v1/user/delAppAuth".into(),
            json!({"idList": [grant_id]}),
        ),
    ];
    let tried = erp_calls.len();
    for (what, method, path, body) in erp_calls {
        let body = (!body.is_null()).then_some(body);
        forbidden(&call(&server, &erp_token, method, &path, body).await, what);
    }
    // Nothing changed: the portal keeps its name and its grant, the organisation has none.
    let detail = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/apps/{portal}"),
            None,
        )
        .await,
    );
    assert_eq!(detail["appName"], "门户");
    let grants = format!("/idaas/v1/user/userAppAuthList?id={user}");
    let grants = data(&call(&server, &t, Method::GET, &grants, None).await);
    assert_eq!(grants.as_array().map(Vec::len), Some(1), "{grants}");
    // Each refusal is on the record, attributed to the caller.
    let pool = &server.store().database().pool;
    let refusals: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM events WHERE event_type = 'management.refused' AND stream_id = $1",
    )
    .bind(&erp)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(refusals.len(), tried, "{refusals:?}");

    // Its own application it may grant, to organisations and users.
    let own = json!({"organIdList": [organ], "action": "auth"});
    let path = format!("/idaas/v1/apps/{erp}/action/auth/organs");
    data(&call(&server, &erp_token, Method::POST, &path, Some(own)).await);
    let own = json!({"appIdList": [erp], "action": "auth"});
    let path = format!("/idaas/v1/organs/{organ}/action/auth");
    data(&call(&server, &erp_token, Method::POST, &path, Some(own)).await);
    let own = json!({"userIdList": [user], "appIdList": [erp]});
    let path = "/idaas/v1/user/addUserAppAuth";
    data(&call(&server, &erp_token, Method::POST, path, Some(own)).await);

    // The administrator does all of it.
    let update = json!({"id": portal, "appName": "门户2"});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/apps/updateapp",
            Some(update),
        )
        .await,
    );
    let revoke = json!({"idList": [grant_id]});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/delAppAuth",
            Some(revoke),
        )
        .await,
    );
    let path = format!("/idaas/v1/apps/{portal}");
    let deleted = call(&server, &t, Method::DELETE, &path, None).await;
    assert_eq!(data(&deleted)["appDeleteFlag"], "1");
    server.finish().await;
}

on_both_engines!(only_an_administrator_changes_applications_and_grants_reach_only_managed_ones);
