//! Side by side with a peer (issue 20): idaas and the Node.js `oidc-provider` 9 (ops/bench/peer),
//! driven by the same load generator in the same run, at each of `LEVELS` concurrent clients.
//!
//! - client credentials: idaas's management token (OneAccess #1, opaque), idaas's OAuth
//!   client_credentials grant (a signed JWT) and the peer's client_credentials grant (opaque);
//! - the authorization-code flow with PKCE of a browser that has a session: authorize, token,
//!   userinfo, the same steps (`flows::Target::code_flow`) on both sides.
//!
//! The points of one concurrency run back to back (idaas on each engine, then the peer), so that
//! other work on the machine weighs on both sides alike.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use usecases::clock::{IdSource, RandomIds};

use crate::browser::Browser;
use crate::cpu::{Meter, PerOperation};
use crate::flows::{self, Target};
use crate::load::{self, Rate, Timed};
use crate::peer_process::{self, PeerProcess, Skipped};
use crate::primitives::{self, Primitive};
use crate::server::{ManagementClient, OAuthClient, Server, REDIRECT_URI};

/// Concurrent clients of each point (`IDAAS_BENCH_PEER_CLIENTS` changes them).
const LEVELS: [usize; 5] = [1, 4, 16, 32, 64];
/// RS256 signatures timed for the floor printed next to the points.
const SIGNATURES: usize = 1000;
/// Seconds of each point: (warm-up, window) (`IDAAS_BENCH_PEER_SECONDS`). A point of a few
/// hundred operations (the earlier fixed counts) lasted a fraction of a second, too short for
/// PostgreSQL's connections and the writer's batches to settle.
const SECONDS: (usize, usize) = (1, 3);
/// The peer's client, as registered in peer.js.
const PEER_CLIENT_ID: &str = "bench-peer-rp";
const PEER_CLIENT_SECRET: &str = "bench-peer-secret-0123456789abcdef0123456789abcdef";
pub const PEER: &str = "oidc-provider";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    ClientCredentials,
    CodeFlow,
}

/// One measured point.
pub struct Point {
    pub figure: Figure,
    pub operation: &'static str,
    /// `SQLite`, `PostgreSQL` or `PEER`.
    pub engine: &'static str,
    pub clients: usize,
    pub rate: Rate,
    /// CPU per operation of this process (load generator, and idaas when it is idaas's point)
    /// and of the peer's.
    pub cpu: Option<PerOperation>,
}

pub const MANAGEMENT: &str = "idaas management token (OneAccess #1, opaque)";
pub const OAUTH_CC: &str = "idaas OAuth client_credentials (RS256 JWT)";
pub const OAUTH_OPAQUE: &str = "idaas OAuth client_credentials (opaque)";
pub const PEER_CC: &str = "oidc-provider client_credentials (opaque)";
pub const CODE: &str = "idaas code + PKCE + userinfo (session)";
pub const CODE_OPAQUE: &str = "idaas code + PKCE + userinfo (session, opaque access token)";
pub const PEER_CODE: &str = "oidc-provider code + PKCE + userinfo (session)";

/// Each series' short name for `IDAAS_BENCH_PEER_SERIES`.
const SERIES: [(&str, &str); 7] = [
    ("management", MANAGEMENT),
    ("cc", OAUTH_CC),
    ("cc-opaque", OAUTH_OPAQUE),
    ("peer-cc", PEER_CC),
    ("code", CODE),
    ("code-opaque", CODE_OPAQUE),
    ("peer-code", PEER_CODE),
];

/// The series to run: those `IDAAS_BENCH_PEER_SERIES` names (comma-separated short names of
/// `SERIES`, to profile one), or all.
struct Chosen(Option<Vec<&'static str>>);

impl Chosen {
    fn from_env() -> anyhow::Result<Self> {
        let Ok(text) = std::env::var("IDAAS_BENCH_PEER_SERIES") else {
            return Ok(Self(None));
        };
        let mut chosen = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let Some((_, operation)) = SERIES.iter().find(|(short, _)| *short == name) else {
                let names: Vec<&str> = SERIES.iter().map(|(short, _)| *short).collect();
                bail!(
                    "IDAAS_BENCH_PEER_SERIES: {name} is none of {}",
                    names.join(", ")
                );
            };
            chosen.push(*operation);
        }
        Ok(Self(Some(chosen)))
    }

    fn runs(&self, operation: &'static str) -> bool {
        self.0.as_ref().is_none_or(|c| c.contains(&operation))
    }

    /// Whether every series runs (only then are the report's files written).
    pub fn all(&self) -> bool {
        self.0.is_none()
    }
}

pub struct Figures {
    /// Whether every series ran.
    pub complete: bool,
    pub points: Vec<Point>,
    pub versions: String,
    /// Seconds of each point: (warm-up, window).
    pub seconds: (usize, usize),
    /// RS256 signatures on this machine in this run: (key parsed once, key parsed each time).
    pub rs256: (Primitive, Primitive),
    /// The server as a process of its own: idle and under load (`memory`), one per engine.
    pub memory: Vec<crate::memory::Figures>,
}

