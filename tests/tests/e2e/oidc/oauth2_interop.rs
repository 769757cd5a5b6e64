//! A plain OAuth 2.0 client (the Rust `oauth2` crate), configured only from the discovery document
//! and its credentials, with OneAccess's `get_user_info` scope and `client_secret_post`:
//! authorization code + PKCE → token → the documented userinfo fields → refresh.

use idaas_tests::sso::{self, Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use serde_json::{json, Value};

const REDIRECT: &str = "https://erp.example.com/oauth/callback";

async fn a_plain_oauth2_client_signs_a_user_in_with_get_user_info(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app = sso::register(
        &server,
        &t,
        "Plain OAuth",
        json!({"redirect_uris": [REDIRECT], "refresh_token_lifetime_secs": 600}),
    )
    .await;
    let user_id = sso::user(&server, &t, "plainuser", "13900000021").await;
    sso::account(&server, &t, &app, &user_id, "plainuser").await;

    let http = reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let discovery: Value = http
        .get(format!(
            "{}/api/v1/oauth2/.well-known/openid-configuration",
            server.client.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let endpoint = |name: &str| discovery[name].as_str().unwrap().to_string();
    let client = BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_client_secret(ClientSecret::new(app.client_secret.clone()))
        .set_auth_uri(AuthUrl::new(endpoint("authorization_endpoint")).unwrap())
        .set_token_uri(TokenUrl::new(endpoint("token_endpoint")).unwrap())
        .set_auth_type(AuthType::RequestBody)
        .set_redirect_uri(RedirectUrl::new(REDIRECT.to_string()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("get_user_info".into()))
        .set_pkce_challenge(challenge)
        .url();
    let landed = Browser::new(&server)
        .authorize(url.as_str(), "plainuser", PASSWORD)
        .await;
    assert_eq!(
        landed.param("state").as_deref(),
        Some(csrf.secret().as_str())
    );
    let code = landed.param("code").expect("code");
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange");
    assert_eq!(
        tokens.scopes().map(|s| s[0].to_string()).as_deref(),
        Some("get_user_info")
    );

    let info: Value = http
        .get(endpoint("userinfo_endpoint"))
        .bearer_auth(tokens.access_token().secret())
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["id"], json!(user_id));
    assert_eq!(info["userName"], "plainuser");
    assert_eq!(info["name"], "plainuser name");
    assert_eq!(info["email"], "plainuser@example.com");
    assert_eq!(info["mobile"], "13900000021");

    let introspect = |token: String| {
        let http = http.clone();
        let url = endpoint("introspection_endpoint");
        let form = [
            ("token", token),
            ("client_id", app.client_id.clone()),
            ("client_secret", app.client_secret.clone()),
        ];
        async move {
            let reply = http.post(url).form(&form).send().await.unwrap();
            reply.json::<Value>().await.unwrap()
        }
    };
    let first_refresh = tokens.refresh_token().expect("refresh token").clone();
    let state = introspect(first_refresh.secret().clone()).await;
    assert_eq!(state["active"], true, "{state}");
    assert_eq!(state["token_type"], "refresh_token");
    assert_eq!(state["sub"], json!(user_id));

    let refreshed = client
        .exchange_refresh_token(&first_refresh)
        .request_async(&http)
        .await
        .expect("refresh");
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    let state = introspect(first_refresh.secret().clone()).await;
    assert_eq!(
        state,
        json!({"active": false}),
        "a rotated refresh token is inactive"
    );
    server.finish().await;
}

on_both_engines!(a_plain_oauth2_client_signs_a_user_in_with_get_user_info);
