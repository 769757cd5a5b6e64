//! `idaas backup` and `idaas restore` (ops/adr/0017): a backup taken while the server writes
//! restores into an empty store of either engine, rebuilds the same projections and verifies; a
//! tampered, truncated or newer backup, a store that is not empty and another master key are
//! refused, and a refused restore writes nothing.

use std::path::{Path, PathBuf};

use idaas_server::cli::{self, Verdict};
use idaas_server::Config;
use idaas_tests::{on_both_engines, sso, Engine, TestDatabase, TestServer};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A server with some directory in it: an application, users with personal data, an
/// organisation.
async fn populated(engine: Engine) -> (TestServer, Vec<String>) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    sso::register(&server, &t, "Backed up", json!({})).await;
    let org = server
        .client
        .post(
            "/api/v2/tenant/organizations",
            &t,
            json!({"code": "hq", "name": "Head office"}),
        )
        .await;
    org.assert_status(201);
    let mut users = Vec::new();
    for n in 0..5 {
        users.push(sso::user(&server, &t, &format!("kept{n}"), &format!("1370000000{n}")).await);
    }
    (server, users)
}

fn backup_path(server: &TestServer, name: &str) -> PathBuf {
    server.database.data_dir.join(name)
}

/// A new empty database of `engine` whose configuration carries `key` as its master key.
async fn empty_target(engine: Engine, key: &str) -> (TestDatabase, Config) {
    let target = TestDatabase::create(engine).await;
    let mut config = target.config();
    config.master_key = Some(key.to_string().into());
    (target, config)
}

/// Restores `file` into the store `config` names; the restore's result.
async fn restore(config: &Config, file: &Path) -> anyhow::Result<(i64, Verdict)> {
    let store = idaas_server::open_store_for_restore(config).await?;
    let restored = cli::restore_from(&store, file).await;
    store.database().pool.close().await;
    let (summary, verdict) = restored?;
    Ok((summary.events, verdict))
}

/// The request metadata kept beside the chain (ops/adr/0026), as sorted rows.
async fn request_metadata(pool: &sqlx::AnyPool) -> Vec<(i64, String, Option<String>)> {
    sqlx::query_as("SELECT position, subject_id, client_ip FROM request_metadata ORDER BY position")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn events_in(server: &TestServer) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events")
        .fetch_one(&server.store().database().pool)
        .await
        .unwrap();
    count
}

async fn a_backup_taken_while_writing_restores_and_verifies(engine: Engine) {
    let (server, users) = populated(engine).await;
    let file = backup_path(&server, "online.idaas-backup");
    // Users are created while the backup reads: it holds one snapshot or another, never half.
    let t = server.token().await;
    let writing = async {
        for n in 0..10 {
            sso::user(
                &server,
                &t,
                &format!("meanwhile{n}"),
                &format!("1360000000{n}"),
            )
            .await;
        }
    };
    let (backed_up, ()) = tokio::join!(cli::backup_to(&server.config, &file), writing);
    let backed_up = backed_up.expect("backup");
    assert!(backed_up.events > 10, "{backed_up:?}");
    assert_eq!(backed_up.migration_level, store::migrate::latest_version());

    // A second backup after the writes, of a quiet store, is compared row by row.
    let quiet = backup_path(&server, "quiet.idaas-backup");
    let summary = cli::backup_to(&server.config, &quiet)
        .await
        .expect("backup");
    assert_eq!(summary.events, events_in(&server).await);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&quiet).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner reads a backup");
    }
    let live = server.snapshot().await;
    let kept = request_metadata(&server.store().database().pool).await;
    assert!(!kept.is_empty());

    let key = server.database.master_key.clone();
    for file in [&file, &quiet] {
        let (target, config) = empty_target(engine, &key).await;
        let (events, verdict) = restore(&config, file).await.expect("restore");
        assert!(matches!(verdict, Verdict::Sound { .. }), "{verdict:?}");
        assert!(events >= backed_up.events);
        let restored = TestServer::start_over(
            target,
            config,
            server.credentials.clone(),
            server.clock.clone(),
        )
        .await;
        if file == &quiet {
            assert_eq!(restored.snapshot().await, live, "the same projection rows");
            let pool = &restored.store().database().pool;
            let restored_metadata = request_metadata(pool).await;
            assert_eq!(
                restored_metadata[..kept.len()],
                kept[..],
                "request metadata restored"
            );
        }
        let t = restored.token().await;
        for user in &users {
            let reply = restored
                .client
                .get(&format!("/api/v2/tenant/users/{user}"), &t)
                .await;
            let body = reply.assert_status(200);
            assert!(
                body["mobile"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("1370")),
                "{body}"
            );
        }
        assert!(matches!(
            cli::verify(restored.store()).await.unwrap(),
            Verdict::Sound { .. }
        ));
        restored.finish().await;
    }
    server.finish().await;
}