pub enum Outcome {
    Measured(Figures),
    Skipped(String),
}

/// One side under load: its steps, its signed-in browsers, and (idaas) its management client.
struct Side {
    engine: &'static str,
    target: Arc<Target>,
    browsers: Vec<Browser>,
    management: Option<ManagementClient>,
    /// idaas: a client with opaque access tokens.
    opaque: Option<Arc<Target>>,
    /// idaas: a code-flow client with opaque access tokens, as the peer's are; the same
    /// browsers.
    opaque_rp: Option<Arc<Target>>,
}

fn list(name: &str) -> anyhow::Result<Option<Vec<usize>>> {
    match std::env::var(name) {
        Ok(text) if !text.is_empty() => {
            let parsed: Result<Vec<usize>, _> = text.split(',').map(|n| n.trim().parse()).collect();
            Ok(Some(parsed.with_context(|| {
                format!("{name}: numbers, comma-separated")
            })?))
        }
        _ => Ok(None),
    }
}

/// `engines`: (name, database URL) of each idaas engine to run, each on a new, empty database.
pub async fn measure(
    engines: &[(&'static str, String)],
    data_dir: &Path,
) -> anyhow::Result<Outcome> {
    let node = match peer_process::runtime().await {
        Ok(node) => node,
        Err(Skipped(why)) => return Ok(Outcome::Skipped(why)),
    };
    let levels = list("IDAAS_BENCH_PEER_CLIENTS")?.unwrap_or(LEVELS.to_vec());
    let seconds = match list("IDAAS_BENCH_PEER_SECONDS")?.as_deref() {
        Some(&[warm_up, window]) if window > 0 => (warm_up, window),
        Some(_) => bail!("IDAAS_BENCH_PEER_SECONDS: two numbers, warm-up and window"),
        None => SECONDS,
    };
    let chosen = Chosen::from_env()?;
    let length = Length {
        warm_up: std::time::Duration::from_secs(seconds.0 as u64),
        window: std::time::Duration::from_secs(seconds.1 as u64),
    };
    let rs256 = tokio::task::spawn_blocking(|| primitives::measure_rs256(SIGNATURES)).await??;
    let browsers = levels.iter().copied().max().unwrap_or(1);
    let mut servers = Vec::new();
    let mut sides = Vec::new();
    for &(engine, ref url) in engines {
        // Without the per-address rate limits, as the peer has none.
        let server = Server::start(url, &data_dir.join(engine)).await?;
        sides.push(idaas_side(engine, &server, browsers).await?);
        servers.push(server);
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()?;
    let peer = PeerProcess::start(&node, &http).await?;
    eprintln!("peer: {} at {}", peer.versions, peer.base);
    let peer_side = peer_side(&peer, &http, browsers).await?;

    let mut points = Vec::new();
    let pid = peer.pid;
    for &clients in &levels {
        let mut point = |figure, operation, engine, timed: Timed, meter: Meter| {
            points.push(Point {
                figure,
                operation,
                engine,
                clients,
                rate: timed.rate,
                // The warm-up's operations run on the meter too.
                cpu: meter.per_operation(timed.operations),
            })
        };
        use Figure::*;
        for side in &sides {
            if !chosen.runs(MANAGEMENT) {
                break;
            }
            let meter = Meter::start(pid);
            let timed = management_tokens(side, clients, length).await?;
            point(ClientCredentials, MANAGEMENT, side.engine, timed, meter);
        }
        for side in &sides {
            if !chosen.runs(OAUTH_CC) {
                break;
            }
            let meter = Meter::start(pid);
            let timed = client_credentials(&side.target, clients, length).await?;
            point(ClientCredentials, OAUTH_CC, side.engine, timed, meter);
        }
        for side in &sides {
            let Some(opaque) = side.opaque.as_ref().filter(|_| chosen.runs(OAUTH_OPAQUE)) else {
                continue;
            };
            let meter = Meter::start(pid);
            let timed = client_credentials(opaque, clients, length).await?;
            point(ClientCredentials, OAUTH_OPAQUE, side.engine, timed, meter);
        }
        if chosen.runs(PEER_CC) {
            let meter = Meter::start(pid);
            let timed = client_credentials(&peer_side.target, clients, length).await?;
            point(ClientCredentials, PEER_CC, PEER, timed, meter);
        }
        for side in &sides {
            if !chosen.runs(CODE) {
                break;
            }
            let meter = Meter::start(pid);
            let timed = code_flows(side, &side.target, clients, length).await?;
            point(CodeFlow, CODE, side.engine, timed, meter);
        }
        for side in &sides {
            let Some(opaque_rp) = side.opaque_rp.as_ref().filter(|_| chosen.runs(CODE_OPAQUE))
            else {
                continue;
            };
            let meter = Meter::start(pid);
            let timed = code_flows(side, opaque_rp, clients, length).await?;
            point(CodeFlow, CODE_OPAQUE, side.engine, timed, meter);
        }
        if chosen.runs(PEER_CODE) {
            let meter = Meter::start(pid);
            let timed = code_flows(&peer_side, &peer_side.target, clients, length).await?;
            point(CodeFlow, PEER_CODE, PEER, timed, meter);
        }
        eprintln!("side by side: {clients} clients done");
    }
    let versions = peer.versions.clone();
    drop(peer);
    for server in servers {
        server.stop().await?;
    }
    Ok(Outcome::Measured(Figures {
        complete: chosen.all(),
        points,
        versions,
        seconds,
        rs256,
        memory: Vec::new(),
    }))
}

/// An OAuth client and `browsers` users, each signed in by its own browser (hosted login form).
async fn idaas_side(
    engine: &'static str,
    server: &Server,
    browsers: usize,
) -> anyhow::Result<Side> {
    let client = server.oauth_client().await?;
    let opaque = Target::idaas(&server.base, &server.http, server.opaque_client().await?);
    let opaque_rp = server.opaque_rp().await?;
    let users = server.users(&[&client, &opaque_rp], browsers).await?;
    let opaque_rp = Target::idaas(&server.base, &server.http, opaque_rp);
    let target = Target::idaas(&server.base, &server.http, client);
    let mut signed_in = Vec::new();
    for user in &users {
        let mut browser = target.browser();
        target.open_login_page(&mut browser).await?;
        target.sign_in(&mut browser, user).await?;
        signed_in.push(browser);
    }
    Ok(Side {
        engine,
        target: Arc::new(target),
        browsers: signed_in,
        management: Some(server.management.clone()),
        opaque: Some(Arc::new(opaque)),
        opaque_rp: Some(Arc::new(opaque_rp)),
    })
}

/// The peer's client, and `browsers` browsers, each signed in as its own account.
async fn peer_side(
    peer: &PeerProcess,
    http: &reqwest::Client,
    browsers: usize,
) -> anyhow::Result<Side> {
    let client = OAuthClient {
        application_id: String::new(),
        client_id: PEER_CLIENT_ID.into(),
        client_secret: PEER_CLIENT_SECRET.into(),
    };
    let target = Target {
        base: peer.base.clone(),
        http: http.clone(),
        client,
        endpoints: peer.endpoints.clone(),
    };
    let mut signed_in = Vec::new();
    for i in 0..browsers {
        let mut browser = target.browser();
        peer_sign_in(&target, &mut browser, &format!("bench{i}")).await?;
        signed_in.push(browser);
    }
    Ok(Side {
        engine: PEER,
        target: Arc::new(target),
        browsers: signed_in,
        management: None,
        opaque: None,
        opaque_rp: None,
    })
}

/// A first authorisation request with `login_hint`: the peer sends the browser through its
/// interaction route (peer.js signs the account in), back to authorize, and on to the client
/// with a code; the browser now has the peer's session cookie.
async fn peer_sign_in(target: &Target, browser: &mut Browser, account: &str) -> anyhow::Result<()> {
    let path = target.authorize_path(&RandomIds.base62(64), "sign-in", "sign-in")?;
    let mut hop = browser.get(&format!("{path}&login_hint={account}")).await?;
    for _ in 0..4 {
        let location = hop
            .location
            .clone()
            .context("a redirect during the peer's sign-in")?;
        if location.starts_with(REDIRECT_URI) {
            hop.param("code")
                .context("a code after the peer's sign-in")?;
            return Ok(());
        }
        let path = location.strip_prefix(&target.base).unwrap_or(&location);
        hop = browser.get(path).await?;
    }
    bail!("the peer's sign-in of {account} did not come back to the client")
}

/// How long each point runs.
#[derive(Clone, Copy)]
struct Length {
    warm_up: std::time::Duration,
    window: std::time::Duration,
}

async fn management_tokens(side: &Side, clients: usize, length: Length) -> anyhow::Result<Timed> {
    let management = side.management.clone().context("idaas only")?;
    let (http, base) = (side.target.http.clone(), side.target.base.clone());
    load::run_for(
        vec![(); clients],
        length.warm_up,
        length.window,
        move |()| {
            let (http, base, management) = (http.clone(), base.clone(), management.clone());
            async move {
                flows::management_token(&http, &base, &management).await?;
                Ok(())
            }
        },
    )
    .await
}

/// Client-credentials grants of `target` by `clients` concurrent clients.
async fn client_credentials(
    target: &Arc<Target>,
    clients: usize,
    length: Length,
) -> anyhow::Result<Timed> {
    let target = target.clone();
    load::run_for(
        vec![(); clients],
        length.warm_up,
        length.window,
        move |()| {
            let target = target.clone();
            async move { target.client_credentials().await }
        },
    )
    .await
}

/// Code flows of `target` by the first `clients` of the side's signed-in browsers.
async fn code_flows(
    side: &Side,
    target: &Arc<Target>,
    clients: usize,
    length: Length,
) -> anyhow::Result<Timed> {
    let target = target.clone();
    let browsers = side.browsers[..clients.min(side.browsers.len())].to_vec();
    load::run_for(
        browsers,
        length.warm_up,
        length.window,
        move |mut browser: Browser| {
            let target = target.clone();
            async move {
                target.code_flow(&mut browser).await?;
                Ok(browser)
            }
        },
    )
    .await
}
