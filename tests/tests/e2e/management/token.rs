//! The management credential (specs/oneaccess.md §1.3, §2.1 #1) and the bearer check on every
//! other endpoint, including tenant isolation.

use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;

async fn a_token_is_issued_for_client_credentials_and_older_tokens_stay_valid(engine: Engine) {
    let server = TestServer::start(engine).await;
    let c = &server.credentials;
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        c.client_id, c.client_secret
    );
    let first = server.client.token_reply(&form, None).await;
    let body = first.assert_status(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["scope"], "all");
    let first_token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(first_token.len(), 36, "a UUID-shaped opaque token");
    // The documented id_token (§2.1 #1): signed by the tenant's key, naming the client.
    let id_token = body["id_token"].as_str().expect("an id_token");
    assert!(idaas_tests::sdk::verifies(&server, id_token).await);
    let claims = idaas_tests::sdk::claims(id_token);
    assert_eq!(claims["sub"], c.client_id.as_str());
    assert_eq!(claims["aud"], c.client_id.as_str());
    let second_token = server.token().await;
    assert_ne!(first_token, second_token);
    // HTTP Basic client authentication (RFC 6749 §2.3.1) works too; both at once does not.
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", c.client_id, c.client_secret));
    let addr = server.server.as_ref().unwrap().addr;
    let post = |form: &'static str| {
        reqwest::Client::new()
            .post(format!("http://{addr}/api/v2/tenant/token"))
            .header("authorization", format!("Basic {basic}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    let by_basic = post("grant_type=client_credentials").await.unwrap();
    assert_eq!(by_basic.status(), 200);
    let by_basic: serde_json::Value = by_basic.json().await.unwrap();
    assert!(by_basic["id_token"].is_string() && by_basic["access_token"].is_string());
    let both = post("grant_type=client_credentials&client_secret=x")
        .await
        .unwrap();
    assert_eq!(both.status(), 400);
    for token in [&first_token, &second_token] {
        server
            .client
            .get("/api/v2/tenant/users?offset=0&limit=10", token)
            .await
            .assert_status(200);
    }
    server.finish().await;
}

async fn bad_token_requests_get_oauth_errors(engine: Engine) {
    let server = TestServer::start(engine).await;
    let c = &server.credentials;
    let cases = [
        (
            format!(
                "client_id={}&client_secret={}",
                c.client_id, c.client_secret
            ),
            "invalid_request",
        ),
        (
            format!(
                "grant_type=password&client_id={}&client_secret={}",
                c.client_id, c.client_secret
            ),
            "unsupported_grant_type",
        ),
        (
            "grant_type=client_credentials".to_string(),
            "invalid_request",
        ),
        (
            format!(
                "grant_type=client_credentials&client_id={}&client_secret=wrong",
                c.client_id
            ),
            "invalid_client",
        ),
        (
            "grant_type=client_credentials&client_id=nobody&client_secret=x".to_string(),
            "invalid_client",
        ),
        ("%%%not a form".to_string(), "invalid_request"),
        (
            format!(
                "grant_type=client_credentials&client_id=a%00b&client_secret={}",
                c.client_secret
            ),
            "invalid_request",
        ),
    ];
    for (form, error) in cases {
        let reply = server.client.token_reply(&form, None).await;
        reply.assert_status(400);
        assert_eq!(reply.body["error"], error, "{form}");
        assert!(reply.body["error_description"].is_string());
    }
    server.finish().await;
}

async fn management_endpoints_need_a_valid_bearer_token(engine: Engine) {
    let server = TestServer::start(engine).await;
    let missing = server
        .client
        .send(
            Method::GET,
            "/api/v2/tenant/users?offset=0&limit=10",
            None,
            None,
            &[],
        )
        .await;
    missing.assert_status(401);
    assert_eq!(missing.body["error"], "unauthorized");
    for token in ["", "not-a-token", "334963fc-1e4a-473b-9096-52a929140000"] {
        let reply = server
            .client
            .send(
                Method::GET,
                "/api/v2/tenant/organizations?offset=0&limit=10",
                None,
                None,
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await;
        reply.assert_status(401);
    }
    let basic = server
        .client
        .send(
            Method::GET,
            "/api/v2/tenant/users",
            None,
            None,
            &[("authorization", "Basic abc")],
        )
        .await;
    basic.assert_status(401);
    server.finish().await;
}

async fn a_token_of_one_tenant_is_rejected_by_every_other_tenant(engine: Engine) {
    let server = TestServer::start(engine).await;
    let other =
        idaas_server::cli::create_tenant(server.store(), "Acme", vec!["acme.test".into()], &[])
            .await
            .expect("tenant created");
    // The other tenant's credential works on its own host name only.
    let acme_token = server
        .client
        .token(&other.client_id, &other.client_secret, Some("acme.test"))
        .await;
    let wrong_host = server
        .client
        .token_reply(
            &format!(
                "grant_type=client_credentials&client_id={}&client_secret={}",
                other.client_id, other.client_secret
            ),
            None,
        )
        .await;
    assert_eq!(wrong_host.body["error"], "invalid_client");
    let default_token = server.token().await;
    let on_acme = |token: String| {
        let client = server.client.clone();
        async move {
            client
                .send(
                    Method::GET,
                    "/api/v2/tenant/users?offset=0&limit=10",
                    Some(&token),
                    None,
                    &[("host", "acme.test")],
                )
                .await
        }
    };
    on_acme(acme_token.clone()).await.assert_status(200);
    on_acme(default_token.clone()).await.assert_status(401);
    server
        .client
        .get("/api/v2/tenant/users?offset=0&limit=10", &acme_token)
        .await
        .assert_status(401);
    // Data stays in its tenant.
    let created = server
        .client
        .send(
            Method::POST,
            "/api/v2/tenant/users",
            Some(&acme_token),
            Some(&serde_json::json!({"user_name": "acme_user", "mobile": "13800000001"})),
            &[("host", "acme.test")],
        )
        .await;
    created.assert_status(201);
    let default_list = server
        .client
        .get("/api/v2/tenant/users?offset=0&limit=10", &default_token)
        .await;
    assert_eq!(default_list.body["total"], 0);
    server.finish().await;
}

async fn bad_fixed_bootstrap_credentials_write_nothing_and_a_corrected_start_recovers(
    engine: Engine,
) {
    let database = idaas_tests::TestDatabase::create(engine).await;
    let mut config = database.config();
    config.bootstrap_client_id = Some("not a client id".into());
    config.bootstrap_client_secret = Some("a-long-enough-secret".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let refused = idaas_server::start(config.clone(), listener).await;
    assert!(refused.is_err(), "a client id with spaces is refused");
    config.bootstrap_client_id = Some("bootstrap-admin".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = idaas_server::start(config, listener).await.expect("starts");
    let credentials = server
        .bootstrap
        .clone()
        .expect("the default tenant gets its credential");
    assert_eq!(credentials.client_id, "bootstrap-admin");
    let client = idaas_tests::Client::new(server.addr);
    client
        .token("bootstrap-admin", "a-long-enough-secret", None)
        .await;
    let pool = server.store.database().pool.clone();
    let (tenants,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proj_tenants")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tenants, 1);
    server.stop().await.unwrap();
    pool.close().await;
    database.drop_database().await;
}

async fn a_server_refuses_to_start_with_another_master_key(engine: Engine) {
    let mut server = TestServer::start(engine).await;
    if let Some(running) = server.server.take() {
        running.stop().await.unwrap();
    }
    let mut config = server.config.clone();
    config.master_key = Some(store::Keys::generate_master().into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = idaas_server::start(config, listener)
        .await
        .err()
        .expect("refused");
    assert!(
        format!("{error:#}").contains("master key does not match"),
        "{error:#}"
    );
    server.restart().await;
    let t = server.token().await;
    // A store from before the fingerprint: the key must still open the data keys.
    server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            serde_json::json!({"user_name": "sealed", "mobile": "13300000000"}),
        )
        .await
        .assert_status(201);
    let running = server.server.take().unwrap();
    sqlx::query("DELETE FROM store_settings")
        .execute(&running.store.database().pool)
        .await
        .unwrap();
    running.stop().await.unwrap();
    let mut wrong = server.config.clone();
    wrong.master_key = Some(store::Keys::generate_master().into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = idaas_server::start(wrong, listener)
        .await
        .err()
        .expect("refused");
    assert!(
        format!("{error:#}").contains("cannot open its data keys"),
        "{error:#}"
    );
    server.restart().await;
    server.token().await;
    server.finish().await;
}

async fn concurrent_first_starts_create_one_management_application(engine: Engine) {
    let database = idaas_tests::TestDatabase::create(engine).await;
    let config = database.config();
    // An interrupted first start: the default tenant exists, its application does not.
    let store = idaas_server::open_store(&config).await.unwrap();
    let bus = store::CommandBus::new(store.clone());
    let ctx = store::Context {
        tenant_id: "default".into(),
        metadata: Default::default(),
    };
    let create = domain::tenant::TenantCommand::Create {
        tenant_id: "default".into(),
        name: "Default".into(),
        domains: vec![],
        now: 1,
    };
    use domain::Aggregate;
    bus.execute::<domain::tenant::Tenant, _>(&ctx, "default", |t| t.decide(create.clone(), &()))
        .await
        .unwrap();
    store.database().pool.close().await;
    let start = || {
        let config = config.clone();
        async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            idaas_server::start(config, listener).await.unwrap()
        }
    };
    let (a, b) = tokio::join!(start(), start());
    let issued = [&a, &b].iter().filter(|s| s.bootstrap.is_some()).count();
    assert_eq!(issued, 1, "exactly one start prints a credential");
    let pool = a.store.database().pool.clone();
    let (apps,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proj_applications")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(apps, 1);
    a.stop().await.unwrap();
    let pool_b = b.store.database().pool.clone();
    b.stop().await.unwrap();
    // Once bootstrapped, fixed credentials are not checked again.
    let mut later = config.clone();
    later.bootstrap_client_secret = Some("short".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let again = idaas_server::start(later, listener).await.expect("starts");
    assert!(again.bootstrap.is_none());
    let pool_c = again.store.database().pool.clone();
    again.stop().await.unwrap();
    for p in [pool, pool_b, pool_c] {
        p.close().await;
    }
    database.drop_database().await;
}

on_both_engines!(
    a_server_refuses_to_start_with_another_master_key,
    concurrent_first_starts_create_one_management_application,
    bad_fixed_bootstrap_credentials_write_nothing_and_a_corrected_start_recovers,
    a_token_is_issued_for_client_credentials_and_older_tokens_stay_valid,
    bad_token_requests_get_oauth_errors,
    management_endpoints_need_a_valid_bearer_token,
    a_token_of_one_tenant_is_rejected_by_every_other_tenant,
);
