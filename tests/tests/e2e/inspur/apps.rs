//! Inspur applications (specs/inspur-idaas.md §2.7, APP-01…10) at the printed paths (with their
//! repeated `/idaas/v1`) and the intended ones, with the document's example bodies: the code is
//! the client id, the secret is answered once, updates keep the client id, the same application
//! is read and changed through the admin API, grants to organisations decide `idBind` and
//! `authFlag`, and a delete answers the flag and takes the grants with it.

use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const PRINTED: &str = "/idaas/v1/idaas/v1/apps";

fn create_example() -> Value {
    json!({"appName":"路况实时监测v10","a5tId":"35237973-1071-43dd-9ac5-852f98758ef8",
           "appCode":"traffic_recognitionv10","description":"traffic recognitionv10",
           "authinfoSyncType":0,"appAuthType":0,"appStatus":1,"appAuthStatus":1,
           "redirectUri":"https://www.baidu.com/","homepageUrl":"https://www.baidu.com/",
           "accessTokenTimeout":7200,"refreshTokenTimeout":604800,"appTypeCode":"1",
           "appOwner":0,"loginTheme":"inspur"})
}

async fn message(answer: (u16, Value)) -> (u16, Value) {
    (answer.0, answer.1["message"].clone())
}

async fn applications_are_created_updated_listed_and_deleted(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // APP-05 at the printed path with the document's example.
    let created = data(&call(&server, &t, Method::POST, PRINTED, Some(create_example())).await);
    let id = created["id"].as_str().unwrap().to_string();
    for (field, value) in [
        ("appName", json!("路况实时监测v10")),
        ("appCode", json!("traffic_recognitionv10")),
        ("clientId", json!("traffic_recognitionv10")),
        ("appStatus", json!("1")),
        ("appAuthStatus", json!("1")),
        ("appAuthType", json!("0")),
        ("appDeleteFlag", json!("0")),
        ("accountId", json!("default")),
        ("realm", json!("default")),
        ("accessTokenTimeout", json!(7200)),
        ("refreshTokenTimeout", json!(604800)),
        ("redirectUri", json!("https://www.baidu.com/")),
        ("loginTheme", json!("inspur")),
        ("appTypeCode", json!("1")),
        ("description", json!("traffic recognitionv10")),
        ("idBind", Value::Null),
    ] {
        assert_eq!(created[field], value, "{field}: {created}");
    }
    let secret = created["clientSecret"].as_str().unwrap();
    assert!(secret.len() >= 32, "a secret, once");
    // The code and name are taken now (APP-08/09: `true` = free to use).
    let verify = |what: &'static str, value: &'static str| {
        let (server, t) = (&server, &t);
        async move {
            let path = format!("/idaas/v1/idaas/v1/apps/action/verify-{what}/{value}");
            data(&call(server, t, Method::POST, &path, None).await)
        }
    };
    assert_eq!(verify("appcode", "traffic_recognitionv10").await, false);
    assert_eq!(verify("appcode", "app2").await, true);
    assert_eq!(
        verify(
            "appname",
            "%E8%B7%AF%E5%86%B5%E5%AE%9E%E6%97%B6%E7%9B%91%E6%B5%8Bv10"
        )
        .await,
        false
    );
    let mut again = create_example();
    assert_eq!(
        message(call(&server, &t, Method::POST, PRINTED, Some(again.clone())).await).await,
        (400, json!("应用编码已存在"))
    );
    again["appCode"] = json!("other_code");
    assert_eq!(
        message(call(&server, &t, Method::POST, PRINTED, Some(again.clone())).await).await,
        (400, json!("应用名称已存在"))
    );
    again["appName"] = json!("其他");
    again["appStatus"] = json!(5);
    assert_eq!(
        call(&server, &t, Method::POST, PRINTED, Some(again))
            .await
            .0,
        400
    );
    // APP-06: the code changes, the client id stays; disabled; `message` 成功.
    let update = json!({"id": id, "appCode": "traffic_recognitionv1010", "appStatus": 0,
                        "accessTokenTimeout": "3600", "redirectUri": "https://www.example.com/cb"});
    let path = format!("{PRINTED}/updateapp");
    let (status, envelope) = call(&server, &t, Method::POST, &path, Some(update)).await;
    assert_eq!(
        (status, envelope["message"].clone()),
        (200, json!("成功")),
        "{envelope}"
    );
    let updated = &envelope["data"];
    assert_eq!(
        (
            updated["appCode"].clone(),
            updated["clientId"].clone(),
            updated["appStatus"].clone()
        ),
        (
            json!("traffic_recognitionv1010"),
            json!("traffic_recognitionv10"),
            json!("0")
        )
    );
    assert_eq!(updated["accessTokenTimeout"], 3600);
    assert_eq!(
        updated["clientSecret"],
        Value::Null,
        "the secret is never shown again"
    );
    assert_eq!(
        verify("appcode", "traffic_recognitionv10").await,
        false,
        "still the client id"
    );
    // The same application through the admin API, and a change there seen here (APP-07).
    let admin = server
        .client
        .get(&format!("/admin/v1/applications/{id}"), &t)
        .await;
    let admin = admin.assert_status(200);
    assert_eq!(admin["client_id"], "traffic_recognitionv10");
    assert_eq!(admin["enabled"], false);
    assert_eq!(
        admin["protocols"]["redirect_uris"][0],
        "https://www.example.com/cb"
    );
    server
        .client
        .send(
            Method::PATCH,
            &format!("/admin/v1/applications/{id}"),
            Some(&t),
            Some(&json!({"name": "路况监测"})),
            &[],
        )
        .await
        .assert_status(200);
    let detail = data(
        &call(
            &server,
            &t,
            Method::GET,
            &format!("/idaas/v1/apps/{id}"),
            None,
        )
        .await,
    );
    assert_eq!(detail["appName"], "路况监测");
    assert_eq!(detail["appCode"], "traffic_recognitionv1010");
    // APP-01 and APP-03 (by name).
    let list = data(&call(&server, &t, Method::GET, "/idaas/v1/apps/list", None).await);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == json!(id)));
    let page = "/idaas/v1/apps/listapps/page/1/10?appName=%E7%9B%91%E6%B5%8B";
    let page = data(&call(&server, &t, Method::GET, page, None).await);
    assert_eq!(
        (page["totalCount"].clone(), page["data"][0]["id"].clone()),
        (json!(1), json!(id))
    );
    // APP-04 at the printed path: the flag, then gone, the code free again.
    let gone = data(
        &call(
            &server,
            &t,
            Method::DELETE,
            &format!("{PRINTED}/{id}"),
            None,
        )
        .await,
    );
    assert_eq!(
        (gone["id"].clone(), gone["appDeleteFlag"].clone()),
        (json!(id), json!("1"))
    );
    let missing = call(
        &server,
        &t,
        Method::GET,
        &format!("/idaas/v1/apps/{id}"),
        None,
    )
    .await;
    assert_eq!(missing.0, 404);
    assert_eq!(verify("appcode", "traffic_recognitionv1010").await, true);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(applications_are_created_updated_listed_and_deleted);

