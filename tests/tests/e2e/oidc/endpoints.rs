//! The provider's other endpoints: OIDC discovery at both documented addresses (#54), the JWK Set
//! with signatures checked independently (the `jsonwebtoken` crate, RS256 and ES256), token
//! introspection (RFC 7662), revocation (RFC 7009), the client-credentials grant (RFC 6749 §4.4)
//! and the token endpoint's tolerance of form bodies labelled JSON and of JSON bodies (§2.7).

use idaas_tests::oauth::{self, Call, TOKEN};
use idaas_tests::sso::{self, Browser};
use idaas_tests::{on_both_engines, Engine, TestServer};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CB: &str = "https://reports.example.com/cb";

/// Verifies a JWT's signature with the key its `kid` names in the JWKS, and its issuer, audience
/// and expiry, as an independent relying party would; its claims.
fn verified(jwks: &JwkSet, jwt: &str, algorithm: Algorithm, issuer: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).expect("a JOSE header");
    assert_eq!(header.alg, algorithm);
    let kid = header.kid.expect("a kid");
    let jwk = jwks.find(&kid).expect("the kid is published");
    let key = DecodingKey::from_jwk(jwk).expect("a usable JWK");
    let mut validation = Validation::new(algorithm);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .expect("the signature verifies")
        .claims
}

async fn discovery_and_jwks_describe_the_provider_and_es256_clients_get_es256_tokens(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let base = server.client.base.clone();
    let issuer = format!("{base}/api/v1/oauth2");
    let documented = oauth::call(
        &server,
        Method::GET,
        "/api/v1/oauth2/.well-known/openid-configuration",
        Call::default(),
    )
    .await;
    let document = documented.ok().clone();
    let root = oauth::call(
        &server,
        Method::GET,
        "/.well-known/openid-configuration",
        Call::default(),
    )
    .await;
    assert_eq!(root.ok(), &document, "the same document at the root");
    assert_eq!(document["issuer"], json!(issuer));
    for (field, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("introspection_endpoint", "/introspect"),
        ("revocation_endpoint", "/revoke"),
        ("end_session_endpoint", "/logout"),
    ] {
        assert_eq!(document[field], json!(format!("{issuer}{path}")), "{field}");
    }
    for (field, value) in [
        ("response_types_supported", "id_token token"),
        ("scopes_supported", "get_user_info"),
        (
            "token_endpoint_auth_methods_supported",
            "client_secret_basic",
        ),
        ("id_token_signing_alg_values_supported", "ES256"),
        ("code_challenge_methods_supported", "S256"),
    ] {
        assert!(
            document[field].as_array().unwrap().contains(&json!(value)),
            "{field}"
        );
    }

    let jwks_answer =
        oauth::call(&server, Method::GET, "/api/v1/oauth2/jwks", Call::default()).await;
    let keys = jwks_answer.ok()["keys"].as_array().unwrap().clone();
    let of = |alg: &str| keys.iter().find(|k| k["alg"] == alg).cloned().expect(alg);
    let (rsa, ec) = (of("RS256"), of("ES256"));
    assert_eq!(
        (rsa["kty"].as_str(), ec["kty"].as_str(), ec["crv"].as_str()),
        (Some("RSA"), Some("EC"), Some("P-256"))
    );
    assert!(rsa["kid"].is_string() && ec["kid"].is_string() && rsa["kid"] != ec["kid"]);
    assert!(
        keys.iter().all(|k| k.get("d").is_none()),
        "no private parts"
    );
    let jwks: JwkSet = serde_json::from_value(jwks_answer.body.clone()).expect("a JWK Set");

    let mut apps = Vec::new();
    for (name, alg, mobile) in [
        ("Rsa", "RS256", "13700000001"),
        ("Ec", "ES256", "13700000002"),
    ] {
        let (app, user_id) = oauth::app_with_user(
            &server,
            name,
            json!({"redirect_uris": [CB], "id_token_signing_alg": alg}),
            &name.to_lowercase(),
            mobile,
        )
        .await;
        apps.push((app, user_id, alg, name.to_lowercase()));
    }
    for (app, user_id, alg, user_name) in &apps {
        let algorithm = if *alg == "ES256" {
            Algorithm::ES256
        } else {
            Algorithm::RS256
        };
        let browser = Browser::new(&server);
        let extra = [("scope", "openid"), ("nonce", "n1")];
        let code = oauth::code(&browser, app, CB, &extra, user_name).await;
        let tokens = oauth::exchange(&server, app, &code, CB).await;
        let id = verified(
            &jwks,
            &tokens.str("id_token"),
            algorithm,
            &issuer,
            &app.client_id,
        );
        assert_eq!(
            (id["sub"].as_str(), id["nonce"].as_str()),
            (Some(user_id.as_str()), Some("n1"))
        );
        let access = verified(
            &jwks,
            &tokens.str("access_token"),
            algorithm,
            &issuer,
            &app.client_id,
        );
        assert_eq!(access["sub"], json!(user_id));
    }
    server.finish().await;
}

