//! Rules that span aggregates hold under concurrency: the facts a decision read from projections
//! are checked again inside the append transaction (guards).

use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

const USERS: &str = "/api/v2/tenant/users";
const ORGS: &str = "/api/v2/tenant/organizations";

async fn an_organisation_is_never_deleted_under_a_user_placed_in_it_concurrently(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    for round in 0..15 {
        let code = format!("race{round}");
        let org = server
            .client
            .post(ORGS, &t, json!({"code": code, "name": code}))
            .await
            .body["org_id"]
            .as_str()
            .unwrap()
            .to_string();
        let org_path = format!("{ORGS}/{org}");
        let (deleted, created) = tokio::join!(
            server.client.delete(&org_path, &t),
            server.client.post(USERS, &t, json!({"user_name": format!("u{round}"), "mobile": format!("1390000{round:04}"), "org_code": code}))
        );
        let both = deleted.status.as_u16() == 204 && created.status.as_u16() == 201;
        assert!(
            !both,
            "round {round}: the organisation was deleted and a user placed in it"
        );
        if created.status.as_u16() == 201 {
            server
                .client
                .get(&format!("{ORGS}/{org}"), &t)
                .await
                .assert_status(200);
        } else {
            created.assert_error("ORG.0001");
        }
        if deleted.status.as_u16() != 204 {
            deleted.assert_error("ORG.0016");
        }
    }
    server.finish().await;
}

async fn two_opposite_moves_never_make_a_cycle(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    for round in 0..15 {
        let a = server
            .client
            .post(
                ORGS,
                &t,
                json!({"code": format!("a{round}"), "name": format!("a{round}")}),
            )
            .await
            .body["org_id"]
            .as_str()
            .unwrap()
            .to_string();
        let b = server
            .client
            .post(
                ORGS,
                &t,
                json!({"code": format!("b{round}"), "name": format!("b{round}")}),
            )
            .await
            .body["org_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (path_a, path_b) = (format!("{ORGS}/{a}"), format!("{ORGS}/{b}"));
        let (a_under_b, b_under_a) = tokio::join!(
            server.client.put(&path_a, &t, json!({"parent_id": b})),
            server.client.put(&path_b, &t, json!({"parent_id": a}))
        );
        let moved = [&a_under_b, &b_under_a]
            .iter()
            .filter(|r| r.status.as_u16() == 200)
            .count();
        assert_eq!(moved, 1, "round {round}: exactly one move wins");
        for reply in [&a_under_b, &b_under_a] {
            if reply.status.as_u16() != 200 {
                reply.assert_error("ORG.0017");
            }
        }
    }
    assert!(matches!(
        idaas_server::cli::verify(server.store()).await.unwrap(),
        idaas_server::cli::Verdict::Sound { .. }
    ));
    server.finish().await;
}

on_both_engines!(
    an_organisation_is_never_deleted_under_a_user_placed_in_it_concurrently,
    two_opposite_moves_never_make_a_cycle,
);
