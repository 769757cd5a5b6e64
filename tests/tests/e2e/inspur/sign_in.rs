//! An Inspur application signs a user in end to end (specs/inspur-idaas.md §2.15): AUTH-01
//! `/render/{mainAccount}/{appId}/auth` → the hosted login → the application's `redirectUri`
//! with a single-use `code` → AUTH-02 `POST /token` → AUTH-03 `POST /token/verify`; only users
//! the application is granted to (directly or through their organisation) get a code, and a
//! user who leaves loses the token's validity.

use idaas_tests::inspur::{call, data};
use idaas_tests::sso::{Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::user_accounts::organ_and_type;

const CALLBACK: &str = "https://app.example.com/cb";

/// A form post (or, with `json`, a JSON body) to the tenant host's root endpoints; status and
/// envelope.
async fn post(
    server: &TestServer,
    path: &str,
    fields: &[(&str, &str)],
    json: bool,
) -> (u16, Value) {
    let addr = server.server.as_ref().expect("server running").addr;
    let request = reqwest::Client::new().post(format!("http://{addr}{path}"));
    let request = if json {
        let object: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        request.json(&object)
    } else {
        request.form(fields)
    };
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn create_user(
    server: &TestServer,
    t: &str,
    name: &str,
    phone: &str,
    organ: &str,
    user_type: &str,
) -> String {
    let body = json!({"accountName": name, "phone": phone, "nickName": name,
                      "expirationTime": "2099-12-31", "organizationId": organ,
                      "userType": user_type, "p6d": PASSWORD});
    data(
        &call(
            server,
            t,
            Method::POST,
            "/idaas/v1/user/createUser",
            Some(body),
        )
        .await,
    );
    let path = format!("/idaas/v1/user/page/1/10?accountName={name}");
    let page = data(&call(server, t, Method::POST, &path, None).await);
    page["data"][0]["id"].as_str().unwrap().to_string()
}

async fn an_inspur_application_signs_granted_users_in(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (organ, user_type) = organ_and_type(&server, &t).await;
    let wang = create_user(&server, &t, "wangwu", "13900000061", &organ, &user_type).await;
    let body = json!({"appName": "业务系统", "appCode": "biz_app", "redirectUri": CALLBACK,
                      "accessTokenTimeout": 3600, "loginTheme": "inspur"});
    let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
    let (app_id, secret) = (
        app["id"].as_str().unwrap().to_string(),
        app["clientSecret"].as_str().unwrap().to_string(),
    );
    // Not granted yet: the user signs in but gets no code.
    let browser = Browser::new(&server);
    let render = format!("/render/default/{app_id}/auth?state=s1");
    let denied = browser.authorize(&render, "wangwu", PASSWORD).await;
    assert_eq!(denied.status.as_u16(), 200, "the sign-in page again");
    assert!(denied.param("code").is_none() && denied.text.contains("no account"));
    // Granted to the user's organisation (APP-02): the code comes back with the state.
    let grant = format!("/idaas/v1/apps/{app_id}/action/auth/organs");
    let body = json!({"organIdList": [organ], "action": "auth"});
    data(&call(&server, &t, Method::POST, &grant, Some(body)).await);
    let browser = Browser::new(&server);
    let back = browser.authorize(&render, "wangwu", PASSWORD).await;
    let location = back.location.clone().unwrap_or_default();
    assert!(location.starts_with(&format!("{CALLBACK}?")), "{back:?}");
    assert_eq!(back.param("state").as_deref(), Some("s1"));
    let code = back.param("code").expect("a code");
    // AUTH-02 with the parameters in the query, as printed.
    let path = format!(
        "/token?grant_type=authorization_code&client_id=biz_app&client_secret={secret}&code={code}"
    );
    let (status, envelope) = post(&server, &path, &[], false).await;
    assert_eq!(status, 200, "{envelope}");
    let tokens = envelope["data"].clone();
    assert_eq!(
        (tokens["tokenType"].clone(), tokens["expiresIn"].clone()),
        (json!("Bearer"), json!(3600))
    );
    assert_eq!(tokens["refreshExpiresIn"], 604800);
    let access = tokens["accessToken"].as_str().unwrap().to_string();
    assert!(tokens["refreshToken"].is_string());
    // AUTH-03: live, with the user and the application; garbage is not.
    let (_, verified) = post(&server, "/token/verify", &[("accessToken", &access)], false).await;
    let verified = &verified["data"];
    assert_eq!(
        (
            verified["active"].clone(),
            verified["accountName"].clone(),
            verified["appId"].clone(),
            verified["userId"].clone()
        ),
        (json!(true), json!("wangwu"), json!(app_id), json!(wang))
    );
    let (_, garbage) = post(&server, "/token/verify?accessToken=garbage", &[], false).await;
    assert_eq!(garbage["data"], json!({"active": false}));
    // The code is single-use; a wrong secret is refused.
    let (status, again) = post(&server, &path, &[], false).await;
    assert_eq!((status, again["code"].clone()), (400, json!("400")));
    // ... and its replay revokes what it gave (RFC 6749 §4.1.2).
    let (_, replayed) = post(&server, "/token/verify", &[("accessToken", &access)], false).await;
    assert_eq!(replayed["data"], json!({"active": false}));
    let wrong = [
        ("grant_type", "authorization_code"),
        ("client_id", "biz_app"),
        ("client_secret", "nope"),
        ("code", "x"),
    ];
    let (status, refused) = post(&server, "/token", &wrong, false).await;
    assert_eq!(
        (status, refused["message"].clone()),
        (401, json!("client_id 或 client_secret 错误"))
    );
    // A new sign-in (the session is still there: no form), and a refresh with a JSON body.
    let back = browser.authorize(&render, "wangwu", PASSWORD).await;
    let code = back.param("code").expect("a second code");
    let fields = [
        ("grant_type", "authorization_code"),
        ("client_id", "biz_app"),
        ("client_secret", secret.as_str()),
        ("code", code.as_str()),
    ];
    let (_, second) = post(&server, "/token", &fields, false).await;
    let refresh = second["data"]["refreshToken"].as_str().unwrap().to_string();
    let fields = [
        ("grant_type", "refresh_token"),
        ("client_id", "biz_app"),
        ("client_secret", &secret),
        ("refresh_token", &refresh),
    ];
    let (status, refreshed) = post(&server, "/token", &fields, true).await;
    assert_eq!(status, 200, "{refreshed}");
    let access = refreshed["data"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    // The user leaves: the token is no longer live.
    let body = json!({"idList": [wang]});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/user/dimission",
            Some(body),
        )
        .await,
    );
    let (_, after) = post(&server, "/token/verify", &[("accessToken", &access)], false).await;
    assert_eq!(after["data"]["active"], false);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(an_inspur_application_signs_granted_users_in);

async fn a_direct_grant_and_the_client_id_in_the_path_work_and_strangers_are_refused(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (organ, user_type) = organ_and_type(&server, &t).await;
    let li = create_user(&server, &t, "lisi", "13900000062", &organ, &user_type).await;
    let body = json!({"appName": "门户", "appCode": "portal_app", "redirectUri": CALLBACK});
    let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
    let app_id = app["id"].as_str().unwrap().to_string();
    // USR-07: the application granted to the user directly.
    let body = json!({"userIdList": [li], "appIdList": [app_id], "action": "auth"});
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
    let browser = Browser::new(&server);
    let back = browser
        .authorize("/render/default/portal_app/auth", "lisi", PASSWORD)
        .await;
    assert!(back.param("code").is_some(), "{back:?}");
    assert_eq!(back.param("state"), None);
    // An account in the application decides over the grant: disabled, it refuses.
    let accounts = format!("/api/v2/tenant/applications/{app_id}/accounts");
    let body = json!({"account_name": "lisi-portal", "user_id": li, "name": "lisi"});
    let created = server
        .client
        .post(&format!("{accounts}/basic-account"), &t, body)
        .await;
    let account = created.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let disable = format!("{accounts}/{account}/disable");
    server
        .client
        .put(&disable, &t, json!({}))
        .await
        .assert_status(200);
    let refused = Browser::new(&server)
        .authorize("/render/default/portal_app/auth", "lisi", PASSWORD)
        .await;
    assert_eq!(refused.param("code"), None, "{refused:?}");
    // Unknown application or main account: a page, no redirect.
    for path in [
        "/render/default/nope/auth",
        "/render/elsewhere/portal_app/auth",
    ] {
        let hop = Browser::new(&server).get(path).await;
        assert_eq!(hop.status.as_u16(), 404, "{path}");
        assert!(hop.location.is_none());
    }
    // A disabled application signs nobody in.
    let body = json!({"id": app_id, "appStatus": 0});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/apps/updateapp",
            Some(body),
        )
        .await,
    );
    let hop = Browser::new(&server)
        .get("/render/default/portal_app/auth")
        .await;
    assert_eq!(hop.status.as_u16(), 403);
    server.finish().await;
}

