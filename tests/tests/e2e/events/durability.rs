//! Replay, restart, concurrency and tamper evidence, end to end.

use idaas_server::cli::{self, Verdict};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

const USERS: &str = "/api/v2/tenant/users";
const ORGS: &str = "/api/v2/tenant/organizations";

/// A small deterministic generator, so a failing sequence can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound
    }
}

async fn snapshot(server: &TestServer) -> std::collections::BTreeMap<&'static str, Vec<String>> {
    let mut conn = server.store().database().pool.acquire().await.unwrap();
    projections::rebuild::snapshot(&mut conn).await.unwrap()
}

/// Runs a random mix of calls (valid and invalid) against the management API.
async fn random_traffic(server: &TestServer, seed: u64, steps: usize) {
    let t = server.token().await;
    let mut rng = Lcg(seed);
    let mut orgs: Vec<String> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut users: Vec<String> = Vec::new();
    for step in 0..steps {
        let c = &server.client;
        match rng.next(9) {
            0 | 1 => {
                let parent = if orgs.is_empty() || rng.next(3) == 0 {
                    None
                } else {
                    Some(orgs[rng.next(orgs.len())].clone())
                };
                let reply = c.post(ORGS, &t, json!({"code": format!("c{step}"), "name": format!("n{}", rng.next(5)), "parent_id": parent})).await;
                if reply.status == 201 {
                    orgs.push(reply.body["org_id"].as_str().unwrap().to_string());
                    codes.push(format!("c{step}"));
                }
            }
            2 | 3 => {
                let org_code = if codes.is_empty() || rng.next(3) == 0 {
                    None
                } else {
                    Some(codes[rng.next(codes.len())].clone())
                };
                let reply = c
                    .post(USERS, &t, json!({"user_name": format!("u{}", rng.next(40)), "mobile": format!("138{:08}", rng.next(60)), "org_code": org_code}))
                    .await;
                if reply.status == 201 {
                    users.push(reply.body["user_id"].as_str().unwrap().to_string());
                }
            }
            4 if !users.is_empty() => {
                let id = &users[rng.next(users.len())];
                c.put(&format!("{USERS}/{id}"), &t, json!({"name": format!("name {step}"), "email": format!("e{}@example.com", rng.next(30))})).await;
            }
            5 if !users.is_empty() => {
                let id = &users[rng.next(users.len())];
                let action = if rng.next(2) == 0 {
                    "disable"
                } else {
                    "enable"
                };
                c.put(&format!("{USERS}/{id}/{action}"), &t, json!({}))
                    .await;
            }
            6 if !users.is_empty() => {
                let id = users.remove(rng.next(users.len()));
                c.delete(&format!("{USERS}/{id}"), &t).await;
            }
            7 if !orgs.is_empty() => {
                let id = orgs[rng.next(orgs.len())].clone();
                let parent = orgs[rng.next(orgs.len())].clone();
                c.put(
                    &format!("{ORGS}/{id}"),
                    &t,
                    json!({"parent_id": parent, "category": "group"}),
                )
                .await;
            }
            8 if !orgs.is_empty() => {
                let id = orgs[rng.next(orgs.len())].clone();
                if c.delete(&format!("{ORGS}/{id}"), &t).await.status == 204 {
                    orgs.retain(|o| *o != id);
                }
            }
            _ => {}
        }
    }
}

async fn replay_rebuilds_exactly_the_same_projection_rows(engine: Engine) {
    let server = TestServer::start(engine).await;
    random_traffic(&server, 7, 150).await;
    let live = snapshot(&server).await;
    assert!(
        live["proj_users"].len() > 3 && live["proj_organizations"].len() > 3,
        "the traffic built something"
    );
    let replayed = projections::rebuild::replay(server.store()).await.unwrap();
    assert!(replayed > 50);
    assert_eq!(snapshot(&server).await, live);
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.finish().await;
}

