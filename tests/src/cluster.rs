//! Several nodes over one database (DESIGN.md "Hot paths, caches and several nodes",
//! ops/adr/0028): a peer node that answers as the first one does, and waiting, within the
//! coherence bound, for what one node did to be seen by another.

use std::future::Future;
use std::time::{Duration, Instant};

use idaas_server::RunningServer;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::oauth::{self, Call, INTROSPECT, USERINFO};
use crate::sso::SsoApp;
use crate::{boot, Client, TestServer};

/// How soon a write on one node is honoured on every other: the default `[cache] coherence_ms`
/// (250 ms) with room for four polls.
pub const COHERENCE_BOUND: Duration = Duration::from_secs(1);

/// How often `within_bound` looks again.
const LOOK_EVERY: Duration = Duration::from_millis(20);

impl TestServer {
    /// Starts another node over the same database with this one's public URL (so the same issuer
    /// of tokens), as the nodes of one cluster behind one host name are; with its own client and
    /// its own caches.
    pub async fn peer_node(&self) -> (RunningServer, Client) {
        let mut config = self.config.clone();
        config.public_url = Some(self.client.base.clone());
        let node = boot(&config, &self.sms, &self.clock).await;
        let client = Client::new(node.addr);
        (node, client)
    }
}

/// Waits until `holds` answers true, looking again every 20 ms for at most `COHERENCE_BOUND`
/// from now; fails naming `what` otherwise. Returns how long it took.
pub async fn within_bound<F, Fut>(what: &str, mut holds: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if holds().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < COHERENCE_BOUND,
            "{what}: not seen within {COHERENCE_BOUND:?}"
        );
        tokio::time::sleep(LOOK_EVERY).await;
    }
}

/// The status of userinfo at `node` with `token`.
pub async fn userinfo_at(node: &Client, token: &str) -> StatusCode {
    let call = Call {
        bearer: Some(token),
        ..Default::default()
    };
    oauth::call_at(&node.base, Method::GET, USERINFO, call)
        .await
        .status
}

/// Whether introspection at `node` by `app` calls `token` active.
pub async fn active_at(node: &Client, app: &SsoApp, token: &str) -> bool {
    let call = Call {
        basic: Some((&app.client_id, &app.client_secret)),
        form: vec![("token", token)],
        ..Default::default()
    };
    let answer = oauth::call_at(&node.base, Method::POST, INTROSPECT, call).await;
    answer.ok()["active"] == json!(true)
}
