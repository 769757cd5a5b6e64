//! As-of access answers (ops/adr/0025) against a scripted history with hand-computed
//! expectations: an organisation grant that reaches sub-organisations only once the tenant says
//! so, an organisation moved out from under the granted one, a grant revoked and given again
//! (the answer names the second granting event), an account that decides over grants and is
//! then disabled, a user disabled — each instant asked about afterwards, in one call.

use idaas_server::cli::{self, Verdict};
use idaas_tests::inspur::{call, data};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::support::auditor;

/// Now, as RFC 3339 with milliseconds, once every event so far is older; the next event is
/// recorded after it.
async fn instant() -> String {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    now
}

async fn organ(server: &TestServer, t: &str, code: &str, parent: &str) -> String {
    let body = json!({"name": code, "parentId": parent, "code": code});
    let organ = data(&call(server, t, Method::POST, "/idaas/v1/organs", Some(body)).await);
    organ["id"].as_str().unwrap().to_string()
}

async fn user(server: &TestServer, t: &str, name: &str, phone: &str, organ: &str) -> String {
    let body = json!({"name": format!("staff {name}"), "code": format!("staff-{name}")});
    let kind = data(&call(server, t, Method::POST, "/idaas/v1/userType", Some(body)).await);
    let body = json!({"accountName": name, "phone": phone, "nickName": name,
                      "expirationTime": "2099-12-31", "organizationId": organ,
                      "userType": kind, "p6d": "Passw0rd!x"});
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

async fn grant(server: &TestServer, t: &str, app: &str, organ: &str, action: &str) {
    let path = format!("/idaas/v1/apps/{app}/action/auth/organs");
    let body = json!({"organIdList": [organ], "action": action});
    data(&call(server, t, Method::POST, &path, Some(body)).await);
}

async fn get(server: &TestServer, token: &str, path: &str) -> Value {
    server
        .client
        .get(path, token)
        .await
        .assert_status(200)
        .clone()
}

/// The users who could sign in, each with the kinds of its reasons.
fn allowed(answer: &Value) -> Vec<(String, Vec<String>)> {
    let mut users: Vec<(String, Vec<String>)> = answer["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let via = u["reasons"].as_array().unwrap();
            let via = via.iter().map(|r| r["via"].as_str().unwrap().to_string());
            (u["user_id"].as_str().unwrap().to_string(), via.collect())
        })
        .collect();
    users.sort();
    users
}

fn ids(users: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    let mut users: Vec<(String, Vec<String>)> = users
        .iter()
        .map(|(u, via)| (u.to_string(), via.iter().map(|v| v.to_string()).collect()))
        .collect();
    users.sort();
    users
}