/// A random mix across the application endpoints (accounts, application organisations, roles).
async fn random_application_traffic(server: &TestServer, seed: u64, steps: usize) {
    let t = server.token().await;
    let new = usecases::applications::NewApplication {
        name: "Mixed".into(),
        app_orgs: true,
        app_roles: true,
        ..Default::default()
    };
    let app_id = idaas_server::cli::create_app(server.store(), "default", new)
        .await
        .unwrap()
        .application_id;
    let base = format!("/api/v2/tenant/applications/{app_id}");
    let mut rng = Lcg(seed);
    let (mut users, mut accounts, mut roles, mut org_codes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for step in 0..steps {
        let c = &server.client;
        match rng.next(12) {
            0 | 1 => {
                let reply = c
                    .post(
                        USERS,
                        &t,
                        json!({"user_name": format!("m{step}"), "mobile": format!("136{step:08}")}),
                    )
                    .await;
                if reply.status == 201 {
                    users.push(reply.body["user_id"].as_str().unwrap().to_string());
                }
            }
            2 => {
                let reply = c.post(&format!("{base}/organizations"), &t, json!({"org_code": format!("o{step}"), "name": format!("n{}", rng.next(4))})).await;
                if reply.status == 201 {
                    org_codes.push(format!("o{step}"));
                }
            }
            3..=5 if !users.is_empty() => {
                let user = users[rng.next(users.len())].clone();
                let org = if org_codes.is_empty() || rng.next(2) == 0 {
                    String::new()
                } else {
                    org_codes[rng.next(org_codes.len())].clone()
                };
                let reply = c
                    .post(
                        &format!("{base}/accounts/basic-account"),
                        &t,
                        json!({"user_id": user, "org_code": org}),
                    )
                    .await;
                if reply.status == 201 {
                    accounts.push(reply.body["account_id"].as_str().unwrap().to_string());
                }
            }
            6 => {
                let reply = c
                    .post(
                        &format!("{base}/role"),
                        &t,
                        json!({"code": format!("r{}", rng.next(6))}),
                    )
                    .await;
                if reply.status == 200 {
                    roles.push(reply.body["role_id"].as_str().unwrap().to_string());
                }
            }
            7 | 8 if !roles.is_empty() && !accounts.is_empty() => {
                let role = &roles[rng.next(roles.len())];
                let ids: Vec<&String> = (0..3)
                    .map(|_| &accounts[rng.next(accounts.len())])
                    .collect();
                let method = if rng.next(3) == 0 {
                    reqwest::Method::DELETE
                } else {
                    reqwest::Method::POST
                };
                c.send(
                    method,
                    &format!("{base}/role-member"),
                    Some(&t),
                    Some(&json!({"role_id": role, "account_Ids": ids})),
                    &[],
                )
                .await;
            }
            9 if !accounts.is_empty() => {
                let id = accounts[rng.next(accounts.len())].clone();
                c.put(
                    &format!("{base}/accounts/{id}"),
                    &t,
                    json!({"name": format!("acc {step}"), "disabled": rng.next(2) == 0}),
                )
                .await;
            }
            10 if !accounts.is_empty() => {
                let id = accounts.remove(rng.next(accounts.len()));
                c.delete(&format!("{base}/accounts/{id}"), &t).await;
            }
            11 if !users.is_empty() => {
                let id = users.remove(rng.next(users.len()));
                c.delete(&format!("{USERS}/{id}"), &t).await;
            }
            _ => {}
        }
    }
}

async fn replay_rebuilds_the_application_projections_identically(engine: Engine) {
    let server = TestServer::start(engine).await;
    random_traffic(&server, 13, 60).await;
    random_application_traffic(&server, 17, 200).await;
    let live = snapshot(&server).await;
    assert!(
        live["proj_app_accounts"].len() > 3,
        "the traffic built accounts"
    );
    assert!(
        !live["proj_app_role_members"].is_empty(),
        "and role memberships"
    );
    projections::rebuild::replay(server.store()).await.unwrap();
    assert_eq!(snapshot(&server).await, live);
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.finish().await;
}

async fn verify_and_replay_are_safe_while_the_server_takes_writes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let writer = {
        let client = server.client.clone();
        let t = t.clone();
        tokio::spawn(async move {
            for i in 0..60 {
                let reply = client
                    .post(
                        USERS,
                        &t,
                        json!({"user_name": format!("w{i}"), "mobile": format!("135{i:08}")}),
                    )
                    .await;
                assert_eq!(reply.status.as_u16(), 201, "{}", reply.text);
            }
        })
    };
    for round in 0..6 {
        match cli::verify(server.store()).await.unwrap() {
            Verdict::Sound { .. } => {}
            other => panic!("round {round}: {other:?}"),
        }
        if round % 2 == 0 {
            projections::rebuild::replay(server.store()).await.unwrap();
        }
    }
    writer.await.unwrap();
    assert!(
        matches!(cli::verify(server.store()).await.unwrap(), Verdict::Sound { events } if events >= 63)
    );
    server.finish().await;
}

