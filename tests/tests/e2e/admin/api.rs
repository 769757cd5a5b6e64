//! The native admin API (`/admin/v1`): applications and tenant settings, end to end.

use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const APPS: &str = "/admin/v1/applications";
const SETTINGS: &str = "/admin/v1/tenant/settings";

fn form(client_id: &str, client_secret: &str) -> String {
    format!("grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}")
}

async fn applications_are_registered_configured_rotated_and_switched_over_http(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    let listed = c.get(APPS, &t).await;
    assert_eq!(
        listed.assert_status(200).as_array().unwrap().len(),
        1,
        "the bootstrap application"
    );
    assert!(!listed.text.contains("secret"));

    let created = c
        .post(APPS, &t, json!({"name": "Portal", "protocols": {"redirect_uris": ["https://portal.example.com/cb"], "cas_services": ["https://portal.example.com/cas"], "redirect_uri_match": "domain", "grant_types": ["authorization_code", "refresh_token"], "refresh_token_lifetime_secs": 604800}}))
        .await;
    let body = created.assert_status(201).clone();
    let (app_id, client_id, secret) = (
        body["application_id"].as_str().unwrap().to_string(),
        body["client_id"].as_str().unwrap().to_string(),
        body["client_secret"].as_str().unwrap().to_string(),
    );
    assert_eq!(
        c.token_reply(&form(&client_id, &secret), None).await.body["error"],
        "unauthorized_client"
    );
    let configured = c
        .send(
            Method::PATCH,
            &format!("{APPS}/{app_id}"),
            Some(&t),
            Some(&json!({"api_product": true, "app_roles": true})),
            &[],
        )
        .await;
    let view = configured.assert_status(200);
    assert_eq!(
        (
            view["api_product"].as_bool(),
            view["app_roles"].as_bool(),
            view["app_orgs"].as_bool()
        ),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(
        view["protocols"]["redirect_uris"],
        json!(["https://portal.example.com/cb"]),
        "unmentioned settings stay"
    );
    assert_eq!(view["protocols"]["redirect_uri_match"], "domain");
    assert_eq!(view["protocols"]["refresh_token_lifetime_secs"], 604800);
    let bad_grant = c
        .post(
            APPS,
            &t,
            json!({"name": "x", "protocols": {"grant_types": ["password"]}}),
        )
        .await;
    assert_eq!(
        (bad_grant.status.as_u16(), bad_grant.body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    c.token(&client_id, &secret, None).await;

    let rotated = c
        .post(&format!("{APPS}/{app_id}/rotate-secret"), &t, json!({}))
        .await;
    let new_secret = rotated.assert_status(200)["client_secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.token_reply(&form(&client_id, &secret), None).await.body["error"],
        "invalid_client"
    );
    c.token(&client_id, &new_secret, None).await;

    c.post(&format!("{APPS}/{app_id}/disable"), &t, json!({}))
        .await
        .assert_status(200);
    assert_eq!(
        c.token_reply(&form(&client_id, &new_secret), None)
            .await
            .body["error"],
        "unauthorized_client"
    );
    let enabled = c
        .post(&format!("{APPS}/{app_id}/enable"), &t, json!({}))
        .await;
    assert_eq!(enabled.assert_status(200)["enabled"], true);
    c.token(&client_id, &new_secret, None).await;

    // The account model decides which extension attributes accounts may carry (APP_ACCOUNT.0007).
    let modelled = c
        .send(
            Method::PATCH,
            &format!("{APPS}/{app_id}"),
            Some(&t),
            Some(&json!({"account_extensions": ["age"]})),
            &[],
        )
        .await;
    assert_eq!(
        modelled.assert_status(200)["account_extensions"],
        json!(["age"])
    );
    let holder = c
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "model", "mobile": "13700000002"}),
        )
        .await;
    let holder_id = holder.body["user_id"].as_str().unwrap().to_string();
    let accounts = format!("/api/v2/tenant/applications/{app_id}/accounts");
    c.post(
        &format!("{accounts}/basic-account"),
        &t,
        json!({"user_id": holder_id, "extension": {"height": "180"}}),
    )
    .await
    .assert_error("APP_ACCOUNT.0007");
    let with_age = c
        .post(
            &format!("{accounts}/basic-account"),
            &t,
            json!({"user_id": holder_id, "extension": {"age": "18"}}),
        )
        .await;
    let with_age_id = with_age.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.get(&format!("{accounts}/{with_age_id}"), &t).await.body["extension"],
        json!({"age": "18"})
    );
    c.delete(&format!("{accounts}/{with_age_id}"), &t)
        .await
        .assert_status(204);
    assert_eq!(
        c.send(
            Method::PATCH,
            &format!("{APPS}/{app_id}"),
            Some(&t),
            Some(&json!({"account_extensions": ["bad name"]})),
            &[]
        )
        .await
        .status
        .as_u16(),
        400
    );
    // An application with accounts cannot be deleted; without, it can, and its client id is free.
    let user = c
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "acc", "mobile": "13700000001"}),
        )
        .await;
    let user_id = user.body["user_id"].as_str().unwrap().to_string();
    let account = c
        .post(
            &format!("/api/v2/tenant/applications/{app_id}/accounts/basic-account"),
            &t,
            json!({"user_id": user_id}),
        )
        .await;
    let account_id = account.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.delete(&format!("{APPS}/{app_id}"), &t)
            .await
            .status
            .as_u16(),
        409
    );
    c.delete(
        &format!("/api/v2/tenant/applications/{app_id}/accounts/{account_id}"),
        &t,
    )
    .await
    .assert_status(204);
    assert_eq!(
        c.delete(&format!("{APPS}/{app_id}"), &t)
            .await
            .status
            .as_u16(),
        204
    );
    assert_eq!(
        c.get(&format!("{APPS}/{app_id}"), &t).await.status.as_u16(),
        404
    );
    assert_eq!(
        c.token_reply(&form(&client_id, &new_secret), None)
            .await
            .body["error"],
        "invalid_client"
    );
    // The tenant's last management application cannot lock the tenant out.
    let only = server.credentials.application_id.clone();
    for (method, path, body) in [
        (Method::POST, format!("{APPS}/{only}/disable"), json!({})),
        (
            Method::PATCH,
            format!("{APPS}/{only}"),
            json!({"api_product": false}),
        ),
        (Method::DELETE, format!("{APPS}/{only}"), json!({})),
    ] {
        let reply = c.send(method, &path, Some(&t), Some(&body), &[]).await;
        assert_eq!(
            (reply.status.as_u16(), reply.body["error"].as_str()),
            (409, Some("conflict")),
            "{path}"
        );
    }
    // Bad input and unknown applications.
    let unknown_field = c
        .post(APPS, &t, json!({"name": "x", "colour": "red"}))
        .await;
    assert_eq!(
        (
            unknown_field.status.as_u16(),
            unknown_field.body["error"].as_str()
        ),
        (400, Some("invalid_request"))
    );
    let bad_url = c
        .post(
            APPS,
            &t,
            json!({"name": "x", "protocols": {"redirect_uris": ["javascript:alert(1)"]}}),
        )
        .await;
    assert_eq!(bad_url.status.as_u16(), 400);
    assert_eq!(
        c.post(APPS, &t, json!({})).await.status.as_u16(),
        400,
        "a name is required"
    );
    assert_eq!(
        c.get(&format!("{APPS}/nope"), &t).await.status.as_u16(),
        404
    );
    assert_eq!(
        c.post(&format!("{APPS}/nope/disable"), &t, json!({}))
            .await
            .status
            .as_u16(),
        404
    );
    assert_eq!(
        c.send(Method::GET, APPS, None, None, &[])
            .await
            .status
            .as_u16(),
        401
    );
    // Another tenant sees none of it.
    let other =
        idaas_server::cli::create_tenant(server.store(), "Acme", vec!["acme.test".into()], &[])
            .await
            .unwrap();
    let acme = c
        .token(&other.client_id, &other.client_secret, Some("acme.test"))
        .await;
    let foreign = c
        .send(
            Method::GET,
            &format!("{APPS}/{app_id}"),
            Some(&acme),
            None,
            &[("host", "acme.test")],
        )
        .await;
    assert_eq!(foreign.status.as_u16(), 404);
    server.finish().await;
}