on_both_engines!(a_direct_grant_and_the_client_id_in_the_path_work_and_strangers_are_refused);

/// The same sign-in in headless Chromium (skipped without Chromium and ChromeDriver unless
/// `IDAAS_TEST_BROWSER=1`): the render URL, the hosted login in the application's theme, back at
/// the application's callback with the code and state, which `/token` exchanges.
async fn chromium_signs_in_through_render_and_the_code_becomes_a_token(engine: Engine) {
    if !idaas_tests::webdriver::browser_available("inspur_render") {
        return;
    }
    let server = TestServer::start(engine).await;
    let base = server.client.base.clone();
    let callback = idaas_tests::callback::Callback::start().await;
    let t = server.token().await;
    let (organ, user_type) = organ_and_type(&server, &t).await;
    create_user(&server, &t, "zhaoliu", "13900000063", &organ, &user_type).await;
    let body = json!({"appName": "政务平台", "appCode": "gov_portal", "redirectUri": callback.uri(),
                      "loginTheme": "gov-public"});
    let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
    let (app_id, secret) = (
        app["id"].as_str().unwrap().to_string(),
        app["clientSecret"].as_str().unwrap().to_string(),
    );
    let grant = format!("/idaas/v1/apps/{app_id}/action/auth/organs");
    let body = json!({"organIdList": [organ], "action": "auth"});
    data(&call(&server, &t, Method::POST, &grant, Some(body)).await);

    let chrome = idaas_tests::webdriver::Chrome::start().await;
    chrome
        .goto(&format!(
            "{base}/render/default/gov_portal/auth?state=chrome-1"
        ))
        .await;
    let login_page = format!("{base}/api/v1/login?");
    chrome
        .wait_for_url("the login page", |url| url.starts_with(&login_page))
        .await;
    assert!(
        chrome.source().await.contains("#d32f2f"),
        "the gov-public theme"
    );
    chrome.type_into("#username", "zhaoliu").await;
    chrome.type_into("#password", PASSWORD).await;
    chrome.click("button[type=submit]").await;
    let cb = callback.uri();
    let landed = chrome
        .wait_for_url("the application's callback", |url| url.starts_with(&cb))
        .await;
    chrome.quit().await;
    let query = landed.split_once('?').expect("a query").1;
    let result: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(query).unwrap();
    assert_eq!(result.get("state").map(String::as_str), Some("chrome-1"));
    let code = result.get("code").expect("a code");
    let fields = [
        ("grant_type", "authorization_code"),
        ("client_id", "gov_portal"),
        ("client_secret", secret.as_str()),
        ("code", code.as_str()),
    ];
    let (status, envelope) = post(&server, "/token", &fields, false).await;
    assert_eq!(status, 200, "{envelope}");
    let access = envelope["data"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, verified) = post(&server, "/token/verify", &[("accessToken", &access)], false).await;
    assert_eq!(verified["data"]["accountName"], "zhaoliu");
    server.finish().await;
}