async fn who_could_sign_in_at_each_instant_and_why(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let audit = auditor(&server, &t, false).await;
    let a = audit.token.as_str();
    let hq = organ(&server, &t, "HQ", "-1").await;
    let rd = organ(&server, &t, "RD", &hq).await;
    let qa = organ(&server, &t, "QA", "-1").await;
    let ann = user(&server, &t, "ann", "13900000101", &rd).await;
    let bob = user(&server, &t, "bob", "13900000102", &qa).await;
    let cyd = user(&server, &t, "cyd", "13900000103", &hq).await;
    let body =
        json!({"appName": "Portal", "appCode": "portal", "redirectUri": "https://p.example/cb"});
    let app = data(&call(&server, &t, Method::POST, "/idaas/v1/apps", Some(body)).await);
    let app = app["id"].as_str().unwrap().to_string();
    let t1 = instant().await;
    grant(&server, &t, &app, &hq, "auth").await;
    let t2 = instant().await;
    server
        .client
        .put(
            "/admin/v1/tenant/settings/organizations",
            &t,
            json!({"unique_sibling_names": true, "grants_reach_sub_organizations": true}),
        )
        .await
        .assert_status(200);
    let t3 = instant().await;
    let body = json!({"id": rd, "parentId": qa});
    data(
        &call(
            &server,
            &t,
            Method::POST,
            "/idaas/v1/organs/action/move",
            Some(body),
        )
        .await,
    );
    let t4 = instant().await;
    grant(&server, &t, &app, &hq, "unauth").await;
    let t5 = instant().await;
    grant(&server, &t, &app, &hq, "auth").await;
    let t6 = instant().await;
    let accounts = format!("/api/v2/tenant/applications/{app}/accounts");
    let body = json!({"account_name": "bob-portal", "user_id": bob, "name": "bob"});
    let created = server
        .client
        .post(&format!("{accounts}/basic-account"), &t, body)
        .await;
    let account = created.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let t7 = instant().await;
    let disable = format!("{accounts}/{account}/disable");
    server
        .client
        .put(&disable, &t, json!({}))
        .await
        .assert_status(200);
    let t8 = instant().await;
    let path = format!("/api/v2/tenant/users/{cyd}/disable");
    server
        .client
        .put(&path, &t, json!({}))
        .await
        .assert_status(200);
    let t9 = instant().await;

    let access = |at: &str| format!("/audit/v1/applications/{app}/access?at={at}");
    let org = ["organization_grant"].as_slice();
    // t1: nothing granted. t2: the grant to HQ reaches its own member only.
    assert_eq!(allowed(&get(&server, a, &access(&t1)).await), ids(&[]));
    let at2 = get(&server, a, &access(&t2)).await;
    assert_eq!(allowed(&at2), ids(&[(&cyd, org)]));
    assert_eq!(at2["grant_reach"], "direct");
    let reason = &at2["users"][0]["reasons"][0];
    assert_eq!(reason["organization_id"], hq.as_str());
    assert_eq!(reason["since"]["event_type"], "app_grants.granted");
    assert_eq!(
        reason["since"]["actor_id"],
        server.credentials.application_id.as_str()
    );
    let first_grant = reason["since"]["position"].as_i64().unwrap();
    // t3: grants reach sub-organisations: Ann through HQ › RD.
    let at3 = get(&server, a, &access(&t3)).await;
    assert_eq!(allowed(&at3), ids(&[(&ann, org), (&cyd, org)]));
    assert_eq!(at3["grant_reach"], "subtree");
    let through = at3["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == ann.as_str())
        .unwrap()["reasons"][0]["through"]
        .clone();
    assert_eq!(through, json!([hq, rd]));
    // t4: RD moved under QA, out of the granted subtree.
    assert_eq!(
        allowed(&get(&server, a, &access(&t4)).await),
        ids(&[(&cyd, org)])
    );
    // t5: revoked. t6: granted again — by a later event.
    assert_eq!(allowed(&get(&server, a, &access(&t5)).await), ids(&[]));
    let at6 = get(&server, a, &access(&t6)).await;
    assert_eq!(allowed(&at6), ids(&[(&cyd, org)]));
    assert!(
        at6["users"][0]["reasons"][0]["since"]["position"]
            .as_i64()
            .unwrap()
            > first_grant
    );
    // t7: Bob's account. t8: disabled, it refuses whatever else reaches him.
    let at7 = get(&server, a, &access(&t7)).await;
    assert_eq!(allowed(&at7), ids(&[(&bob, &["account"]), (&cyd, org)]));
    let at8 = get(&server, a, &access(&t8)).await;
    assert_eq!(allowed(&at8), ids(&[(&cyd, org)]));
    assert_eq!(
        at8["refused"],
        json!([{"user_id": bob, "why": "account_disabled",
        "since": at8["refused"][0]["since"].clone()}])
    );
    assert_eq!(
        at8["refused"][0]["since"]["event_type"],
        "app_account.disabled"
    );
    // t9: Cyd disabled.
    let at9 = get(&server, a, &access(&t9)).await;
    assert_eq!(allowed(&at9), ids(&[]));
    let mut why: Vec<(String, String)> = at9["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user_id"].as_str().unwrap().into(),
                r["why"].as_str().unwrap().into(),
            )
        })
        .collect();
    why.sort();
    let mut expected = vec![
        (bob.clone(), "account_disabled".to_string()),
        (cyd.clone(), "user_disabled".to_string()),
    ];
    expected.sort();
    assert_eq!(why, expected);

    // A subject's access: Ann at t3 reaches the portal through HQ › RD; at t4 nothing.
    let ann3 = get(&server, a, &format!("/audit/v1/users/{ann}/access?at={t3}")).await;
    assert_eq!(ann3["state"]["state"], "enabled");
    assert_eq!(ann3["memberships"][0]["id"], rd.as_str());
    assert_eq!(ann3["applications"][0]["application_id"], app.as_str());
    assert_eq!(ann3["applications"][0]["can_sign_in"], true);
    assert_eq!(
        ann3["applications"][0]["reasons"][0]["through"],
        json!([hq, rd])
    );
    let ann4 = get(&server, a, &format!("/audit/v1/users/{ann}/access?at={t4}")).await;
    assert_eq!(ann4["applications"], json!([]));
    let cyd9 = get(&server, a, &format!("/audit/v1/users/{cyd}/access?at={t9}")).await;
    assert_eq!(cyd9["state"]["state"], "disabled");
    assert_eq!(cyd9["applications"][0]["refused"], "user_disabled");

    // The review between t3 and t4: Ann lost it, Cyd kept it.
    let review = format!("/audit/v1/applications/{app}/access-review?from={t3}&to={t4}");
    let review = get(&server, a, &review).await;
    assert_eq!(review["gained"], json!([]));
    assert_eq!(review["lost"][0]["user_id"], ann.as_str());
    assert_eq!(review["lost"][0]["now_refused"], Value::Null);
    assert_eq!(review["kept"][0]["user_id"], cyd.as_str());

    // CSV: one row per reason, refused users after.
    let csv = server
        .client
        .get(&format!("{}&format=csv", access(&t8)), a)
        .await
        .text;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("user_id,via,account_id,grant_id,organization_id"));
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with(&format!("{cyd},organization_grant,")));
    assert!(lines[2].starts_with(&bob) && lines[2].ends_with("refused: account_disabled"));

    // The report: a page with the chart and the tables.
    // From t2 to t7 Bob gained access (his account) and Cyd kept it.
    let report = format!("/audit/v1/applications/{app}/access-report?from={t2}&to={t7}");
    let page = server.client.get(&report, a).await.text;
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    let gained = page
        .split("<h2>Gained access</h2>")
        .nth(1)
        .unwrap_or_default();
    assert!(
        page.contains("<polyline") && gained.contains(&bob),
        "{page}"
    );
    assert!(page.contains(&cyd) && !gained.contains(&cyd), "{page}");

    // Bad input: the surface's shape; an application that did not exist yet: 404.
    for (path, status) in [
        (
            format!("/audit/v1/applications/{app}/access?at=yesterday"),
            400,
        ),
        (
            format!("/audit/v1/applications/{app}/access?when={t1}"),
            400,
        ),
        (
            format!("/audit/v1/applications/{app}/access-review?to={t1}"),
            400,
        ),
        (
            format!("/audit/v1/applications/{app}/access-review?from={t9}&to={t1}"),
            400,
        ),
        (
            format!("/audit/v1/applications/{app}/access?at=2001-01-01T00:00:00Z"),
            404,
        ),
        ("/audit/v1/users/nobody/access".to_string(), 404),
    ] {
        let reply = server.client.get(&path, a).await;
        assert_eq!(reply.status, status, "{path}: {:?}", reply.body);
        assert!(reply.body["error"].is_string() && reply.body["message"].is_string());
    }
    // An administrator without audit reading is refused.
    assert_eq!(server.client.get(&access(&t9), &t).await.status, 403);
    // The temporal rows are a projection like any other: a rebuild gives the same rows.
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.finish().await;
}