async fn introspection_and_revocation_answer_only_about_the_clients_own_tokens(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, user_id) = oauth::app_with_user(
        &server,
        "Reports",
        json!({"redirect_uris": [CB], "refresh_token_lifetime_secs": 3600}),
        "chenjiu",
        "13700000003",
    )
    .await;
    let t = server.token().await;
    let other = sso::register(
        &server,
        &t,
        "Robot",
        json!({"grant_types": ["client_credentials"]}),
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "chenjiu").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let (access, refresh) = (tokens.str("access_token"), tokens.str("refresh_token"));

    let about = oauth::introspect(&server, &app, &access).await;
    assert_eq!(about["active"], true);
    assert_eq!(about["client_id"], json!(app.client_id));
    assert_eq!(about["username"], "chenjiu");
    assert_eq!(about["sub"], json!(user_id));
    assert_eq!(about["scope"], "get_user_info");
    assert!(about["exp"].as_i64().unwrap() > about["iat"].as_i64().unwrap());
    // Another client learns nothing about it or its refresh token; nobody about garbage.
    assert_eq!(
        oauth::introspect(&server, &other, &access).await,
        json!({"active": false})
    );
    assert_eq!(
        oauth::introspect(&server, &app, "garbage").await,
        json!({"active": false})
    );
    assert_eq!(
        oauth::introspect(&server, &other, &refresh).await,
        json!({"active": false})
    );
    let about_refresh = oauth::introspect(&server, &app, &refresh).await;
    assert_eq!(about_refresh["active"], true);
    assert_eq!(about_refresh["token_type"], "refresh_token");
    let robot = oauth::token(&server, &other, &[("grant_type", "client_credentials")]).await;
    let robot_token = robot.str("access_token");
    assert!(!oauth::active(&server, &app, &robot_token).await);
    assert!(oauth::active(&server, &other, &robot_token).await);
    // Another client cannot revoke it either.
    oauth::revoke(&server, &other, &access).await.ok();
    assert!(oauth::active(&server, &app, &access).await);

    // An access token is revoked on its own; the grant and its refresh token live on.
    assert_eq!(
        oauth::revoke(&server, &app, &access).await.status,
        StatusCode::OK
    );
    assert!(!oauth::active(&server, &app, &access).await);
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    let renewed = oauth::refresh(&server, &app, &refresh).await;
    let (access2, refresh2) = (renewed.str("access_token"), renewed.str("refresh_token"));
    assert!(oauth::active(&server, &app, &access2).await);
    // A refresh token revokes the whole grant.
    assert_eq!(
        oauth::revoke(&server, &app, &refresh2).await.status,
        StatusCode::OK
    );
    assert!(!oauth::active(&server, &app, &access2).await);
    oauth::refresh(&server, &app, &refresh2)
        .await
        .assert_error(400, "invalid_grant");
    assert_eq!(
        oauth::revoke(&server, &app, &refresh2).await.status,
        StatusCode::OK,
        "twice is fine"
    );
    // Unknown tokens are fine (RFC 7009 §2.2); unauthenticated callers are not.
    assert_eq!(
        oauth::revoke(&server, &app, "no-such-token").await.status,
        StatusCode::OK
    );
    let anonymous = oauth::call(
        &server,
        Method::POST,
        oauth::REVOKE,
        Call {
            form: vec![("token", &access2)],
            ..Default::default()
        },
    )
    .await;
    anonymous.assert_error(400, "invalid_client");
    let recorded = oauth::event_types(&server).await;
    assert!(recorded.iter().any(|e| e == "oauth_grant.token_revoked"));
    assert!(recorded.iter().any(|e| e == "oauth_grant.revoked"));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn client_credentials_are_granted_only_to_clients_registered_for_them(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let robot = sso::register(
        &server,
        &t,
        "Robot",
        json!({"grant_types": ["client_credentials"]}),
    )
    .await;
    let web = sso::register(&server, &t, "Web", json!({"redirect_uris": [CB]})).await;
    let issued = oauth::token(&server, &robot, &[("grant_type", "client_credentials")]).await;
    let body = issued.ok().clone();
    let mut fields: Vec<&String> = body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["access_token", "expires_in", "scope", "token_type"]
    );
    assert_eq!(
        (body["token_type"].as_str(), body["scope"].as_str()),
        (Some("Bearer"), Some("get_user_info"))
    );
    let token = issued.str("access_token");
    let about = oauth::introspect(&server, &robot, &token).await;
    assert_eq!(
        (about["active"].as_bool(), about.get("username")),
        (Some(true), None)
    );
    assert_eq!(
        oauth::userinfo(&server, &token).await.status,
        StatusCode::UNAUTHORIZED,
        "no user behind it"
    );
    let management = server.client.get("/api/v2/tenant/users", &token).await;
    assert_eq!(
        management.status,
        StatusCode::UNAUTHORIZED,
        "no management token either"
    );
    oauth::token(
        &server,
        &robot,
        &[("grant_type", "client_credentials"), ("scope", "openid")],
    )
    .await
    .assert_error(400, "invalid_scope");
    oauth::token(&server, &web, &[("grant_type", "client_credentials")])
        .await
        .assert_error(400, "unauthorized_client");
    server.finish().await;
}