async fn tenant_settings_drive_the_management_api(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    let settings = c.get(SETTINGS, &t).await;
    assert_eq!(
        settings.assert_status(200)["management_token_lifetime_secs"],
        1800
    );
    assert_eq!(settings.body["password_policy"]["min_length"], 8);

    // The change-password example of the reference (12345678) works once the policy allows it.
    let user = c
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "zhangsan", "mobile": "12345678901"}),
        )
        .await;
    let user_id = user.body["user_id"].as_str().unwrap().to_string();
    let reset = format!("/api/v2/tenant/users/{user_id}/change-password");
    c.put(
        &reset,
        &t,
        json!({"password": "12345678", "pwd_must_modify": false}),
    )
    .await
    .assert_error("PWD.0004");
    let mut policy = settings.body["password_policy"].clone();
    policy["min_char_classes"] = json!(1);
    c.put(&format!("{SETTINGS}/password-policy"), &t, policy)
        .await
        .assert_status(200);
    c.put(
        &reset,
        &t,
        json!({"password": "12345678", "pwd_must_modify": false}),
    )
    .await
    .assert_status(200);

    // Attribute rules: email becomes required.
    let mut rules = settings.body["user_attributes"].clone();
    rules["email"] = json!({"required": true, "unique": true});
    c.put(&format!("{SETTINGS}/user-attributes"), &t, rules)
        .await
        .assert_status(200);
    c.post(
        "/api/v2/tenant/users",
        &t,
        json!({"user_name": "lisi", "mobile": "12345678902"}),
    )
    .await
    .assert_error("USER.0011");

    // A pattern narrows an attribute (USER.0050 for employee ids).
    let mut rules = c.get(SETTINGS, &t).await.body["user_attributes"].clone();
    rules["employee_id"] = json!({"required": false, "unique": true, "pattern": "E\\d{3}"});
    c.put(&format!("{SETTINGS}/user-attributes"), &t, rules.clone())
        .await
        .assert_status(200);
    c.post("/api/v2/tenant/users", &t, json!({"user_name": "wangwu", "mobile": "12345678903", "email": "ww@example.com", "employee_id": "X1"})).await.assert_error("USER.0050");
    c.post("/api/v2/tenant/users", &t, json!({"user_name": "wangwu", "mobile": "12345678903", "email": "ww@example.com", "employee_id": "E001"})).await.assert_status(201);
    rules["employee_id"]["pattern"] = json!("(");
    assert_eq!(
        c.put(&format!("{SETTINGS}/user-attributes"), &t, rules)
            .await
            .status
            .as_u16(),
        400
    );
    // Lockout.
    let locked = c
        .put(
            &format!("{SETTINGS}/lockout"),
            &t,
            json!({"max_failures": 3, "lock_minutes": 10}),
        )
        .await;
    assert_eq!(
        locked.assert_status(200)["lockout"],
        json!({"max_failures": 3, "lock_minutes": 10})
    );
    assert_eq!(
        c.put(
            &format!("{SETTINGS}/lockout"),
            &t,
            json!({"max_failures": 0})
        )
        .await
        .status
        .as_u16(),
        400
    );
    // Token lifetime.
    let changed = c
        .put(
            &format!("{SETTINGS}/management-token-lifetime"),
            &t,
            json!({"seconds": 600}),
        )
        .await;
    assert_eq!(
        changed.assert_status(200)["management_token_lifetime_secs"],
        600
    );
    let reply = c
        .token_reply(
            &form(
                &server.credentials.client_id,
                &server.credentials.client_secret,
            ),
            None,
        )
        .await;
    assert_eq!(reply.body["expires_in"], 600);
    let bad: Value = c
        .put(
            &format!("{SETTINGS}/management-token-lifetime"),
            &t,
            json!({"seconds": 5}),
        )
        .await
        .body;
    assert_eq!(bad["error"], "invalid_request");
    for (path, body) in [
        ("password-policy", json!({"min_len": 4})),
        ("lockout", json!({"max_failure": 3})),
        ("user-attributes", json!({"mobile": {"requird": true}})),
    ] {
        let reply = c.put(&format!("{SETTINGS}/{path}"), &t, body).await;
        assert_eq!(
            (reply.status.as_u16(), reply.body["error"].as_str()),
            (400, Some("invalid_request")),
            "{path}"
        );
    }
    let mapped = c
        .post(APPS, &t, json!({"name": "SP", "protocols": {"saml": {"entity_id": "https://sp.example.com", "acs_url": "https://sp.example.com/acs", "attribute_mapping": {"mail": "email"}}}}))
        .await;
    assert_eq!(mapped.status.as_u16(), 201, "{}", mapped.text);
    let misspelt = c
        .post(
            APPS,
            &t,
            json!({"name": "x", "protocols": {"redirect_uri": ["https://x.example.com/cb"]}}),
        )
        .await;
    assert_eq!(misspelt.status.as_u16(), 400);
    let bad_policy = c
        .put(
            &format!("{SETTINGS}/password-policy"),
            &t,
            json!({"min_length": 20, "max_length": 10}),
        )
        .await;
    assert_eq!(bad_policy.status.as_u16(), 400);
    server.finish().await;
}

