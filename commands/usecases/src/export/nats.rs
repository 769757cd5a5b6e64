//! NATS JetStream deliveries (ops/adr/0024): each event published to
//! `<prefix>.<tenant>.<event_type>` with `Nats-Msg-Id` = its CloudEvents id, so the stream
//! drops a second copy within its duplicate window; a page is published at once and the
//! checkpoint moves only over the events whose publish JetStream acknowledged, in order.

use async_nats::jetstream::{self, stream};
use async_nats::HeaderMap;
use bytes::Bytes;

use super::envelope::CONTENT_TYPE;

/// One event ready to publish.
pub struct Outgoing {
    pub subject: String,
    pub id: String,
    pub body: Bytes,
}

/// A JetStream context on a connected client.
pub struct JetStream {
    context: jetstream::Context,
    prefix: String,
}

impl JetStream {
    /// Connects to `url` and makes sure `stream` exists (created over `<prefix>.>` with the
    /// server's defaults, a two-minute duplicate window among them, when it does not).
    pub async fn connect(url: &str, stream_name: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = async_nats::ConnectOptions::new()
            .name("idaas export")
            .connect(url)
            .await
            .map_err(|e| anyhow::anyhow!("connecting to NATS: {e}"))?;
        let context = jetstream::new(client);
        context
            .get_or_create_stream(stream::Config {
                name: stream_name.to_string(),
                subjects: vec![format!("{prefix}.>")],
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow::anyhow!("the JetStream stream {stream_name}: {e}"))?;
        Ok(Self {
            context,
            prefix: prefix.to_string(),
        })
    }

    /// The subject of an event: the prefix, the tenant and the event type's own tokens (a
    /// character NATS gives a meaning to in a tenant id is replaced by `_`).
    pub fn subject(&self, tenant: &str, event_type: &str) -> String {
        let tenant: String = tenant
            .chars()
            .map(|c| {
                if c == '.' || c == '*' || c == '>' || c.is_whitespace() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        format!("{}.{tenant}.{event_type}", self.prefix)
    }

    /// Publishes every event, then waits for the acknowledgements in order: how many were
    /// acknowledged before the first failure (all of them, or the failure's reason).
    pub async fn publish(&self, events: &[Outgoing]) -> (usize, Option<String>) {
        let mut pending = Vec::with_capacity(events.len());
        for event in events {
            let mut headers = HeaderMap::new();
            headers.insert(async_nats::header::NATS_MESSAGE_ID, event.id.as_str());
            headers.insert("Content-Type", CONTENT_TYPE);
            let sent = self
                .context
                .publish_with_headers(event.subject.clone(), headers, event.body.clone())
                .await;
            match sent {
                Ok(ack) => pending.push(ack),
                Err(error) => {
                    // Those sent before it may still be acknowledged.
                    let failure = format!("publishing: {error}");
                    return (acknowledged(pending).await.0, Some(failure));
                }
            }
        }
        acknowledged(pending).await
    }
}

async fn acknowledged(
    pending: Vec<jetstream::context::PublishAckFuture>,
) -> (usize, Option<String>) {
    let mut acked = 0;
    for ack in pending {
        match ack.await {
            Ok(_) => acked += 1,
            Err(error) => {
                return (
                    acked,
                    Some(format!("no JetStream acknowledgement: {error}")),
                )
            }
        }
    }
    (acked, None)
}
