//! CAS over HTTP against a real in-process server (CAS Protocol 3.0): service tickets issued per
//! second (`GET /cas/login?service=…` by a browser with an SSO session, §2.1) and tickets
//! validated per second (`GET /cas/p3/serviceValidate?…&format=JSON`, §2.8), one client at a time
//! and with `CONCURRENCY` clients.
//!
//! Each issuance run hands its tickets to the validation run that follows it, so every validation
//! presents a fresh ticket exactly once; a refusal or a ticket for the wrong user stops the
//! benchmark rather than being counted.
//!

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context as _};
use reqwest::StatusCode;
use serde_json::json;

use crate::browser::Browser;
use crate::load::{self, Rate};
use crate::oauth::{Row, CONCURRENCY};
use crate::server::{expect_json, Server, PASSWORD};

/// The service the application registers, and every ticket is issued for.
const SERVICE: &str = "https://cas-app.example.com/cas/callback";
/// What the service is told besides the user (and the three protocol attributes).
const RELEASED: [&str; 4] = ["account_name", "name", "email", "mobile"];
/// Tickets per run, issued then validated: (one client, `CONCURRENCY` clients).
const TICKETS: (usize, usize) = (1000, 3000);
/// The longest ticket lifetime the server allows (`cas_ticket_seconds`, default 60): a ticket
/// waits for validation while the rest of its batch is issued, and the machine may be loaded.
const TICKET_SECONDS: u32 = 300;
const SESSION_COOKIE: &str = "idaas_session";

/// One engine's figures: issuance, then validation.
pub struct Figures {
    pub engine: &'static str,
    pub rows: Vec<Row>,
}

/// A ticket waiting for validation and the CAS user it must validate as.
type Ticket = (String, String);
type Tickets = Arc<Mutex<VecDeque<Ticket>>>;

pub async fn measure(
    engine: &'static str,
    database_url: &str,
    data_dir: &Path,
) -> anyhow::Result<Figures> {
    let server = CasServer::start(database_url, data_dir).await?;
    let accounts = server.users(CONCURRENCY).await?;
    let mut browsers = Vec::new();
    for account in &accounts {
        browsers.push(server.sign_in(account).await?);
    }

    let tickets: Tickets = Arc::default();
    let issue_one = issue(&server, browsers[..1].to_vec(), TICKETS.0, &tickets).await?;
    let validate_one = validate(&server, 1, TICKETS.0, &tickets).await?;
    let issue_many = issue(&server, browsers, TICKETS.1, &tickets).await?;
    let validate_many = validate(&server, CONCURRENCY, TICKETS.1, &tickets).await?;
    let left = tickets.lock().map(|t| t.len()).unwrap_or_default();
    if left != 0 {
        bail!("{left} issued tickets were not validated");
    }
    eprintln!("{engine}: CAS done");

    server.stop().await?;
    Ok(Figures {
        engine,
        rows: vec![
            Row {
                operation: "service ticket issued (/cas/login, SSO session)",
                one: issue_one,
                many: issue_many,
            },
            Row {
                operation: "service ticket validated (/cas/p3/serviceValidate, JSON)",
                one: validate_one,
                many: validate_many,
            },
        ],
    })
}

/// `count` tickets (and one warm-up ticket per browser) from browsers of their own users, each
/// with an SSO session; every ticket goes to the back of `tickets` with its browser's user.
async fn issue(
    server: &CasServer,
    browsers: Vec<(Browser, String)>,
    count: usize,
    tickets: &Tickets,
) -> anyhow::Result<Rate> {
    let login = server.login_path()?;
    let tickets = tickets.clone();
    load::run(
        browsers,
        count,
        move |(mut browser, account): (Browser, String)| {
            let (login, tickets) = (login.clone(), tickets.clone());
            async move {
                let hop = browser.get(&login).await?;
                let ticket = hop
                    .param("ticket")
                    .filter(|_| hop.status == StatusCode::FOUND)
                    .filter(|t| t.starts_with("ST-"))
                    .with_context(|| {
                        format!(
                            "no ticket ({}, {:?}): {}",
                            hop.status, hop.location, hop.text
                        )
                    })?;
                tickets
                    .lock()
                    .map_err(|_| anyhow::anyhow!("ticket queue poisoned"))?
                    .push_back((ticket, account.clone()));
                Ok((browser, account))
            }
        },
    )
    .await
}

/// Validates `count` tickets (and one warm-up ticket per client) from the front of `tickets`,
/// the oldest first, each once; anything but a success for the ticket's user is an error.
async fn validate(
    server: &CasServer,
    clients: usize,
    count: usize,
    tickets: &Tickets,
) -> anyhow::Result<Rate> {
    let url = format!("{}/cas/p3/serviceValidate", server.server.base);
    let http = server.server.http.clone();
    let tickets = tickets.clone();
    load::run(vec![(); clients], count, move |()| {
        let (url, http, tickets) = (url.clone(), http.clone(), tickets.clone());
        async move {
            let next = tickets
                .lock()
                .map_err(|_| anyhow::anyhow!("ticket queue poisoned"))?
                .pop_front();
            let (ticket, account) = next.context("more validations than issued tickets")?;
            let reply = http
                .get(&url)
                .query(&[
                    ("service", SERVICE),
                    ("ticket", ticket.as_str()),
                    ("format", "JSON"),
                ])
                .send()
                .await?;
            let answer = expect_json(reply, StatusCode::OK).await?;
            let success = &answer["serviceResponse"]["authenticationSuccess"];
            if success["user"] != account.as_str() || !success["attributes"].is_object() {
                bail!("validation of a ticket of {account} failed: {answer}");
            }
            Ok(())
        }
    })
    .await
}