async fn the_token_endpoint_reads_json_labelled_forms_and_json_bodies(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "Tolerant",
        json!({"redirect_uris": [CB]}),
        "qianba",
        "13800000006",
    )
    .await;
    let browser = Browser::new(&server);
    // The walkthrough's request: a form body labelled application/json (spec §2.7).
    let code = oauth::code(&browser, &app, CB, &[], "qianba").await;
    let form = serde_urlencoded::to_string([
        ("code", code.as_str()),
        ("client_id", &app.client_id),
        ("client_secret", &app.client_secret),
        ("redirect_uri", CB),
        ("grant_type", "authorization_code"),
    ])
    .unwrap();
    let labelled = oauth::call(
        &server,
        Method::POST,
        TOKEN,
        Call {
            raw: Some(("application/json", form)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(labelled.ok()["token_type"], "Bearer");
    let code = oauth::code(&browser, &app, CB, &[], "qianba").await;
    let body = json!({"code": code, "client_id": app.client_id, "client_secret": app.client_secret,
        "redirect_uri": CB, "grant_type": "authorization_code"});
    let as_json = oauth::call(
        &server,
        Method::POST,
        TOKEN,
        Call {
            raw: Some(("application/json;charset=UTF-8", body.to_string())),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(as_json.ok()["scope"], "get_user_info");
    server.finish().await;
}

on_both_engines!(
    discovery_and_jwks_describe_the_provider_and_es256_clients_get_es256_tokens,
    introspection_and_revocation_answer_only_about_the_clients_own_tokens,
    client_credentials_are_granted_only_to_clients_registered_for_them,
    the_token_endpoint_reads_json_labelled_forms_and_json_bodies,
);
