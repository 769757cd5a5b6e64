//! Signed webhooks (ops/adr/0024, docs/operations.md "Export"): every event delivered once, in
//! position order, as a signed CloudEvent without personal values; a filter; a receiver that
//! fails is retried, then the event is dead-lettered and the consumer moves on; a replay from a
//! position delivers again with the same ids; a restart resumes where the checkpoint is.

use idaas_tests::{on_both_engines, Engine, TestServer};

use super::support::{
    assert_no_gap, create_users, last_position, wait_for_checkpoint, webhook, Delivery, Receiver,
};

async fn webhook_deliveries_are_signed_complete_and_in_position_order(engine: Engine) {
    let receiver = Receiver::start().await;
    let users_only = Receiver::start().await;
    let server = TestServer::start_configured(engine, |config| {
        config.export.consumers.push(webhook("all", &receiver.url));
        let mut users = webhook("users", &users_only.url);
        users.event_types = vec!["user.*".into()];
        config.export.consumers.push(users);
    })
    .await;
    let token = server.token().await;
    let mobiles = create_users(&server.client, &token, 0, 3).await;
    let last = last_position(server.store()).await;
    wait_for_checkpoint(server.store(), "all", last).await;
    wait_for_checkpoint(server.store(), "users", last).await;

    let deliveries = receiver.deliveries();
    assert!(deliveries.iter().all(|d| d.acknowledged && d.attempt == 1));
    let positions: Vec<i64> = deliveries.iter().map(Delivery::position).collect();
    assert_eq!(
        positions,
        (1..=last).collect::<Vec<_>>(),
        "once each, in order"
    );
    assert_no_gap(&deliveries, last);
    for delivery in &deliveries {
        let event = &delivery.body;
        let tenant = event["idaastenant"].as_str().unwrap();
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["source"], "urn:idaas");
        assert_eq!(event["id"], format!("{tenant}:{}", delivery.position()));
        assert!(event["type"].as_str().unwrap().starts_with("idaas."));
        assert!(event["subject"].as_str().unwrap().contains('/'));
        assert!(event["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(event["datacontenttype"], "application/json");
        let text = event.to_string();
        for mobile in &mobiles {
            assert!(
                !text.contains(mobile.as_str()),
                "a mobile left unmasked: {text}"
            );
        }
        assert!(!text.contains(&server.credentials.client_secret));
    }
    let created: Vec<&Delivery> = deliveries
        .iter()
        .filter(|d| d.body["type"] == "idaas.user.created")
        .collect();
    assert_eq!(created.len(), 3);
    assert!(created[0].body["data"].to_string().contains("[masked]"));

    let filtered = users_only.deliveries();
    let wanted: Vec<i64> = deliveries
        .iter()
        .filter(|d| d.body["type"].as_str().unwrap().starts_with("idaas.user."))
        .map(Delivery::position)
        .collect();
    let got: Vec<i64> = filtered.iter().map(Delivery::position).collect();
    assert_eq!(
        got, wanted,
        "the filtered consumer gets the user events only"
    );

    let checkpoints = store::export::checkpoints(server.store().database())
        .await
        .unwrap();
    let all = checkpoints.iter().find(|c| c.name == "all").unwrap();
    assert_eq!((all.kind.as_str(), all.delivered), ("webhook", last));
    let status = idaas_server::export::status(server.store().database(), &server.config)
        .await
        .unwrap();
    let all = status.iter().find(|s| s["consumer"] == "all").unwrap();
    assert_eq!(all["behind"], 0);
    assert_eq!(all["dead_letters"], 0);
    assert_eq!(all["configured"], true);
    server.finish().await;
}

async fn a_failing_event_is_retried_dead_lettered_and_delivered_again_by_a_replay(engine: Engine) {
    let receiver = Receiver::start().await;
    receiver.refuse_first_user_created(true);
    let server = TestServer::start_configured(engine, |config| {
        let mut hook = webhook("hook", &receiver.url);
        hook.max_attempts = Some(3);
        config.export.consumers.push(hook);
    })
    .await;
    let token = server.token().await;
    create_users(&server.client, &token, 0, 2).await;
    let last = last_position(server.store()).await;
    wait_for_checkpoint(server.store(), "hook", last).await;

    let deliveries = receiver.deliveries();
    let refused: Vec<&Delivery> = deliveries.iter().filter(|d| !d.acknowledged).collect();
    let failing = refused[0].position();
    assert_eq!(
        refused
            .iter()
            .map(|d| (d.position(), d.attempt))
            .collect::<Vec<_>>(),
        vec![(failing, 1), (failing, 2), (failing, 3)],
        "three attempts, then no more"
    );
    let db = server.store().database();
    let letters = store::export::dead_letters(db, Some("hook")).await.unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].position, failing);
    assert_eq!(letters[0].attempts, 3);
    assert_eq!(letters[0].event_id, format!("default:{failing}"));
    assert_eq!(letters[0].event_type, "user.created");
    assert_eq!(letters[0].last_error, "answered HTTP 500");
    let acknowledged: Vec<i64> = receiver
        .acknowledged()
        .iter()
        .map(Delivery::position)
        .collect();
    let others: Vec<i64> = (1..=last).filter(|p| *p != failing).collect();
    assert_eq!(
        acknowledged, others,
        "the consumer moved on past the dead letter"
    );

    // The receiver is fixed; the operator replays from the dead letter's position.
    receiver.refuse_first_user_created(false);
    let before = receiver.deliveries().len();
    let was_at = idaas_server::export::replay(db, "hook", failing)
        .await
        .unwrap();
    assert_eq!(was_at, last);
    assert!(store::export::dead_letters(db, Some("hook"))
        .await
        .unwrap()
        .is_empty());
    super::support::wait_until("the replay reached the end", || {
        receiver.deliveries().len() - before == (last - failing + 1) as usize
    })
    .await;
    wait_for_checkpoint(server.store(), "hook", last).await;
    let again = receiver.deliveries()[before..].to_vec();
    assert!(again.iter().all(|d| d.acknowledged));
    let positions: Vec<i64> = again.iter().map(Delivery::position).collect();
    assert_eq!(positions, (failing..=last).collect::<Vec<_>>());
    for delivery in &again[1..] {
        let first = deliveries
            .iter()
            .find(|d| d.acknowledged && d.position() == delivery.position())
            .unwrap();
        assert_eq!(
            first.body, delivery.body,
            "a replayed event is the same event"
        );
    }
    assert_no_gap(&receiver.acknowledged(), last);
    server.finish().await;
}

