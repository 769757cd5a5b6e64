//! The protocol steps the OAuth benchmark times, each as a relying party or a browser performs
//! it over HTTP: a token request (RFC 6749 §4.4 client credentials, §6 refresh), a password
//! sign-in on the hosted login form, and the authorization-code flow with PKCE (RFC 7636, S256)
//! followed by the OIDC userinfo request; and the OneAccess management token (§2.1 #1). The same
//! steps run against the peer of the side-by-side benchmark, at the endpoints of its discovery
//! document.

use anyhow::{bail, Context as _};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use usecases::clock::{IdSource, RandomIds};

use crate::browser::Browser;
use crate::server::{expect_json, ManagementClient, OAuthClient, PASSWORD, REDIRECT_URI};

const SESSION_COOKIE: &str = "idaas_session";
const CSRF_COOKIE: &str = "idaas_csrf";
/// What a typical OIDC relying party asks for: an id token is signed on every code exchange and
/// every refresh, next to the access token.
const SCOPE: &str = "openid profile";

/// Where a server answers the steps, as paths under its base URL.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    pub userinfo: String,
}

impl Endpoints {
    /// idaas's OAuth endpoints.
    pub fn idaas() -> Self {
        Self {
            authorize: "/api/v1/oauth2/authorize".into(),
            token: "/api/v1/oauth2/token".into(),
            userinfo: "/api/v1/oauth2/userinfo".into(),
        }
    }
}

/// The server and the client the steps act as.
pub struct Target {
    pub base: String,
    pub http: reqwest::Client,
    pub client: OAuthClient,
    pub endpoints: Endpoints,
}

/// Tokens from a code exchange.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

fn text(body: &Value, field: &str) -> anyhow::Result<String> {
    body[field]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("{field} in {body}"))
}

/// `POST /api/v2/tenant/token` with `grant_type=client_credentials`: a management access token
/// (opaque, stored as a keyed hash by a `management_token` event).
pub async fn management_token(
    http: &reqwest::Client,
    base: &str,
    client: &ManagementClient,
) -> anyhow::Result<String> {
    let reply = http
        .post(format!("{base}/api/v2/tenant/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
        ])
        .send()
        .await?;
    let body = expect_json(reply, StatusCode::OK)
        .await
        .context("management token")?;
    text(&body, "access_token")
}

impl Target {
    /// The steps against an idaas server at `base`.
    pub fn idaas(base: &str, http: &reqwest::Client, client: OAuthClient) -> Self {
        Self {
            base: base.to_string(),
            http: http.clone(),
            client,
            endpoints: Endpoints::idaas(),
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base, &self.http)
    }

    /// `POST` to the token endpoint, the client authenticating with `client_secret_post`.
    async fn token(&self, grant: &[(&str, &str)]) -> anyhow::Result<Value> {
        let mut form = grant.to_vec();
        form.push(("client_id", &self.client.client_id));
        form.push(("client_secret", &self.client.client_secret));
        let reply = self
            .http
            .post(format!("{}{}", self.base, self.endpoints.token))
            .form(&form)
            .send()
            .await?;
        expect_json(reply, StatusCode::OK).await.context("token")
    }

    /// A client-credentials grant: one access token.
    pub async fn client_credentials(&self) -> anyhow::Result<()> {
        let body = self.token(&[("grant_type", "client_credentials")]).await?;
        text(&body, "access_token")?;
        Ok(())
    }

    /// Rotates a refresh token; the next one of the chain.
    pub async fn refresh(&self, refresh_token: &str) -> anyhow::Result<String> {
        let body = self
            .token(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .await?;
        text(&body, "access_token")?;
        text(&body, "refresh_token")
    }

    /// Opens the hosted login page once, for its CSRF cookie (the form's hidden `csrf` field
    /// carries the same value: a double-submit cookie).
    pub async fn open_login_page(&self, browser: &mut Browser) -> anyhow::Result<()> {
        let page = browser.get("/api/v1/login").await?;
        let field = page
            .hidden("csrf")
            .context("csrf field on the login page")?;
        if browser.cookie(CSRF_COOKIE) != Some(field.as_str()) {
            bail!("the csrf field and cookie differ");
        }
        Ok(())
    }

    /// Posts the login form as a browser sent there by the client's authorisation request does,
    /// and checks that a session started. The browser must have opened the login page.
    pub async fn sign_in(&self, browser: &mut Browser, user_name: &str) -> anyhow::Result<()> {
        browser.forget(SESSION_COOKIE);
        let csrf = browser
            .cookie(CSRF_COOKIE)
            .context("open the login page first")?
            .to_string();
        let return_to = self.authorize_path(&RandomIds.base62(64), "resume", "resume")?;
        let hop = browser
            .post(
                "/api/v1/login/form",
                &[
                    ("username", user_name),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("return_to", &return_to),
                    ("client_id", &self.client.client_id),
                ],
            )
            .await?;
        if hop.status != StatusCode::FOUND || browser.cookie(SESSION_COOKIE).is_none() {
            bail!(
                "sign-in of {user_name} refused ({}): {}",
                hop.status,
                hop.text
            );
        }
        Ok(())
    }

    /// The authorisation request for a PKCE verifier (S256).
    pub fn authorize_path(
        &self,
        verifier: &str,
        state: &str,
        nonce: &str,
    ) -> anyhow::Result<String> {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let query = [
            ("response_type", "code"),
            ("client_id", self.client.client_id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("scope", SCOPE),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let endpoint = format!("http://server{}", self.endpoints.authorize);
        let url = reqwest::Url::parse_with_params(&endpoint, query)?;
        Ok(format!(
            "{}?{}",
            url.path(),
            url.query().unwrap_or_default()
        ))
    }

    /// The authorization-code flow of a signed-in browser: authorize (the session cookie answers
    /// at once with a code), exchange the code with its verifier, read userinfo.
    pub async fn code_flow(&self, browser: &mut Browser) -> anyhow::Result<Tokens> {
        let verifier = RandomIds.base62(64);
        let state = RandomIds.base62(16);
        let nonce = RandomIds.base62(16);
        let hop = browser
            .get(&self.authorize_path(&verifier, &state, &nonce)?)
            .await?;
        let landed = hop
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with(REDIRECT_URI));
        // idaas answers 302, oidc-provider 303: both send the browser on with a GET.
        if !hop.status.is_redirection() || !landed || hop.param("state") != Some(state) {
            bail!("authorize did not return to the client: {:?}", hop.location);
        }
        let code = hop.param("code").context("a code")?;
        let body = self
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", &verifier),
            ])
            .await?;
        text(&body, "id_token")?;
        let tokens = Tokens {
            access_token: text(&body, "access_token")?,
            refresh_token: text(&body, "refresh_token")?,
        };
        self.userinfo(&tokens.access_token).await?;
        Ok(tokens)
    }

    /// `GET` the userinfo endpoint with the access token.
    pub async fn userinfo(&self, access_token: &str) -> anyhow::Result<()> {
        let reply = self
            .http
            .get(format!("{}{}", self.base, self.endpoints.userinfo))
            .bearer_auth(access_token)
            .send()
            .await?;
        let claims = expect_json(reply, StatusCode::OK)
            .await
            .context("userinfo")?;
        text(&claims, "sub")?;
        Ok(())
    }
}
