//! The server under test: `idaas_server::start` on 127.0.0.1:0 over a fresh database, and the
//! fixtures the OAuth benchmark needs, set up through the public APIs as a tenant administrator
//! would: an OAuth client (`POST /admin/v1/applications`), users (`POST /api/v2/tenant/users`)
//! and their accounts in the client's application. The server runs on a runtime of its own, as
//! it would in a process of its own: the load generator's tasks do not queue with its requests.

use std::path::Path;

use anyhow::{bail, Context as _};
use idaas_server::{Config, RunningServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const PASSWORD: &str = "Bench#Pass2024";
pub const REDIRECT_URI: &str = "https://rp.example.com/callback";

/// A running server and the HTTP client that talks to it.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    /// The bootstrap management application (OneAccess #1, `POST /api/v2/tenant/token`).
    pub management: ManagementClient,
    running: RunningServer,
    management_token: String,
    runtime: OwnRuntime,
}

/// The server's runtime (as many workers as cores), shut down without waiting when dropped.
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The client credentials of a management application.
#[derive(Debug, Clone)]
pub struct ManagementClient {
    pub client_id: String,
    pub client_secret: String,
}

/// The OAuth client the benchmark signs in to.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub application_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Lifts the per-address and per-account rate limits: every client of the benchmark comes from
/// 127.0.0.1 and signs its user in again and again, which would exceed them (dozens of sign-ins
/// and thousands of authorisations a second), and the peer has none.
pub fn without_address_limits(config: &mut Config) {
    config.limits.anonymous_per_address = usecases::limits::Rate::new(0, 0);
    config.limits.sign_in_per_address = usecases::limits::Rate::new(0, 0);
    config.limits.sign_in_per_account = usecases::limits::Rate::new(0, 0);
    // The logins figure keeps 64 sign-ins in flight: each waits for a password thread instead of
    // being answered "busy" past the default queue of 32.
    config.limits.password_queue = 256;
}

impl Server {
    /// Starts a server over `database_url` (a new, empty database) with its data under `data_dir`,
    /// without the per-address rate limits.
    pub async fn start(database_url: &str, data_dir: &Path) -> anyhow::Result<Self> {
        Self::start_with(database_url, data_dir, without_address_limits).await
    }

    /// `start`, with the configuration changed by `configure` first.
    pub async fn start_with(
        database_url: &str,
        data_dir: &Path,
        configure: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let mut config = Config {
            database_url: Some(database_url.to_string()),
            data_dir: data_dir.to_path_buf(),
            master_key: Some(store::Keys::generate_master().into()),
            ..Config::default()
        };
        configure(&mut config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("idaas-server")
            .build()?;
        // Entered from a blocking thread: the listener, the pool and every task the server
        // spawns belong to its runtime.
        let handle = runtime.handle().clone();
        let running = tokio::task::spawn_blocking(move || {
            handle.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                idaas_server::start(config, listener).await
            })
        })
        .await??;
        let runtime = OwnRuntime(Some(runtime));
        let credentials = running
            .bootstrap
            .clone()
            .context("a new store is bootstrapped")?;
        let base = format!("http://{}", running.addr);
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(256)
            .build()?;
        let management = ManagementClient {
            client_id: credentials.client_id.clone(),
            client_secret: credentials.client_secret.clone(),
        };
        let management_token = crate::flows::management_token(&http, &base, &management).await?;
        Ok(Self {
            base,
            http,
            management,
            running,
            management_token,
            runtime,
        })
    }

    /// A management call expected to answer 201.
    pub async fn admin_post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let reply = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.management_token)
            .json(&body)
            .send()
            .await?;
        expect_json(reply, StatusCode::CREATED)
            .await
            .with_context(|| format!("POST {path}"))
    }

    /// Registers a confidential client allowed the code (PKCE required), refresh and client
    /// credentials grants, issuing refresh tokens.
    pub async fn oauth_client(&self) -> anyhow::Result<OAuthClient> {
        self.register("Bench RP", rp_protocols()).await
    }

    /// The same kind of client with opaque access tokens (as the peer issues in its code flow).
    pub async fn opaque_rp(&self) -> anyhow::Result<OAuthClient> {
        let mut protocols = rp_protocols();
        protocols["access_token_format"] = json!("opaque");
        self.register("Bench RP, opaque access tokens", protocols)
            .await
    }

    /// Registers a client allowed the client credentials grant, with opaque access tokens.
    pub async fn opaque_client(&self) -> anyhow::Result<OAuthClient> {
        let protocols = json!({
            "grant_types": ["client_credentials"],
            "access_token_format": "opaque",
        });
        self.register("Bench robot", protocols).await
    }

    async fn register(&self, name: &str, protocols: Value) -> anyhow::Result<OAuthClient> {
        let created = self
            .admin_post(
                "/admin/v1/applications",
                json!({"name": name, "protocols": protocols}),
            )
            .await?;
        let text = |field: &str| {
            created[field]
                .as_str()
                .map(str::to_string)
                .with_context(|| format!("{field} in the registration"))
        };
        Ok(OAuthClient {
            application_id: text("application_id")?,
            client_id: text("client_id")?,
            client_secret: text("client_secret")?,
        })
    }

    /// Creates `count` users `bench0`, `bench1`… with `PASSWORD` and an account in each client's
    /// application; their user names.
    pub async fn users(
        &self,
        clients: &[&OAuthClient],
        count: usize,
    ) -> anyhow::Result<Vec<String>> {
        let mut names = Vec::new();
        for i in 0..count {
            let name = format!("bench{i}");
            let created = self
                .admin_post(
                    "/api/v2/tenant/users",
                    json!({"user_name": name, "name": name, "mobile": format!("139{i:08}"),
                           "email": format!("{name}@example.com"), "password": PASSWORD,
                           "pwd_must_modify": false}),
                )
                .await?;
            let user_id = created["user_id"].as_str().context("user_id")?;
            for client in clients {
                self.account(&client.application_id, user_id, &name, &name)
                    .await?;
            }
            names.push(name);
        }
        Ok(names)
    }

    /// Gives a user a basic account in an application.
    pub async fn account(
        &self,
        application_id: &str,
        user_id: &str,
        account_name: &str,
        name: &str,
    ) -> anyhow::Result<()> {
        let path = format!("/api/v2/tenant/applications/{application_id}/accounts/basic-account");
        self.admin_post(
            &path,
            json!({"account_name": account_name, "user_id": user_id, "name": name}),
        )
        .await?;
        Ok(())
    }

    /// Stops the server and closes its pool.
    pub async fn stop(self) -> anyhow::Result<()> {
        let Self {
            running, runtime, ..
        } = self;
        let pool = running.store.database().pool.clone();
        let stopped = async move {
            running.stop().await?;
            pool.close().await;
            anyhow::Ok(())
        };
        match &runtime.0 {
            Some(own) => {
                let handle = own.handle().clone();
                tokio::task::spawn_blocking(move || handle.block_on(stopped)).await??
            }
            None => stopped.await?,
        }
        Ok(())
    }
}

/// A confidential client allowed the code (PKCE required), refresh and client credentials grants,
/// issuing refresh tokens.
fn rp_protocols() -> Value {
    json!({
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "refresh_token_lifetime_secs": 86400,
        "require_pkce": true,
    })
}

/// The JSON body of a reply with the expected status, or an error naming what came instead.
pub async fn expect_json(reply: reqwest::Response, status: StatusCode) -> anyhow::Result<Value> {
    let got = reply.status();
    let text = reply.text().await?;
    if got != status {
        bail!("expected {status}, got {got}: {text}");
    }
    Ok(serde_json::from_str(&text)?)
}
