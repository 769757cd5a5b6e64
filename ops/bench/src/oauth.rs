//! OAuth and sign-in over HTTP against a real in-process server (`idaas_server::start`): token
//! grants, code flows and password logins per second, one client at a time and with
//! `CONCURRENCY` clients, each client with its own browser, user and refresh-token chain.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::browser::Browser;
use crate::flows::Target;
use crate::load::{self, Rate};
use crate::server::Server;

/// Concurrent clients (and users) in the concurrent runs.
pub const CONCURRENCY: usize = 64;

/// Operations timed per run: (one client, `CONCURRENCY` clients).
const CLIENT_CREDENTIALS: (usize, usize) = (1000, 3000);
const REFRESHES: (usize, usize) = (200, 2000);
/// Rotations of one chain, and where along it the latency of a rotation is reported.
pub const CHAIN_DEPTHS: [usize; 5] = [10, 100, 250, 500, 1000];
const CODE_FLOWS: (usize, usize) = (300, 1000);
const LOGINS: (usize, usize) = (60, 200);

/// One operation's figures: one client, and `CONCURRENCY` clients.
pub struct Row {
    pub operation: &'static str,
    pub one: Rate,
    pub many: Rate,
}

/// One engine's figures, a row per operation.
pub struct Figures {
    pub engine: &'static str,
    pub rows: Vec<Row>,
    /// The p50 latency of a refresh at each of `CHAIN_DEPTHS` rotations of one chain.
    pub refresh_by_depth: Vec<Duration>,
}

pub async fn measure(
    engine: &'static str,
    database_url: &str,
    data_dir: &Path,
) -> anyhow::Result<Figures> {
    let server = Server::start(database_url, data_dir).await?;
    let client = server.oauth_client().await?;
    let users = server.users(&[&client], CONCURRENCY).await?;
    let target = Arc::new(Target::idaas(&server.base, &server.http, client));

    let mut rows = vec![Row {
        operation: "client_credentials grant",
        one: client_credentials(&target, 1, CLIENT_CREDENTIALS.0).await?,
        many: client_credentials(&target, CONCURRENCY, CLIENT_CREDENTIALS.1).await?,
    }];
    eprintln!("{engine}: client credentials done");

    // One signed-in browser per user; each starts its own refresh-token chain with a code flow
    // (the first browser two: one for the single-client run, one for the concurrent run).
    let mut browsers = Vec::new();
    for user in &users {
        let mut browser = target.browser();
        target.open_login_page(&mut browser).await?;
        target.sign_in(&mut browser, user).await?;
        browsers.push(browser);
    }
    let mut chains = Vec::new();
    for browser in browsers.iter_mut() {
        chains.push(target.code_flow(browser).await?.refresh_token);
    }
    let first = target.code_flow(&mut browsers[0]).await?.refresh_token;
    let deep = target.code_flow(&mut browsers[0]).await?.refresh_token;
    rows.push(Row {
        operation: "refresh grant (rotation)",
        one: refreshes(&target, vec![first], REFRESHES.0).await?,
        many: refreshes(&target, chains, REFRESHES.1).await?,
    });
    let refresh_by_depth = refresh_by_depth(&target, deep).await?;
    eprintln!("{engine}: refresh done");

    rows.push(Row {
        operation: "authorization code + PKCE flow (SSO session)",
        one: code_flows(&target, browsers[..1].to_vec(), CODE_FLOWS.0).await?,
        many: code_flows(&target, browsers, CODE_FLOWS.1).await?,
    });
    eprintln!("{engine}: code flows done");

    rows.push(Row {
        operation: "password login (form post)",
        one: logins(&target, &users[..1], LOGINS.0).await?,
        many: logins(&target, &users, LOGINS.1).await?,
    });
    eprintln!("{engine}: logins done");

    server.stop().await?;
    Ok(Figures {
        engine,
        rows,
        refresh_by_depth,
    })
}

/// `count` client-credentials grants over `clients` concurrent clients of `target`.
pub async fn client_credentials(
    target: &Arc<Target>,
    clients: usize,
    count: usize,
) -> anyhow::Result<Rate> {
    let target = target.clone();
    load::run(vec![(); clients], count, move |()| {
        let target = target.clone();
        async move { target.client_credentials().await }
    })
    .await
}

/// Each client rotates its own chain: a refresh token is good for one use.
async fn refreshes(
    target: &Arc<Target>,
    chains: Vec<String>,
    count: usize,
) -> anyhow::Result<Rate> {
    let target = target.clone();
    load::run(chains, count, move |token: String| {
        let target = target.clone();
        async move { target.refresh(&token).await }
    })
    .await
}

/// Rotates one chain `CHAIN_DEPTHS`-deep; the p50 latency of the ten rotations up to each depth.
async fn refresh_by_depth(target: &Target, mut token: String) -> anyhow::Result<Vec<Duration>> {
    let deepest = CHAIN_DEPTHS.iter().copied().max().unwrap_or_default();
    let mut latencies = Vec::with_capacity(deepest);
    for _ in 0..deepest {
        let began = Instant::now();
        token = target.refresh(&token).await?;
        latencies.push(began.elapsed());
    }
    let p50 = |depth: usize| {
        let mut window = latencies[depth.saturating_sub(10)..depth].to_vec();
        window.sort_unstable();
        window.get(window.len() / 2).copied().unwrap_or_default()
    };
    Ok(CHAIN_DEPTHS.iter().map(|&depth| p50(depth)).collect())
}

async fn code_flows(
    target: &Arc<Target>,
    browsers: Vec<Browser>,
    count: usize,
) -> anyhow::Result<Rate> {
    let target = target.clone();
    load::run(browsers, count, move |mut browser: Browser| {
        let target = target.clone();
        async move {
            target.code_flow(&mut browser).await?;
            Ok(browser)
        }
    })
    .await
}

/// Each client is a browser of its own user that has the login page open; every login is one
/// form post with a full argon2id verification and starts a new session.
async fn logins(target: &Arc<Target>, users: &[String], count: usize) -> anyhow::Result<Rate> {
    let mut clients = Vec::new();
    for user in users {
        let mut browser = target.browser();
        target.open_login_page(&mut browser).await?;
        clients.push((browser, user.clone()));
    }
    let target = target.clone();
    load::run(
        clients,
        count,
        move |(mut browser, user): (Browser, String)| {
            let target = target.clone();
            async move {
                target.sign_in(&mut browser, &user).await?;
                Ok((browser, user))
            }
        },
    )
    .await
}