on_both_engines!(
    applications_are_registered_configured_rotated_and_switched_over_http,
    tenant_settings_drive_the_management_api,
);

async fn roles_carry_privileges_into_the_account_detail(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    let app = c
        .post(APPS, &t, json!({"name": "ERP", "app_roles": true}))
        .await;
    let app_id = app.body["application_id"].as_str().unwrap().to_string();
    let privileges = format!("{APPS}/{app_id}/privileges");
    let defined = c
        .post(
            &privileges,
            &t,
            json!({"code": "demo_privilege", "name": "示例权限", "resource_items": [
                {"code": "demo_item", "name": "示例条目"},
                {"code": "demo_child", "name": "子条目", "parent_code": "demo_item"}
            ]}),
        )
        .await;
    let privilege_id = defined.assert_status(201)["privilege_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.post(
            &privileges,
            &t,
            json!({"code": "demo_privilege", "name": "again"})
        )
        .await
        .status
        .as_u16(),
        409
    );
    assert_eq!(c.post(&privileges, &t, json!({"code": "x", "name": "x", "resource_items": [{"code": "a", "name": "a", "parent_code": "nope"}]})).await.status.as_u16(), 400);
    assert_eq!(
        c.post(&privileges, &t, json!({"code": "bad code", "name": "x"}))
            .await
            .status
            .as_u16(),
        400
    );
    assert_eq!(
        c.get(&privileges, &t).await.body.as_array().unwrap().len(),
        1
    );

    let base = format!("/api/v2/tenant/applications/{app_id}");
    let role_id = c
        .post(
            &format!("{base}/role"),
            &t,
            json!({"code": "admin", "name": "管理员"}),
        )
        .await
        .body["role_id"]
        .as_str()
        .unwrap()
        .to_string();
    let set = format!("{APPS}/{app_id}/roles/{role_id}/privileges");
    assert_eq!(
        c.put(&set, &t, json!({"privilege_ids": ["nope"]}))
            .await
            .status
            .as_u16(),
        400
    );
    assert_eq!(
        c.put(
            &format!("{APPS}/{app_id}/roles/nope/privileges"),
            &t,
            json!({"privilege_ids": []})
        )
        .await
        .status
        .as_u16(),
        404
    );
    c.put(&set, &t, json!({"privilege_ids": [privilege_id]}))
        .await
        .assert_status(200);

    let user_id = c
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "zs", "mobile": "13800000009"}),
        )
        .await
        .body["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let account_id = c
        .post(
            &format!("{base}/accounts/basic-account"),
            &t,
            json!({"user_id": user_id}),
        )
        .await
        .body["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.post(
        &format!("{base}/role-member"),
        &t,
        json!({"role_id": role_id, "account_Ids": [account_id]}),
    )
    .await
    .assert_status(200);
    let detail = c.get(&format!("{base}/accounts/{account_id}"), &t).await;
    let privilege = &detail.assert_status(200)["roles"][0]["privileges"][0];
    assert_eq!(
        (
            privilege["privilege_id"].as_str(),
            privilege["privilege_code"].as_str(),
            privilege["privilege_name"].as_str()
        ),
        (
            Some(privilege_id.as_str()),
            Some("demo_privilege"),
            Some("示例权限")
        )
    );
    let items = privilege["resource_items"].as_array().unwrap();
    let keys: Vec<&str> = items[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["item_id", "item_code", "item_name", "item_parentid"]);
    assert_eq!(items[0]["item_parentid"], Value::Null);
    assert_eq!(items[1]["item_parentid"], items[0]["item_id"]);

    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(roles_carry_privileges_into_the_account_detail);

async fn the_operator_lists_and_creates_tenants(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    let created = c
        .post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Acme", "domains": ["acme.test"]}),
        )
        .await;
    let acme = created.assert_status(201).clone();
    let acme_token = c
        .token(
            acme["client_id"].as_str().unwrap(),
            acme["client_secret"].as_str().unwrap(),
            Some("acme.test"),
        )
        .await;
    let listed = c.get("/admin/v1/tenants", &t).await;
    let tenants = listed.assert_status(200).as_array().unwrap().clone();
    assert_eq!(tenants.len(), 2);
    assert_eq!(tenants[1]["domains"], json!(["acme.test"]));
    assert_eq!(
        c.post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Again", "domains": ["acme.test"]})
        )
        .await
        .status
        .as_u16(),
        409
    );
    assert_eq!(
        c.post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Bad", "domains": ["bad host"]})
        )
        .await
        .status
        .as_u16(),
        400
    );
    let nowhere = c
        .post("/admin/v1/tenants", &t, json!({"name": "Nowhere"}))
        .await;
    assert_eq!(nowhere.status.as_u16(), 400);
    // Another tenant's administrators do not manage tenants.
    let forbidden = c
        .send(
            Method::GET,
            "/admin/v1/tenants",
            Some(&acme_token),
            None,
            &[("host", "acme.test")],
        )
        .await;
    assert_eq!(
        (forbidden.status.as_u16(), forbidden.body["error"].as_str()),
        (403, Some("forbidden"))
    );
    server.finish().await;
}