/// SQLite to PostgreSQL and back: the file is the same on both engines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_moves_between_engines_and_back() {
    if !Engine::postgres_available() {
        return;
    }
    let (server, users) = populated(Engine::Sqlite).await;
    let key = server.database.master_key.clone();
    let first = backup_path(&server, "from-sqlite.idaas-backup");
    cli::backup_to(&server.config, &first)
        .await
        .expect("backup");
    let live = server.snapshot().await;

    let (postgres, config) = empty_target(Engine::Postgres, &key).await;
    let (_, verdict) = restore(&config, &first)
        .await
        .expect("restore into PostgreSQL");
    assert!(matches!(verdict, Verdict::Sound { .. }), "{verdict:?}");
    let on_postgres = TestServer::start_over(
        postgres,
        config,
        server.credentials.clone(),
        server.clock.clone(),
    )
    .await;
    assert_eq!(on_postgres.snapshot().await, live);
    let second = backup_path(&server, "from-postgres.idaas-backup");
    cli::backup_to(&on_postgres.config, &second)
        .await
        .expect("backup of PostgreSQL");

    let (sqlite, config) = empty_target(Engine::Sqlite, &key).await;
    let (_, verdict) = restore(&config, &second)
        .await
        .expect("restore into SQLite");
    assert!(matches!(verdict, Verdict::Sound { .. }), "{verdict:?}");
    let back = TestServer::start_over(
        sqlite,
        config,
        server.credentials.clone(),
        server.clock.clone(),
    )
    .await;
    assert_eq!(back.snapshot().await, live);
    let t = back.token().await;
    back.client
        .get(&format!("/api/v2/tenant/users/{}", users[0]), &t)
        .await
        .assert_status(200);
    back.finish().await;
    on_postgres.finish().await;
    server.finish().await;
}