/// The server and the CAS application its fixtures are made in.
struct CasServer {
    server: Server,
    application_id: String,
}

impl CasServer {
    /// Starts a server over `database_url` (a new, empty database) and registers the CAS
    /// application through `POST /admin/v1/applications`.
    async fn start(database_url: &str, data_dir: &Path) -> anyhow::Result<Self> {
        let server = Server::start_with(database_url, data_dir, |config| {
            crate::server::without_address_limits(config);
            config.cas_ticket_seconds = TICKET_SECONDS;
        })
        .await?;
        let protocols = json!({"cas_services": [SERVICE], "cas_released_attributes": RELEASED});
        let created = server
            .admin_post(
                "/admin/v1/applications",
                json!({"name": "Bench CAS service", "protocols": protocols}),
            )
            .await?;
        let application_id = created["application_id"]
            .as_str()
            .context("application_id")?
            .to_string();
        Ok(Self {
            server,
            application_id,
        })
    }

    /// Creates `count` users `cas0`, `cas1`… with `PASSWORD` and an account `cas0-acct`… in the
    /// application; the account names (the CAS users).
    async fn users(&self, count: usize) -> anyhow::Result<Vec<String>> {
        let mut accounts = Vec::new();
        for i in 0..count {
            let name = format!("cas{i}");
            let created = self
                .server
                .admin_post(
                    "/api/v2/tenant/users",
                    json!({"user_name": name, "name": name, "mobile": format!("137{i:08}"),
                           "email": format!("{name}@example.com"), "password": PASSWORD,
                           "pwd_must_modify": false}),
                )
                .await?;
            let user_id = created["user_id"].as_str().context("user_id")?;
            let account = format!("{name}-acct");
            self.server
                .account(&self.application_id, user_id, &account, &name)
                .await?;
            accounts.push(account);
        }
        Ok(accounts)
    }

    /// `/cas/login?service=…`.
    fn login_path(&self) -> anyhow::Result<String> {
        let url =
            reqwest::Url::parse_with_params("http://server/cas/login", [("service", SERVICE)])?;
        Ok(format!(
            "{}?{}",
            url.path(),
            url.query().unwrap_or_default()
        ))
    }

    /// A browser signed in the way a CAS service sends it: `/cas/login` → the hosted login page →
    /// the form → back to `/cas/login` → the service with a first ticket (not kept). The browser
    /// and its CAS user.
    async fn sign_in(&self, account: &str) -> anyhow::Result<(Browser, String)> {
        let user_name = account.trim_end_matches("-acct");
        let mut browser = Browser::new(&self.server.base, &self.server.http);
        let hop = browser.get(&self.login_path()?).await?;
        let to_login = hop.location.context("/cas/login sends to the login page")?;
        let page = browser.get(&to_login).await?;
        let field = |name: &str| {
            page.hidden(name)
                .with_context(|| format!("{name} on the login page: {}", page.text))
        };
        let (csrf, return_to, client_id) =
            (field("csrf")?, field("return_to")?, field("client_id")?);
        let hop = browser
            .post(
                "/api/v1/login/form",
                &[
                    ("username", user_name),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                    ("return_to", &return_to),
                    ("client_id", &client_id),
                ],
            )
            .await?;
        let back = hop
            .location
            .filter(|_| browser.cookie(SESSION_COOKIE).is_some())
            .with_context(|| format!("sign-in of {user_name} refused: {}", hop.text))?;
        let hop = browser.get(&back).await?;
        if hop.param("ticket").is_none() {
            bail!("no ticket after signing in: {:?}", hop.location);
        }
        Ok((browser, account.to_string()))
    }

    async fn stop(self) -> anyhow::Result<()> {
        self.server.stop().await
    }
}

/// Milliseconds, with more decimals the smaller they are (as `report.rs` prints them).
fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10.0 {
        format!("{ms:.0}")
    } else if ms >= 1.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.2}")
    }
}

/// The section of `results.md`: a row per operation and client count, a column group per engine.
pub fn markdown(figures: &[Figures]) -> anyhow::Result<String> {
    let mut out = String::new();
    let Some(first) = figures.first() else {
        return Ok(out);
    };
    let n = CONCURRENCY;
    writeln!(out, "## CAS over HTTP\n")?;
    writeln!(
        out,
        "The same server set-up as the OAuth section, with one CAS application (released attributes {RELEASED:?}) and {n} users with an account in it, each signed in by its own browser. A run issues its tickets first ({} with one client, {} with {n}), then validates each once; ticket lifetime {TICKET_SECONDS} s. Latencies in ms.\n",
        TICKETS.0, TICKETS.1,
    )?;
    let mut header = String::from("| operation | clients |");
    let mut rule = String::from("|---|---|");
    for f in figures {
        write!(header, " {0} | {0} p50 | {0} p99 |", f.engine)?;
        rule.push_str("---|---|---|");
    }
    writeln!(out, "{header}\n{rule}")?;
    for (i, row) in first.rows.iter().enumerate() {
        for (clients, single) in [(1, true), (n, false)] {
            let mut line = format!("| {} | {clients} |", row.operation);
            for f in figures {
                let rate = if single {
                    &f.rows[i].one
                } else {
                    &f.rows[i].many
                };
                write!(
                    line,
                    " {:.0}/s | {} | {} |",
                    rate.per_sec,
                    millis(rate.p50),
                    millis(rate.p99)
                )?;
            }
            writeln!(out, "{line}")?;
        }
    }
    writeln!(out)?;
    Ok(out)
}