async fn host_names_are_unique_claims_and_the_default_tenants_public_host_is_reserved(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    // The default tenant's public host (here the listening address) cannot be claimed.
    let public_host = server.server.as_ref().unwrap().addr.ip().to_string();
    let taken = c
        .post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Hijack", "domains": [public_host]}),
        )
        .await;
    assert_eq!(taken.assert_status(409)["error"], "conflict");
    let acme = c
        .post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Acme", "domains": ["acme.test"]}),
        )
        .await;
    let acme_id = acme.assert_status(201)["tenant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let beta = c
        .post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Beta", "domains": ["beta.test"]}),
        )
        .await;
    let beta_id = beta.assert_status(201)["tenant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let domains = |id: &str| format!("/admin/v1/tenants/{id}/domains");
    let added = c
        .post(&domains(&acme_id), &t, json!({"domain": "WWW.Acme.test"}))
        .await;
    assert_eq!(
        added.assert_status(200)["domains"],
        json!(["acme.test", "www.acme.test"])
    );
    // Held by Acme: Beta cannot have it, nor the public host.
    let held = c
        .post(&domains(&beta_id), &t, json!({"domain": "www.acme.test"}))
        .await;
    assert_eq!(held.assert_status(409)["error"], "conflict");
    let reserved = c
        .post(&domains(&beta_id), &t, json!({"domain": public_host}))
        .await;
    reserved.assert_status(409);
    // Given up, it can move; a tenant keeps its last host name.
    let removed = c
        .delete(&format!("{}/www.acme.test", domains(&acme_id)), &t)
        .await;
    assert_eq!(removed.assert_status(200)["domains"], json!(["acme.test"]));
    c.post(&domains(&beta_id), &t, json!({"domain": "www.acme.test"}))
        .await
        .assert_status(200);
    let last = c
        .delete(&format!("{}/acme.test", domains(&acme_id)), &t)
        .await;
    last.assert_status(409);
    let unknown = c
        .delete(&format!("{}/nope.test", domains(&acme_id)), &t)
        .await;
    unknown.assert_status(404);
    let listed = c.get(&domains(&beta_id), &t).await;
    assert_eq!(
        listed.assert_status(200)["domains"],
        json!(["beta.test", "www.acme.test"])
    );
    c.get(&domains("nobody"), &t).await.assert_status(404);
    // Requests for the moved host name now reach Beta: its credential works there.
    let beta_creds = beta.body.clone();
    let beta_token = c
        .token(
            beta_creds["client_id"].as_str().unwrap(),
            beta_creds["client_secret"].as_str().unwrap(),
            Some("www.acme.test"),
        )
        .await;
    assert!(!beta_token.is_empty());
    // The command line does the same, recorded with its own actor.
    let store = server.store();
    let cli = idaas_server::cli::change_domain(store, &acme_id, "api.acme.test", Some(&[]))
        .await
        .unwrap();
    assert_eq!(cli, ["acme.test", "api.acme.test"]);
    let refused = idaas_server::cli::change_domain(store, &acme_id, "beta.test", Some(&[])).await;
    assert!(refused.is_err());
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    the_operator_lists_and_creates_tenants,
    host_names_are_unique_claims_and_the_default_tenants_public_host_is_reserved,
);