async fn grants_to_organisations_decide_auth_flags_and_id_bind(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let organ = json!({"name": "研发", "parentId": "-1", "code": "RD"});
    let organ = data(&call(&server, &t, Method::POST, "/idaas/v1/organs", Some(organ)).await);
    let organ = organ["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for (name, code) in [("甲应用", "app_a"), ("乙应用", "app_b")] {
        let body =
            json!({"appName": name, "appCode": code, "redirectUri": "https://a.example.com/cb"});
        let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
        ids.push(app["id"].as_str().unwrap().to_string());
    }
    let user = server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "lisi", "mobile": "13900000051", "org_code": "RD"}),
        )
        .await;
    let user = user.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    // APP-02: the first application to the organisation.
    let path = format!("/idaas/v1/apps/{}/action/auth/organs", ids[0]);
    let auth = json!({"organIdList": [organ], "action": "auth"});
    assert_eq!(
        data(&call(&server, &t, Method::POST, &path, Some(auth)).await),
        true
    );
    let unknown = json!({"organIdList": ["nope"], "action": "auth"});
    assert_eq!(
        call(&server, &t, Method::POST, &path, Some(unknown))
            .await
            .0,
        400
    );
    // APP-10 at the printed path: every application, `authFlag` a number, `orgId` when granted.
    let flags = |organ: String| {
        let (server, t) = (&server, &t);
        async move {
            let path = format!("/idaas/v1/idaas/v1/apps/{organ}/listapporgauthinfo/page/1/10");
            data(&call(server, t, Method::GET, &path, None).await)["data"].clone()
        }
    };
    let rows = flags(organ.clone()).await;
    let row = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["appId"] == json!(id))
            .unwrap()
            .clone()
    };
    assert_eq!(
        row(&ids[0]),
        json!({"appName": "甲应用", "appId": ids[0], "authFlag": 1, "orgId": organ})
    );
    assert_eq!(
        row(&ids[1]),
        json!({"appName": "乙应用", "appId": ids[1], "authFlag": 0})
    );
    // ORG-09 sees the same grant (one relation, two endpoints).
    let org09 = format!("/idaas/v1/organs/auth-app/{}/page/1/10", ids[0]);
    let granted = data(
        &call(
            &server,
            &t,
            Method::POST,
            &org09,
            Some(json!({"type": "2"})),
        )
        .await,
    );
    assert_eq!(granted["data"][0]["id"], json!(organ));
    // APP-03 with `userId`: granted through the user's organisation; newest first.
    let page = format!("/idaas/v1/apps/listapps/page/1/10?userId={user}");
    let page = data(&call(&server, &t, Method::GET, &page, None).await);
    let bind: Vec<(Value, Value)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| ids.contains(&a["id"].as_str().unwrap().to_string()))
        .map(|a| (a["appName"].clone(), a["idBind"].clone()))
        .collect();
    assert_eq!(
        bind,
        [(json!("乙应用"), json!("0")), (json!("甲应用"), json!("1"))]
    );
    // Revoked, and a deleted application's grants go with it.
    let unauth = json!({"organIdList": [organ], "action": "unauth"});
    assert_eq!(
        data(&call(&server, &t, Method::POST, &path, Some(unauth)).await),
        true
    );
    assert_eq!(flags(organ.clone()).await[0]["authFlag"], 0);
    let path = format!("/idaas/v1/apps/{}/action/auth/organs", ids[1]);
    let auth = json!({"organIdList": [organ], "action": "auth"});
    data(&call(&server, &t, Method::POST, &path, Some(auth)).await);
    data(
        &call(
            &server,
            &t,
            Method::DELETE,
            &format!("/idaas/v1/apps/{}", ids[1]),
            None,
        )
        .await,
    );
    let rows = flags(organ.clone()).await;
    assert!(rows
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["appId"] != json!(ids[1])));
    let missing = "/idaas/v1/apps/nope/listapporgauthinfo/page/1/10";
    assert_eq!(call(&server, &t, Method::GET, missing, None).await.0, 404);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(grants_to_organisations_decide_auth_flags_and_id_bind);

