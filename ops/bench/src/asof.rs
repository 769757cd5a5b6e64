//! As-of answers and rebuilds at scale (issue 18, ADR 0025, ADR 0020 addendum): a directory with
//! churn — organisations, users moving between them, applications granted to organisations and
//! revoked again, users disabled and enabled — grown to each size through the command bus with
//! every projection inline; then a replay into shadow tables timed with and without writes going
//! on (and those writes' latencies), `idaas verify`, and the latency of "who could sign in to X at
//! T" and "a user's access at T" at random instants.

use std::fmt::Write;
use std::time::{Duration, Instant};

use domain::app_grant::{AppGrants, AppGrantsCommand, Grant, Grantee};
use domain::application::{Application, ApplicationCommand};
use domain::organization::{Organization, OrganizationCommand, ParentFacts};
use domain::testing::FakeHasher;
use domain::user::{OrgRelation, User, UserCommand, UserField, UserInput};
use domain::Aggregate;
use idaas_server::cli::{self, Verdict};
use store::{CommandBus, Context, EventStore, Keys, Metadata};
use usecases::audit::{access, subject};

const TENANT: &str = "default";
const ROOTS: usize = 10;
const CHILDREN: usize = 9;
const APPS: usize = 10;
const USERS: usize = 2_000;
const QUERIES: usize = 200;
/// Writers filling the store at once.
const WRITERS: usize = 16;

/// The sizes measured unless `IDAAS_BENCH_ASOF_EVENTS` lists others (comma-separated, ascending).
pub fn sizes() -> anyhow::Result<Vec<usize>> {
    match std::env::var("IDAAS_BENCH_ASOF_EVENTS") {
        Ok(list) if !list.is_empty() => list
            .split(',')
            .map(|n| n.trim().replace('_', "").parse().map_err(Into::into))
            .collect(),
        _ => Ok(vec![100_000]),
    }
}

pub struct Point {
    pub events: i64,
    pub asof_rows: i64,
    pub fill_rate: f64,
    pub replay_seconds: f64,
    pub busy_replay_seconds: f64,
    /// Appends answered while the busy replay ran, their p50, p99 and max.
    pub writes_during: usize,
    pub write_p50: Duration,
    pub write_p99: Duration,
    pub write_max: Duration,
    pub verify_seconds: f64,
    pub app_p50: Duration,
    pub app_p99: Duration,
    pub app_users: f64,
    pub user_p50: Duration,
    pub user_p99: Duration,
}

pub struct Figures {
    pub engine: &'static str,
    pub points: Vec<Point>,
}

fn ctx() -> Context {
    Context {
        tenant_id: TENANT.into(),
        metadata: Metadata {
            actor_id: Some("bench".into()),
            actor_kind: Some("system".into()),
            surface: Some("bench".into()),
            ..Default::default()
        },
    }
}

/// A small deterministic generator (xorshift), so every run builds the same history.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn org_id(i: usize) -> String {
    format!("org{i}")
}

fn relations(org: usize) -> Vec<OrgRelation> {
    vec![OrgRelation {
        org_id: org_id(org),
        relation_type: 1,
        post: None,
        sort: None,
    }]
}

fn user_input(i: usize) -> UserInput {
    UserInput {
        fields: vec![
            (UserField::Username, format!("user{i}")),
            (UserField::DisplayName, format!("User {i}")),
            (UserField::Mobile, format!("139{i:08}")),
        ],
        extension: None,
        account: Default::default(),
    }
}

fn failed<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// The directory: organisations (10 roots with 9 children each), applications, users.
async fn directory(bus: &CommandBus) -> anyhow::Result<()> {
    let ctx = ctx();
    for i in 0..ROOTS * (CHILDREN + 1) {
        let parent = (i >= ROOTS).then(|| ParentFacts {
            id: org_id(i % ROOTS),
            exists: true,
            ancestors: Vec::new(),
        });
        let command = OrganizationCommand::Create {
            org_id: org_id(i),
            code: format!("c{i}"),
            name: format!("Organisation {i}"),
            parent,
            category: None,
            details: Default::default(),
            policy: Default::default(),
            now: 0,
        };
        bus.execute::<Organization, _>(&ctx, &org_id(i), |o| o.decide(command.clone(), &()))
            .await
            .map_err(failed)?;
    }
    for a in 0..APPS {
        let id = format!("app{a}");
        let command = ApplicationCommand::Register {
            application_id: id.clone(),
            name: format!("App {a}"),
            client_id: format!("client{a}"),
            client_secret_hash: "x".into(),
            api_product: false,
            app_orgs: false,
            app_roles: false,
            protocols: Default::default(),
            account_extensions: Vec::new(),
            details: Default::default(),
            enabled: true,
            now: 0,
        };
        bus.execute::<Application, _>(&ctx, &id, |x| x.decide(command.clone(), &()))
            .await
            .map_err(failed)?;
    }
    let orgs = ROOTS * (CHILDREN + 1);
    for u in 0..USERS {
        let command = UserCommand::Create {
            user_id: format!("u{u}"),
            input: user_input(u),
            password: None,
            pwd_must_modify: false,
            org_relations: relations(u % orgs),
            settings: Default::default(),
            now: 0,
        };
        bus.execute::<User, _>(&ctx, &format!("u{u}"), |x| {
            x.decide(command.clone(), &FakeHasher)
        })
        .await
        .map_err(failed)?;
    }
    Ok(())
}

