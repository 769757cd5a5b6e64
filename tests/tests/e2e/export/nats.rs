//! The NATS JetStream consumer (ops/adr/0024): every event published once to
//! `<prefix>.<tenant>.<event_type>` with `Nats-Msg-Id` = its CloudEvents id, in position order;
//! a restart neither loses nor repeats one, and a replay inside the duplicate window adds
//! nothing to the stream (JetStream drops the copies by their ids).
//!
//! Needs a NATS server with JetStream at `IDAAS_TEST_NATS_URL` (default `nats://127.0.0.1:4222`;
//! `nats-server -js`): skipped without one, failed under `IDAAS_TEST_REQUIRE_ALL=1`.

use std::time::Duration;

use async_nats::jetstream;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::Value;
use usecases::export::{ConsumerKind, ConsumerSettings};

use super::support::{create_users, last_position, wait_for_checkpoint};

fn nats_url() -> String {
    std::env::var("IDAAS_TEST_NATS_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "nats://127.0.0.1:4222".into())
}

/// A JetStream context, or `None` (reported as a skip) when no NATS server answers.
async fn jetstream() -> Option<jetstream::Context> {
    let url = nats_url();
    let connecting = async_nats::ConnectOptions::new().connect(&url);
    match tokio::time::timeout(Duration::from_secs(3), connecting).await {
        Ok(Ok(client)) => Some(jetstream::new(client)),
        _ => {
            idaas_tests::skip(
                "the NATS JetStream export",
                &format!("no NATS server at {url} (start one with `nats-server -js`)"),
            );
            None
        }
    }
}

/// The messages of `stream`, in sequence order.
async fn messages(context: &jetstream::Context, stream: &str) -> Vec<(String, String, Value)> {
    let mut stream = context.get_stream(stream).await.expect("the stream");
    let count = stream.info().await.expect("stream info").state.messages;
    let mut messages = Vec::new();
    for sequence in 1..=count {
        let message = stream.get_raw_message(sequence).await.expect("a message");
        let id = message
            .headers
            .get(async_nats::header::NATS_MESSAGE_ID)
            .map(|v| v.to_string())
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&message.payload).expect("JSON");
        messages.push((message.subject.to_string(), id, body));
    }
    messages
}

async fn message_count(context: &jetstream::Context, stream: &str) -> u64 {
    let mut stream = context.get_stream(stream).await.expect("the stream");
    stream.info().await.expect("stream info").state.messages
}

async fn the_nats_consumer_publishes_each_event_once_across_restarts_and_replays(engine: Engine) {
    let Some(context) = jetstream().await else {
        return;
    };
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let stream = format!("IDAAS_TEST_{unique}");
    let prefix = format!("idaastest.{unique}");
    let consumer = ConsumerSettings {
        name: "bus".into(),
        kind: ConsumerKind::Nats,
        url: nats_url(),
        subject_prefix: prefix.clone(),
        stream: stream.clone(),
        retry_first_ms: 10,
        retry_max_ms: 200,
        ..ConsumerSettings::default()
    };
    let mut server = TestServer::start_configured(engine, |config| {
        config.export.consumers.push(consumer);
    })
    .await;
    let token = server.token().await;
    create_users(&server.client, &token, 0, 3).await;
    let first = last_position(server.store()).await;
    wait_for_checkpoint(server.store(), "bus", first).await;

    server.restart().await;
    let token = server.token().await;
    create_users(&server.client, &token, 3, 2).await;
    let last = last_position(server.store()).await;
    wait_for_checkpoint(server.store(), "bus", last).await;

    let published = messages(&context, &stream).await;
    let positions: Vec<i64> = published
        .iter()
        .map(|(_, _, body)| body["idaasposition"].as_i64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=last).collect::<Vec<_>>(),
        "once each, in order"
    );
    for (subject, id, body) in &published {
        assert_eq!(
            id,
            body["id"].as_str().unwrap(),
            "Nats-Msg-Id is the event id"
        );
        let event_type = body["type"].as_str().unwrap().trim_start_matches("idaas.");
        let tenant = body["idaastenant"].as_str().unwrap();
        assert_eq!(*subject, format!("{prefix}.{tenant}.{event_type}"));
        assert_eq!(body["specversion"], "1.0");
    }

    // A replay from the start publishes every event again: JetStream drops them by their ids.
    let db = server.store().database();
    idaas_server::export::replay(db, "bus", 1).await.unwrap();
    wait_for_checkpoint(server.store(), "bus", last).await;
    assert_eq!(
        message_count(&context, &stream).await,
        last as u64,
        "the copies were dropped as duplicates"
    );
    server.finish().await;
    let _ = context.delete_stream(&stream).await;
}

on_both_engines!(the_nats_consumer_publishes_each_event_once_across_restarts_and_replays);