async fn an_application_type_in_use_is_not_deleted(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let body = json!({"typeName": "web", "typeCode": "web123", "description": "web应用类型"});
    let app_type = data(&call(&server, &t, Method::POST, "/idaas/v1/apptypes", Some(body)).await);
    let type_id = app_type["id"].as_str().unwrap().to_string();
    // Named by its code by one application, by its name by another.
    let mut apps = Vec::new();
    for (name, code, type_code) in [("甲", "app_a", "web123"), ("乙", "app_b", "web")] {
        let body = json!({"appName": name, "appCode": code, "appTypeCode": type_code});
        let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
        apps.push(app["id"].as_str().unwrap().to_string());
    }
    let type_path = format!("/idaas/v1/apptypes/{type_id}");
    for app in &apps {
        let refused = call(&server, &t, Method::DELETE, &type_path, None).await;
        assert_eq!(
            message(refused).await,
            (400, json!("应用类型已被应用使用,禁止删除"))
        );
        data(
            &call(
                &server,
                &t,
                Method::DELETE,
                &format!("/idaas/v1/apps/{app}"),
                None,
            )
            .await,
        );
    }
    let gone = data(&call(&server, &t, Method::DELETE, &type_path, None).await);
    assert_eq!(gone["typeDeleteFlag"], "1");
    server.finish().await;
}

on_both_engines!(an_application_type_in_use_is_not_deleted);
