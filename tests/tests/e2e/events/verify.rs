//! `idaas verify` compares the live projection rows with a rebuild by row digests (ADR 0020):
//! a row deleted from a live table and a live row that no event explains are each named by
//! their table and ids, never by their values.

use idaas_server::cli::{self, Verdict};
use idaas_tests::{on_both_engines, sso, Engine, TestServer};

/// A server with a few users (mobiles and e-mail addresses are personal data); their ids.
async fn with_users(engine: Engine) -> (TestServer, Vec<String>) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let mut users = Vec::new();
    for n in 0..4 {
        users.push(
            sso::user(
                &server,
                &t,
                &format!("checked{n}"),
                &format!("1360000000{n}"),
            )
            .await,
        );
    }
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    (server, users)
}

async fn difference(server: &TestServer) -> String {
    match cli::verify(server.store()).await.unwrap() {
        Verdict::ProjectionDiffers(what) => what,
        other => panic!("expected a projection difference, got {other:?}"),
    }
}

fn assert_no_personal_data(what: &str) {
    for personal in ["1360000000", "checked", "@"] {
        assert!(!what.contains(personal), "{personal} in {what}");
    }
}

async fn a_deleted_projection_row_is_named_as_missing_from_the_live_table(engine: Engine) {
    let (server, users) = with_users(engine).await;
    sqlx::query("DELETE FROM proj_users WHERE user_id = $1")
        .bind(&users[1])
        .execute(&server.store().database().pool)
        .await
        .unwrap();
    let what = difference(&server).await;
    assert!(
        what.starts_with("proj_users: a rebuild produces a row ("),
        "{what}"
    );
    assert!(what.contains(&format!("user_id={}", users[1])), "{what}");
    assert!(what.ends_with("missing from the live table"), "{what}");
    assert_no_personal_data(&what);
    server.finish().await;
}

async fn a_live_row_that_no_event_explains_is_named_by_its_ids(engine: Engine) {
    let (server, users) = with_users(engine).await;
    sqlx::query("UPDATE proj_users SET user_id = 'forged' WHERE user_id = $1")
        .bind(&users[2])
        .execute(&server.store().database().pool)
        .await
        .unwrap();
    let what = difference(&server).await;
    assert!(what.starts_with("proj_users: the live row ("), "{what}");
    assert!(what.contains("user_id=forged"), "{what}");
    assert!(what.ends_with("is not produced by a rebuild"), "{what}");
    assert_no_personal_data(&what);
    server.finish().await;
}

/// Verifying rolls its rebuild back: the changed row is still there afterwards and is reported
/// again, by table, ids and column.
async fn verifying_twice_reports_the_same_changed_row(engine: Engine) {
    let (server, users) = with_users(engine).await;
    let pool = &server.store().database().pool;
    sqlx::query("UPDATE proj_users SET mobile = '13999999999' WHERE user_id = $1")
        .bind(&users[3])
        .execute(pool)
        .await
        .unwrap();
    let first = difference(&server).await;
    assert!(first.starts_with("proj_users: "), "{first}");
    assert!(first.contains(&format!("user_id={}", users[3])), "{first}");
    assert!(first.ends_with("column(s) mobile"), "{first}");
    assert!(!first.contains("13999999999"), "{first}");
    assert_eq!(difference(&server).await, first);
    let (mobile,): (String,) = sqlx::query_as("SELECT mobile FROM proj_users WHERE user_id = $1")
        .bind(&users[3])
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(mobile, "13999999999");
    server.finish().await;
}

on_both_engines!(
    a_deleted_projection_row_is_named_as_missing_from_the_live_table,
    a_live_row_that_no_event_explains_is_named_by_its_ids,
    verifying_twice_reports_the_same_changed_row,
);

/// A replay rebuilds into shadow tables while writes go on: with the shadow caught up (no lock
/// held), users are created and answered; the swap, under the append lock, takes the events
/// appended meanwhile, so none is lost, and the live rows equal a rebuild after.
async fn writes_are_served_while_a_replay_runs(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    for n in 0..5 {
        sso::user(&server, &t, &format!("before{n}"), &format!("135000000{n}")).await;
    }
    let mut shadow = projections::shadow::Shadow::create(server.store())
        .await
        .unwrap();
    shadow.catch_up(server.store()).await.unwrap();
    let caught_up = shadow.count;
    let mut during = Vec::new();
    for n in 0..5 {
        during.push(sso::user(&server, &t, &format!("during{n}"), &format!("134000000{n}")).await);
    }
    let replayed = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        shadow.swap(server.store()),
    )
    .await
    .expect("the swap ends")
    .unwrap();
    assert!(replayed > caught_up, "{replayed} after {caught_up}");
    for id in &during {
        let path = format!("/api/v2/tenant/users/{id}");
        server.client.get(&path, &t).await.assert_status(200);
    }
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(writes_are_served_while_a_replay_runs);
