//! Interoperability with an independent relying party: the Rust `openidconnect` crate, configured
//! only with the discovery URL and the credentials from the admin API, does discovery →
//! authorization code + PKCE → token → id_token verification (signature from JWKS, nonce,
//! audience, issuer) → userinfo → refresh.

use idaas_tests::sso::{self, Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use openidconnect::core::{
    CoreClient, CoreIdTokenVerifier, CoreProviderMetadata, CoreResponseType, CoreUserInfoClaims,
};
use openidconnect::reqwest;
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use serde_json::json;

const REDIRECT: &str = "https://rp.example.com/callback";

async fn the_openidconnect_crate_signs_a_user_in_and_refreshes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app = sso::register(
        &server,
        &t,
        "Stock RP",
        json!({"redirect_uris": [REDIRECT], "refresh_token_lifetime_secs": 3600, "require_pkce": true}),
    )
    .await;
    let user_id = sso::user(&server, &t, "oidcuser", "13900000001").await;
    sso::account(&server, &t, &app, &user_id, "oidcuser").await;

    let http = reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let issuer = IssuerUrl::new(format!("{}/api/v1/oauth2", server.client.base)).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(app.client_id.clone()),
        Some(ClientSecret::new(app.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.to_string()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    let browser = Browser::new(&server);
    let landed = browser.authorize(url.as_str(), "oidcuser", PASSWORD).await;
    let location = landed.location.clone().expect("redirect to the client");
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(
        landed.param("state").as_deref(),
        Some(csrf.secret().as_str())
    );
    let code = landed.param("code").expect("code");

    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange");
    let verifier: CoreIdTokenVerifier = client.id_token_verifier();
    let id_token = tokens.id_token().expect("id_token");
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("id_token verifies");
    assert_eq!(claims.subject().as_str(), user_id);
    assert_eq!(
        claims.preferred_username().map(|u| u.as_str()),
        Some("oidcuser")
    );
    assert!(claims.auth_time().is_some());

    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject().as_str(), user_id);
    assert_eq!(
        info.email().map(|e| e.as_str()),
        Some("oidcuser@example.com")
    );

    let refresh = tokens.refresh_token().expect("refresh token").clone();
    let refreshed = client
        .exchange_refresh_token(&refresh)
        .unwrap()
        .request_async(&http)
        .await
        .expect("refresh");
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        refresh.secret(),
        "refresh tokens rotate"
    );
    let renewed_id = refreshed.id_token().expect("a new id_token on refresh");
    let renewed = renewed_id
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .expect("refreshed id_token verifies");
    assert_eq!(renewed.subject().as_str(), user_id);

    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(the_openidconnect_crate_signs_a_user_in_and_refreshes);