async fn a_restarted_server_resumes_at_its_checkpoint_without_a_gap_or_a_duplicate(engine: Engine) {
    let receiver = Receiver::start().await;
    let mut server = TestServer::start_configured(engine, |config| {
        config.export.consumers.push(webhook("hook", &receiver.url));
    })
    .await;
    let token = server.token().await;
    create_users(&server.client, &token, 0, 3).await;
    let first = last_position(server.store()).await;
    wait_for_checkpoint(server.store(), "hook", first).await;
    server.restart().await;
    let token = server.token().await;
    create_users(&server.client, &token, 3, 3).await;
    let last = last_position(server.store()).await;
    assert!(last > first);
    wait_for_checkpoint(server.store(), "hook", last).await;
    let deliveries = receiver.deliveries();
    let positions: Vec<i64> = deliveries.iter().map(Delivery::position).collect();
    assert_eq!(
        positions,
        (1..=last).collect::<Vec<_>>(),
        "no gap, no duplicate"
    );
    server.finish().await;
}

on_both_engines!(
    webhook_deliveries_are_signed_complete_and_in_position_order,
    a_failing_event_is_retried_dead_lettered_and_delivered_again_by_a_replay,
    a_restarted_server_resumes_at_its_checkpoint_without_a_gap_or_a_duplicate,
);
