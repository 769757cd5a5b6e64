//! Interoperability with an independent relying party in another language: Python Authlib
//! (`tests/python/oidc_authlib.py`), configured only with the base URL and the credentials from
//! the admin API, does discovery → authorization code + PKCE S256 → token → id_token verification
//! against the JWKS (signature, iss, aud, nonce, exp, at_hash) → userinfo → introspection
//! (RFC 7662) → refresh with rotation → revocation (RFC 7009), once authenticating with
//! `client_secret_basic` and RS256, once with `client_secret_post` and ES256 (RFC 6749 §2.3.1).
//!
//! Needs `IDAAS_TEST_PYTHON` (set by `.ci/run`); without it the test says it is skipped.

use idaas_tests::sso::{self, PASSWORD};
use idaas_tests::{on_both_engines, python, Engine, TestServer};
use serde_json::{json, Value};

const REDIRECT: &str = "https://authlib-rp.example.com/callback";

async fn authlib_signs_a_user_in_refreshes_and_revokes_with_either_client_authentication(
    engine: Engine,
) {
    let Some(interpreter) = python::interpreter() else {
        return;
    };
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let user_id = sso::user(&server, &t, "authlibuser", "13900000002").await;
    let issuer = format!("{}/api/v1/oauth2", server.client.base);

    // One client signs with RS256 and authenticates with HTTP Basic, the other ES256 and the form.
    for (alg, method) in [
        ("RS256", "client_secret_basic"),
        ("ES256", "client_secret_post"),
    ] {
        let app = sso::register(
            &server,
            &t,
            &format!("Authlib RP {alg}"),
            json!({"redirect_uris": [REDIRECT], "refresh_token_lifetime_secs": 3600,
                   "require_pkce": true, "id_token_signing_alg": alg}),
        )
        .await;
        sso::account(&server, &t, &app, &user_id, "authlibuser").await;
        let summary = python::run_json(
            &interpreter,
            "oidc_authlib.py",
            &[
                "--base",
                &server.client.base,
                "--client-id",
                &app.client_id,
                "--client-secret",
                &app.client_secret,
                "--redirect-uri",
                REDIRECT,
                "--username",
                "authlibuser",
                "--password",
                PASSWORD,
                "--auth-method",
                method,
            ],
        )
        .await;
        // Shown when an assertion below fails.
        eprintln!("{alg} {method}: {summary}");
        let field = |pointer: &str| summary.pointer(pointer).cloned().unwrap_or(Value::Null);

        assert_eq!(field("/auth_method"), json!(method));
        assert_eq!(field("/client_authentication_seen"), json!([method]));
        assert_eq!(field("/callback_state_matches"), json!(true));

        assert_eq!(field("/id_token/alg"), json!(alg));
        assert_eq!(field("/id_token/sub"), json!(user_id));
        assert_eq!(field("/id_token/iss"), json!(issuer));
        assert_eq!(field("/id_token/aud"), json!(app.client_id));
        assert_eq!(field("/id_token/nonce_matches"), json!(true));
        assert_eq!(field("/id_token/exp_after_now"), json!(true));
        assert_eq!(field("/id_token/preferred_username"), json!("authlibuser"));
        assert!(field("/id_token/auth_time").is_i64());
        for refusal in [
            "wrong_nonce_rejected",
            "wrong_audience_rejected",
            "tampered_signature_rejected",
        ] {
            assert_eq!(
                field(&format!("/id_token/{refusal}")),
                json!(true),
                "{refusal}"
            );
        }

        assert_eq!(field("/userinfo/sub"), json!(user_id));
        assert_eq!(field("/userinfo/userName"), json!("authlibuser"));
        assert_eq!(field("/userinfo/email"), json!("authlibuser@example.com"));

        assert_eq!(field("/introspection/active"), json!(true));
        assert_eq!(field("/introspection/sub"), json!(user_id));
        assert_eq!(field("/introspection/client_id"), json!(app.client_id));
        assert_eq!(field("/introspection/username"), json!("authlibuser"));

        assert_eq!(
            field("/refresh/rotated"),
            json!(true),
            "refresh tokens rotate"
        );
        assert_eq!(field("/refresh/new_access_token"), json!(true));
        assert_eq!(field("/refresh/sub"), json!(user_id));

        assert_eq!(
            field("/revocation/access_token_active"),
            json!(false),
            "a revoked access token introspects inactive"
        );
        assert_eq!(field("/revocation/userinfo_status"), json!(401));
        assert_eq!(
            field("/revocation/refresh_after_revocation"),
            json!("invalid_grant")
        );
        assert_eq!(
            field("/revocation/rotated_out_refresh"),
            json!("invalid_grant")
        );
    }

    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(authlib_signs_a_user_in_refreshes_and_revokes_with_either_client_authentication);
