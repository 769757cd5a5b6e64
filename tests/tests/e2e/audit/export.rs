//! `GET /audit/v1/export` (ops/adr/0023): an auditor with only the API downloads the tenant's
//! export and verifies it offline against the keys the server publishes; a chain keeping client
//! addresses in its hashed bytes is exported only to a credential granted personal reading.

use idaas_server::checkpoints as cp;
use idaas_tests::{on_both_engines, sso, Engine, TestServer};
use reqwest::Method;

use super::support::auditor;

async fn an_auditor_downloads_the_export_and_verifies_it_offline(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.checkpoints.every_events = 0;
        c.checkpoints.every_seconds = 0;
    })
    .await;
    let t = server.token().await;
    for n in 0..3 {
        sso::user(
            &server,
            &t,
            &format!("exported{n}"),
            &format!("1330000000{n}"),
        )
        .await;
    }
    cp::checkpoint_now(&server.config).await.unwrap();
    sso::user(&server, &t, "afterwards", "13300000009").await;
    let plain = auditor(&server, &t, false).await;
    let reply = server.client.get("/audit/v1/export", &plain.token).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        !reply.text.contains("13300000001"),
        "personal values are sealed"
    );
    let dir = server.database.data_dir.clone();
    let file = dir.join("from-the-api.jsonl");
    std::fs::write(&file, &reply.text).unwrap();
    let keys = server
        .client
        .send(
            Method::GET,
            "/.well-known/idaas-checkpoint-keys",
            None,
            None,
            &[],
        )
        .await;
    let keys_file = dir.join("published-keys.json");
    std::fs::write(&keys_file, &keys.text).unwrap();
    let report = cp::verify_offline(&file, Some(&keys_file))
        .unwrap()
        .expect("the export verifies offline");
    assert_eq!(report.tenant.as_deref(), Some("default"));
    assert!(report.events > 4 && report.checkpoints == 1, "{report:?}");
    assert!(!report.keys_from_export);
    // A cut download is told from a whole one.
    let cut = dir.join("cut.jsonl");
    let lines: Vec<&str> = reply.text.lines().collect();
    std::fs::write(&cut, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    assert!(cp::verify_offline(&cut, Some(&keys_file)).unwrap().is_err());
    // A parameter is refused; an administrator without audit reading is refused.
    let refused = server
        .client
        .get("/audit/v1/export?tenant=x", &plain.token)
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(server.client.get("/audit/v1/export", &t).await.status, 403);

    // An older event keeping a client address in its hashed metadata (as before ADR 0026):
    // only a credential granted personal reading gets the export.
    sqlx::query(
        "UPDATE events SET metadata = REPLACE(metadata, '\"client_ip\":null', \
         '\"client_ip\":\"198.51.100.7\"') WHERE position = (SELECT MAX(position) FROM events \
         WHERE tenant_id = 'default' AND metadata LIKE '%\"client_ip\":null%')",
    )
    .execute(&server.store().database().pool)
    .await
    .unwrap();
    let refused = server.client.get("/audit/v1/export", &plain.token).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(refused.body["message"]
        .as_str()
        .unwrap()
        .contains("personal"));
    let personal = auditor(&server, &t, true).await;
    let reply = server.client.get("/audit/v1/export", &personal.token).await;
    assert_eq!(reply.status, 200);
    assert!(reply.text.contains("198.51.100.7"));
    server.finish().await;
}

on_both_engines!(an_auditor_downloads_the_export_and_verifies_it_offline);