on_both_engines!(chromium_signs_in_through_render_and_the_code_becomes_a_token);

/// A grant to a parent organisation reaches its sub-organisations' users only when the tenant
/// says so (spec §5 item 20), for sign-in and for APP-03's `idBind` alike.
async fn a_grant_to_a_parent_organisation_reaches_sub_organisations_when_the_tenant_says_so(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let head = json!({"name": "总部", "parentId": "-1", "code": "HQ"});
    let head = data(&call(&server, &t, Method::POST, "/idaas/v1/organs", Some(head)).await);
    let head = head["id"].as_str().unwrap().to_string();
    let body = json!({"name": "研发", "parentId": head, "code": "RD"});
    let child = data(&call(&server, &t, Method::POST, "/idaas/v1/organs", Some(body)).await);
    let child = child["id"].as_str().unwrap().to_string();
    let body = json!({"name": "正式员工", "code": "staff"});
    let user_type = data(&call(&server, &t, Method::POST, "/idaas/v1/userType", Some(body)).await);
    let user_type = user_type.as_str().unwrap().to_string();
    let user = create_user(&server, &t, "sunqi", "13900000064", &child, &user_type).await;
    let body = json!({"appName": "总部门户", "appCode": "hq_app", "redirectUri": CALLBACK});
    let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
    let app_id = app["id"].as_str().unwrap().to_string();
    let grant = format!("/idaas/v1/apps/{app_id}/action/auth/organs");
    let body = json!({"organIdList": [head], "action": "auth"});
    data(&call(&server, &t, Method::POST, &grant, Some(body)).await);
    let bind = || {
        let (server, t, user) = (&server, &t, &user);
        async move {
            let page = format!(
                "/idaas/v1/apps/listapps/page/1/10?appName=%E6%80%BB%E9%83%A8&userId={user}"
            );
            data(&call(server, t, Method::GET, &page, None).await)["data"][0]["idBind"].clone()
        }
    };
    // Off (the default): the child's user is not reached.
    let browser = Browser::new(&server);
    let denied = browser
        .authorize("/render/default/hq_app/auth", "sunqi", PASSWORD)
        .await;
    assert!(denied.param("code").is_none(), "{denied:?}");
    assert_eq!(bind().await, "0");
    // On: the grant reaches the sub-organisation.
    server
        .client
        .put(
            "/admin/v1/tenant/settings/organizations",
            &t,
            json!({"unique_sibling_names": true, "grants_reach_sub_organizations": true}),
        )
        .await
        .assert_status(200);
    let browser = Browser::new(&server);
    let back = browser
        .authorize("/render/default/hq_app/auth", "sunqi", PASSWORD)
        .await;
    assert!(back.param("code").is_some(), "{back:?}");
    assert_eq!(bind().await, "1");
    server.finish().await;
}

on_both_engines!(
    a_grant_to_a_parent_organisation_reaches_sub_organisations_when_the_tenant_says_so
);