/// One change of the churn: mostly a user moving to another organisation; some users disabled or
/// enabled; some grants of an application to an organisation revoked or given.
async fn churn(
    bus: &CommandBus,
    dice: &mut Dice,
    step: usize,
    (writer, writers): (usize, usize),
) -> anyhow::Result<()> {
    let ctx = ctx();
    let orgs = ROOTS * (CHILDREN + 1);
    let user = format!("u{}", dice.below(USERS / writers) * writers + writer);
    match step % 20 {
        0 if writer == 0 => {
            let app = format!("app{}", dice.below(APPS));
            let org = org_id(dice.below(orgs));
            bus.execute::<AppGrants, _>(&ctx, &app, |g| {
                let command = if g
                    .grants
                    .values()
                    .any(|x| x.grantee == Grantee::Organization && x.subject_id == org)
                {
                    AppGrantsCommand::Revoke {
                        application_id: app.clone(),
                        grantee: Grantee::Organization,
                        subjects: vec![org.clone()],
                        now: step as i64,
                    }
                } else {
                    AppGrantsCommand::Grant {
                        application_id: app.clone(),
                        grants: vec![Grant {
                            grant_id: format!("g{step}"),
                            grantee: Grantee::Organization,
                            subject_id: org.clone(),
                        }],
                        now: step as i64,
                    }
                };
                g.decide(command, &())
            })
            .await
            .map_err(failed)?;
        }
        1 => {
            bus.execute::<User, _>(&ctx, &user, |u| {
                let now = step as i64;
                let command = if u.disabled {
                    UserCommand::Enable { now }
                } else {
                    UserCommand::Disable { now }
                };
                u.decide(command, &FakeHasher)
            })
            .await
            .map_err(failed)?;
        }
        _ => {
            let n: usize = user[1..].parse()?;
            let command = UserCommand::Update {
                input: user_input(n),
                pwd_must_modify: None,
                org_relations: Some(relations(dice.below(orgs))),
                settings: Default::default(),
                now: step as i64,
            };
            bus.execute::<User, _>(&ctx, &user, |u| u.decide(command.clone(), &FakeHasher))
                .await
                .map_err(failed)?;
        }
    }
    Ok(())
}