async fn state_survives_a_restart(engine: Engine) {
    let mut server = TestServer::start(engine).await;
    let t = server.token().await;
    let org = server
        .client
        .post(ORGS, &t, json!({"code": "keep", "name": "Keep"}))
        .await
        .body["org_id"]
        .clone();
    let user = server
        .client
        .post(
            USERS,
            &t,
            json!({"user_name": "kept", "mobile": "13600000000", "password": "Safe#2024x"}),
        )
        .await
        .body["user_id"]
        .clone();
    let before = server
        .client
        .get(&format!("{USERS}/{}", user.as_str().unwrap()), &t)
        .await
        .body;
    server.restart().await;
    // The token issued before the restart is still valid.
    let after = server
        .client
        .get(&format!("{USERS}/{}", user.as_str().unwrap()), &t)
        .await;
    assert_eq!(after.assert_status(200), &before);
    assert_eq!(after.body["org_id"], org);
    // Uniqueness and the password survive too.
    server
        .client
        .post(
            USERS,
            &t,
            json!({"user_name": "kept", "mobile": "13600000001"}),
        )
        .await
        .assert_error("USER.0029");
    server
        .client
        .put(
            &format!("{USERS}/{}/change-password-verify", user.as_str().unwrap()),
            &t,
            json!({"old_password": "Safe#2024x", "password": "Next#2025"}),
        )
        .await
        .assert_status(200);
    server.finish().await;
}

async fn fifty_concurrent_creates_of_one_username_make_exactly_one_user(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let client = server.client.clone();
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(
                    USERS,
                    &t,
                    json!({"user_name": "same", "mobile": format!("137{i:08}")}),
                )
                .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        let reply = task.await.unwrap();
        if reply.status == 201 {
            created += 1;
        } else {
            reply.assert_error("USER.0029");
            assert_eq!(reply.body["error_msg"], "Username already exists.");
        }
    }
    assert_eq!(created, 1);
    let list = server
        .client
        .get(&format!("{USERS}?offset=0&limit=100"), &t)
        .await;
    assert_eq!(list.body["total"], 1);
    let pool = &server.store().database().pool;
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proj_users")
        .fetch_one(pool)
        .await
        .unwrap();
    let (streams,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE stream_type = 'user'")
            .fetch_one(pool)
            .await
            .unwrap();
    let (claims,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM unique_claims WHERE kind = 'user.user_name'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((rows, streams, claims), (1, 1, 1));
    server.finish().await;
}

async fn changing_one_stored_event_makes_verify_fail_and_name_it(engine: Engine) {
    let server = TestServer::start(engine).await;
    random_traffic(&server, 11, 40).await;
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    let pool = &server.store().database().pool;
    let (position,): (i64,) =
        sqlx::query_as("SELECT MIN(position) FROM events WHERE stream_type = 'organization'")
            .fetch_one(pool)
            .await
            .unwrap();
    sqlx::query("UPDATE events SET payload = replace(payload, '\"category\":\"department\"', '\"category\":\"company\"') WHERE position = $1")
        .bind(position)
        .execute(pool)
        .await
        .unwrap();
    match cli::verify(server.store()).await.unwrap() {
        Verdict::ChainBroken(what) => {
            assert!(what.contains(&format!("position {position} ")), "{what}")
        }
        other => panic!("expected a broken chain, got {other:?}"),
    }
    server.finish().await;
}

async fn deleting_the_last_event_makes_verify_fail(engine: Engine) {
    let server = TestServer::start(engine).await;
    random_traffic(&server, 5, 20).await;
    let pool = &server.store().database().pool;
    let (last,): (i64,) = sqlx::query_as("SELECT MAX(position) FROM events")
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM events WHERE position = $1")
        .bind(last)
        .execute(pool)
        .await
        .unwrap();
    match cli::verify(server.store()).await.unwrap() {
        Verdict::ChainBroken(what) => assert!(what.contains("missing"), "{what}"),
        other => panic!("expected a broken chain, got {other:?}"),
    }
    server.finish().await;
}

async fn a_tampered_projection_row_makes_verify_fail(engine: Engine) {
    let server = TestServer::start(engine).await;
    random_traffic(&server, 3, 40).await;
    let pool = &server.store().database().pool;
    sqlx::query("UPDATE proj_users SET disabled = 1 - disabled WHERE user_id = (SELECT MIN(user_id) FROM proj_users)")
        .execute(pool)
        .await
        .unwrap();
    match cli::verify(server.store()).await.unwrap() {
        Verdict::ProjectionDiffers(what) => assert!(what.starts_with("proj_users"), "{what}"),
        other => panic!("expected a projection difference, got {other:?}"),
    }
    server.finish().await;
}

on_both_engines!(
    replay_rebuilds_exactly_the_same_projection_rows,
    replay_rebuilds_the_application_projections_identically,
    verify_and_replay_are_safe_while_the_server_takes_writes,
    state_survives_a_restart,
    fifty_concurrent_creates_of_one_username_make_exactly_one_user,
    changing_one_stored_event_makes_verify_fail_and_name_it,
    deleting_the_last_event_makes_verify_fail,
    a_tampered_projection_row_makes_verify_fail,
);