/// The backup's lines, and the file rewritten from them with a trailer that matches, so that
/// only the check under test can refuse it.
fn lines_of(file: &Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn rewrite(file: &Path, mut lines: Vec<Value>) {
    lines.pop();
    let mut text = String::new();
    for line in &lines {
        text.push_str(&line.to_string());
        text.push('\n');
    }
    let sha = hex_of(&Sha256::digest(text.as_bytes()));
    let end = json!({"kind": "end", "lines": lines.len(), "sha256": sha});
    text.push_str(&end.to_string());
    text.push('\n');
    std::fs::write(file, text).unwrap();
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[track_caller]
fn assert_refused(result: anyhow::Result<(i64, Verdict)>, words: &str) {
    match result {
        Ok(verdict) => panic!("restored, expected a refusal ({words}): {verdict:?}"),
        Err(e) => {
            let message = format!("{e:#}");
            assert!(message.contains(words), "{message}");
        }
    }
}

async fn damaged_newer_or_misplaced_backups_are_refused_and_write_nothing(engine: Engine) {
    let (server, _) = populated(engine).await;
    let good = backup_path(&server, "good.idaas-backup");
    cli::backup_to(&server.config, &good).await.expect("backup");
    let key = server.database.master_key.clone();
    let (target, config) = empty_target(engine, &key).await;

    // An event changed (personal data replaced, say), its trailer recomputed: the chain says so.
    let mut lines = lines_of(&good);
    let event = lines
        .iter_mut()
        .filter(|l| l["kind"] == "event")
        .nth(3)
        .unwrap();
    event["recorded_at"] = json!("2001-01-01T00:00:00.000Z");
    let tampered = backup_path(&server, "tampered.idaas-backup");
    rewrite(&tampered, lines);
    assert_refused(restore(&config, &tampered).await, "hash chain is broken");

    // The last events dropped, the trailer recomputed: the chain heads say so.
    let mut lines = lines_of(&good);
    let last_event = lines.iter().rposition(|l| l["kind"] == "event").unwrap();
    lines.remove(last_event);
    let cut = backup_path(&server, "cut.idaas-backup");
    rewrite(&cut, lines);
    assert_refused(restore(&config, &cut).await, "recorded head");

    // A claim changed without its trailer: the trailer says so.
    let text = std::fs::read_to_string(&good).unwrap();
    let changed = text.replacen(
        "\"kind\":\"claim\",\"tenant_id\":\"default\"",
        "\"kind\":\"claim\",\"tenant_id\":\"other\"",
        1,
    );
    assert_ne!(changed, text);
    let edited = backup_path(&server, "edited.idaas-backup");
    std::fs::write(&edited, changed).unwrap();
    assert_refused(restore(&config, &edited).await, "damaged");

    // Truncated (a copy that stopped early).
    let truncated = backup_path(&server, "truncated.idaas-backup");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    assert_refused(restore(&config, &truncated).await, "backup");

    // Not a backup at all.
    let other = backup_path(&server, "other.json");
    std::fs::write(&other, "{\"hello\": 1}\n").unwrap();
    assert_refused(restore(&config, &other).await, "not a backup record");

    // From a newer release.
    let mut lines = lines_of(&good);
    lines[0]["migration_level"] = json!(store::migrate::latest_version() + 1);
    let newer = backup_path(&server, "newer.idaas-backup");
    rewrite(&newer, lines);
    assert_refused(restore(&config, &newer).await, "newer than this release");

    // Without a master key (none configured, none in the data directory), then under another
    // one: the later restore with the right key still goes into this target.
    let mut keyless = config.clone();
    keyless.master_key = None;
    assert_refused(restore(&keyless, &good).await, "no master key");
    let mut other_key = config.clone();
    other_key.master_key = Some(store::Keys::generate_master().into());
    assert_refused(restore(&other_key, &good).await, "another master key");

    // Into the store it came from (not empty).
    assert_refused(restore(&server.config, &good).await, "not empty");

    // Nothing of the refused restores stayed behind: the good file restores into the target,
    // which then opens as any store does (under the backup's key).

    let (_, verdict) = restore(&config, &good).await.expect("restore");
    assert!(matches!(verdict, Verdict::Sound { .. }), "{verdict:?}");
    let reopened = idaas_server::open_store(&config).await.expect("opens");
    reopened.database().pool.close().await;
    assert!(idaas_server::open_store(&other_key).await.is_err());
    target.drop_database().await;
    server.finish().await;
}

async fn a_backup_overwrites_no_file(engine: Engine) {
    let (server, _) = populated(engine).await;
    let file = backup_path(&server, "once.idaas-backup");
    std::fs::write(&file, "precious").unwrap();
    let refused = cli::backup_to(&server.config, &file).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("exists already")));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
    // Nor a backup's half-written file (another backup may be writing it).
    let other = backup_path(&server, "twice.idaas-backup");
    let partial = backup_path(&server, "twice.idaas-backup.partial");
    std::fs::write(&partial, "half").unwrap();
    let refused = cli::backup_to(&server.config, &other).await;
    assert!(refused.is_err_and(|e| format!("{e:#}").contains("interrupted backup")));
    assert_eq!(std::fs::read_to_string(&partial).unwrap(), "half");
    assert!(!other.exists());
    server.finish().await;
}

/// `idaas verify` (and so a restore) names a differing projection row by its ids and the
/// columns that differ, never by its values: a user row holds a mobile, an e-mail address and a
/// password hash.
async fn verify_names_ids_and_columns_never_personal_data(engine: Engine) {
    let (server, users) = populated(engine).await;
    let pool = &server.store().database().pool;
    sqlx::query("UPDATE proj_users SET mobile = '13999999999' WHERE user_id = $1")
        .bind(&users[2])
        .execute(pool)
        .await
        .unwrap();
    let what = match cli::verify(server.store()).await.unwrap() {
        Verdict::ProjectionDiffers(what) => what,
        other => panic!("expected a projection difference, got {other:?}"),
    };
    assert!(what.starts_with("proj_users: "), "{what}");
    assert!(what.contains(&format!("user_id={}", users[2])), "{what}");
    assert!(what.ends_with("column(s) mobile"), "{what}");
    for personal in [
        "13999999999",
        "13700000002",
        "kept2",
        "@example.com",
        "$argon2",
    ] {
        assert!(!what.contains(personal), "{personal} in {what}");
    }
    server.finish().await;
}

on_both_engines!(
    verify_names_ids_and_columns_never_personal_data,
    a_backup_taken_while_writing_restores_and_verifies,
    damaged_newer_or_misplaced_backups_are_refused_and_write_nothing,
    a_backup_overwrites_no_file,
);