/// Changes the directory until the log holds `size` events: `WRITERS` writers at once (each on
/// its own users, so that group commit serves them), the first also changing grants.
async fn fill(
    bus: &CommandBus,
    store: &EventStore,
    size: usize,
    step: &mut usize,
) -> anyhow::Result<()> {
    while (last_position(store).await? as usize) < size {
        let mut tasks = Vec::new();
        for writer in 0..WRITERS {
            let bus = bus.clone();
            let first = *step + writer * 100;
            tasks.push(tokio::spawn(async move {
                let mut dice = Dice(0x9e37_79b9_7f4a_7c15 ^ (first as u64 + 1));
                for s in first..first + 100 {
                    churn(&bus, &mut dice, s, (writer, WRITERS)).await?;
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        *step += WRITERS * 100;
    }
    Ok(())
}

async fn last_position(store: &EventStore) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(position), 0) FROM events")
        .fetch_one(&store.database().pool)
        .await?;
    Ok(n)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Times `replay` while one writer keeps changing users; the writes' latencies.
async fn busy_replay(
    store: &EventStore,
    bus: &CommandBus,
    dice: &mut Dice,
    step: &mut usize,
) -> anyhow::Result<(f64, Vec<Duration>)> {
    let replaying = store.clone();
    let started = Instant::now();
    let replay = tokio::spawn(async move { projections::rebuild::replay(&replaying).await });
    let mut latencies = Vec::new();
    while !replay.is_finished() {
        let began = Instant::now();
        churn(bus, dice, *step | 2, (0, 1)).await?;
        latencies.push(began.elapsed());
        *step += 1;
    }
    replay.await??;
    Ok((started.elapsed().as_secs_f64(), latencies))
}

/// Random (application or user, instant) pairs answered with `access`/`subject`.
async fn queries(
    store: &EventStore,
    dice: &mut Dice,
    first_ms: i64,
    last_ms: i64,
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>, f64)> {
    let pool = &store.database().pool;
    let (mut apps, mut users, mut found) = (Vec::new(), Vec::new(), 0usize);
    for _ in 0..QUERIES {
        let at =
            first_ms + (dice.below(1_000_000) as i64 * (last_ms - first_ms).max(1)) / 1_000_000;
        let began = Instant::now();
        let instant = access::instant(pool, TENANT, at).await?;
        let app = format!("app{}", dice.below(APPS));
        let answer = access::application(pool, TENANT, &app, instant).await?;
        apps.push(began.elapsed());
        found += answer.map_or(0, |a| a.allowed.len());
        let began = Instant::now();
        let instant = access::instant(pool, TENANT, at).await?;
        let user = format!("u{}", dice.below(USERS));
        subject::user(pool, TENANT, &user, instant).await?;
        users.push(began.elapsed());
    }
    apps.sort();
    users.sort();
    Ok((apps, users, found as f64 / QUERIES as f64))
}

async fn recorded_ms(store: &EventStore, last: bool) -> anyhow::Result<i64> {
    let order = if last { "DESC" } else { "ASC" };
    let (at,): (String,) = sqlx::query_as(&format!(
        "SELECT recorded_at FROM events ORDER BY position {order} LIMIT 1"
    ))
    .fetch_one(&store.database().pool)
    .await?;
    Ok(chrono_ms(&at))
}

fn chrono_ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(0, |t| t.timestamp_millis())
}

pub async fn measure(engine: &'static str, url: &str, sizes: &[usize]) -> anyhow::Result<Figures> {
    let db = store::connect(url).await?;
    store::migrate(&db).await?;
    let keys = Keys::parse_master(&Keys::generate_master())?;
    let store = EventStore::open(db, keys, projections::inline(), Vec::new());
    let bus = CommandBus::new(store.clone());
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    directory(&bus).await?;
    let mut step = 0usize;
    let mut points = Vec::new();
    for &size in sizes {
        let started = Instant::now();
        let before = last_position(&store).await?;
        fill(&bus, &store, size, &mut step).await?;
        let events = last_position(&store).await?;
        let fill_rate = (events - before) as f64 / started.elapsed().as_secs_f64();
        let started = Instant::now();
        projections::rebuild::replay(&store).await?;
        let replay_seconds = started.elapsed().as_secs_f64();
        let (busy_replay_seconds, mut writes) =
            busy_replay(&store, &bus, &mut dice, &mut step).await?;
        writes.sort();
        let started = Instant::now();
        let verdict = cli::verify(&store).await?;
        let verify_seconds = started.elapsed().as_secs_f64();
        if !matches!(verdict, Verdict::Sound { .. }) {
            anyhow::bail!("verify at {events} events on {engine}: {verdict:?}");
        }
        let (first_ms, last_ms) = (
            recorded_ms(&store, false).await?,
            recorded_ms(&store, true).await?,
        );
        let (apps, users, app_users) = queries(&store, &mut dice, first_ms, last_ms).await?;
        let (asof_rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proj_asof")
            .fetch_one(&store.database().pool)
            .await?;
        eprintln!(
            "asof {engine}: {events} events; replay {replay_seconds:.1} s ({busy_replay_seconds:.1} s \
             with {} writes); app p99 {:?}, user p99 {:?}",
            writes.len(),
            percentile(&apps, 0.99),
            percentile(&users, 0.99)
        );
        points.push(Point {
            events,
            asof_rows,
            fill_rate,
            replay_seconds,
            busy_replay_seconds,
            writes_during: writes.len(),
            write_p50: percentile(&writes, 0.5),
            write_p99: percentile(&writes, 0.99),
            write_max: writes.last().copied().unwrap_or_default(),
            verify_seconds,
            app_p50: percentile(&apps, 0.5),
            app_p99: percentile(&apps, 0.99),
            app_users,
            user_p50: percentile(&users, 0.5),
            user_p99: percentile(&users, 0.99),
        });
    }
    store.database().pool.close().await;
    Ok(Figures { engine, points })
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn markdown(figures: &[Figures], profile: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    if figures.is_empty() {
        return Ok(out);
    }
    writeln!(out, "## As-of answers and rebuilds at scale\n")?;
    writeln!(
        out,
        "{ROOTS} root organisations with {CHILDREN} children each, {APPS} applications, {USERS} users; then churn through the command bus ({WRITERS} writers at once, each on its own users) with every projection inline: users moving between organisations (18 in 20 changes), disabled or enabled (1 in 20), grants of an application to an organisation given or revoked (1 in 20). Replay into shadow tables, idle and with one writer changing users meanwhile (the writes' latencies); `idaas verify`; {QUERIES} as-of questions at random instants. {profile} build.\n"
    )?;
    writeln!(
        out,
        "| engine | events | as-of rows | fill | replay | replay rate | replay with writes | writes answered (p50 / p99 / max) | verify | who could sign in to X at T (p50 / p99, users) | a user's access at T (p50 / p99) |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )?;
    for f in figures {
        for p in &f.points {
            writeln!(
                out,
                "| {} | {} | {} | {:.0} events/s | {:.1} s | {:.0} events/s | {:.1} s | {} ({} / {} / {}) | {:.1} s | {} / {} ({:.0}) | {} / {} |",
                f.engine,
                p.events,
                p.asof_rows,
                p.fill_rate,
                p.replay_seconds,
                p.events as f64 / p.replay_seconds,
                p.busy_replay_seconds,
                p.writes_during,
                ms(p.write_p50),
                ms(p.write_p99),
                ms(p.write_max),
                p.verify_seconds,
                ms(p.app_p50),
                ms(p.app_p99),
                p.app_users,
                ms(p.user_p50),
                ms(p.user_p99),
            )?;
        }
    }
    writeln!(out)?;
    Ok(out)
}