on_both_engines!(who_could_sign_in_at_each_instant_and_why);

/// Roles as of an instant (ops/adr/0025): a role bound to HQ with `authSub` (expanded to the
/// organisations below it when bound) reaches a Team member; a role bound to the user directly
/// and one carrying a permission; unbinding HQ with `authSub` takes the expansion away — and the
/// earlier instant still answers with the binding and its event.
async fn roles_bound_with_auth_sub_are_answered_as_of_an_instant(engine: Engine) {
    use usecases::authorization::{self as authz, RoleKey};
    use usecases::authorization_roles::{self as roles, NewRole};
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let audit = auditor(&server, &t, false).await;
    let state = usecases::AppState::new(server.store().clone(), server.config.clone())
        .with_clock(server.clock.clone());
    let ctx = usecases::context(
        "default",
        usecases::Metadata {
            surface: Some("test".into()),
            ..Default::default()
        },
    );
    let org = |code: &str, parent: Option<String>| {
        let mut body = json!({"code": code, "name": format!("org {code}")});
        if let Some(parent) = parent {
            body["parent_id"] = json!(parent);
        }
        let (server, t) = (&server, &t);
        async move {
            let reply = server
                .client
                .post("/api/v2/tenant/organizations", t, body)
                .await;
            reply.assert_status(201)["org_id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let hq = org("100", None).await;
    let dept = org("101", Some(hq.clone())).await;
    let team = org("102", Some(dept.clone())).await;
    let body = json!({"user_name": "rolf", "mobile": "13500000011", "org_code": "102"});
    let reply = server.client.post("/api/v2/tenant/users", &t, body).await;
    let user = reply.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let erp = server.application("ERP", false, true).await;
    let new = |code: &str| NewRole {
        code: code.into(),
        name: None,
        remark: None,
    };
    let made = roles::create_roles(&state, &ctx, &erp, vec![new("sub"), new("direct")])
        .await
        .unwrap();
    let (sub, direct) = (made[0].clone(), made[1].clone());
    let key = RoleKey {
        role_id: Some(sub.clone()),
        ..Default::default()
    };
    authz::bind_org_role(&state, &ctx, &erp, key.clone(), &hq, true, true)
        .await
        .unwrap();
    authz::bind_user_roles(&state, &ctx, &erp, &user, vec![direct.clone()], true)
        .await
        .unwrap();
    let t1 = instant().await;
    authz::bind_org_role(&state, &ctx, &erp, key, &hq, true, false)
        .await
        .unwrap();
    let t2 = instant().await;

    let roles_at = |at: String| {
        let (server, a, user) = (&server, audit.token.clone(), user.clone());
        async move {
            let answer = get(
                server,
                &a,
                &format!("/audit/v1/users/{user}/access?at={at}"),
            )
            .await;
            let apps = answer["applications"].as_array().unwrap().clone();
            apps.into_iter()
                .flat_map(|app| app["roles"].as_array().unwrap().clone())
                .map(|role| {
                    let sources = role["sources"].as_array().unwrap();
                    let sources = sources
                        .iter()
                        .map(|s| s["id"].as_str().unwrap().to_string());
                    (
                        role["role_id"].as_str().unwrap().to_string(),
                        sources.collect::<Vec<_>>(),
                    )
                })
                .collect::<std::collections::BTreeMap<String, Vec<String>>>()
        }
    };
    let at1 = roles_at(t1).await;
    assert_eq!(
        at1.get(&sub),
        Some(&vec![format!("organization:{team}")]),
        "{at1:?}"
    );
    assert_eq!(at1.get(&direct), Some(&vec!["user".to_string()]), "{at1:?}");
    let at2 = roles_at(t2).await;
    assert_eq!(at2.get(&sub), None, "{at2:?}");
    assert_eq!(at2.get(&direct), Some(&vec!["user".to_string()]));
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.finish().await;
}

on_both_engines!(roles_bound_with_auth_sub_are_answered_as_of_an_instant);
