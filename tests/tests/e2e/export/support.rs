//! What the export tests share: a webhook receiver that checks signatures as a receiver would
//! (with its own HMAC, aws-lc-rs), traffic that writes events, and waiting.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use idaas_tests::Client;
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use usecases::export::{ConsumerKind, ConsumerSettings};

pub const SECRET: &str = "a webhook secret of the tests";

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub idempotency_key: String,
    pub attempt: u32,
    /// Whether the signature matched the body and timestamp under [`SECRET`].
    pub signed: bool,
    pub body: Value,
    /// Whether the receiver acknowledged it (2xx).
    pub acknowledged: bool,
}

impl Delivery {
    pub fn position(&self) -> i64 {
        self.body["idaasposition"].as_i64().expect("idaasposition")
    }
}

#[derive(Default)]
struct Shared {
    deliveries: Mutex<Vec<Delivery>>,
    /// Event ids answered 500.
    refuse: Mutex<HashSet<String>>,
    /// Refuse the first `user.created` event it sees, and every later attempt at it.
    refuse_first_user: Mutex<bool>,
    /// A wait before each answer, in milliseconds.
    delay_ms: AtomicU64,
}

/// A webhook receiver on 127.0.0.1.
pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, shared, task }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.deliveries.lock().unwrap().clone()
    }

    /// The acknowledged deliveries.
    pub fn acknowledged(&self) -> Vec<Delivery> {
        self.deliveries()
            .into_iter()
            .filter(|d| d.acknowledged)
            .collect()
    }

    pub fn refuse_first_user_created(&self, refuse: bool) {
        *self.shared.refuse_first_user.lock().unwrap() = refuse;
        if !refuse {
            self.shared.refuse.lock().unwrap().clear();
        }
    }

    pub fn delay(&self, ms: u64) {
        self.shared.delay_ms.store(ms, Ordering::SeqCst);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Checks the signature as a receiver does: HMAC-SHA256 over `"<timestamp>.<body>"`, compared
/// in constant time, the timestamp within five minutes of now.
pub fn verify(headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(signature)) =
        (header("x-idaas-timestamp"), header("x-idaas-signature"))
    else {
        return false;
    };
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if (now - seconds).abs() > 300 {
        return false;
    }
    let Some(hex) = signature.strip_prefix("v1=") else {
        return false;
    };
    let Some(tag) = decode_hex(hex) else {
        return false;
    };
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET.as_bytes());
    let mut signed = Vec::with_capacity(timestamp.len() + 1 + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    aws_lc_rs::hmac::verify(&key, &signed, &tag).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let delay = shared.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let signed = verify(&headers, &body);
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let id = parsed["id"].as_str().unwrap_or_default().to_string();
    let refused = {
        let mut refuse = shared.refuse.lock().unwrap();
        let first_user = *shared.refuse_first_user.lock().unwrap();
        if first_user && refuse.is_empty() && parsed["type"] == "idaas.user.created" {
            refuse.insert(id.clone());
        }
        refuse.contains(&id)
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let acknowledged = signed && !refused;
    shared.deliveries.lock().unwrap().push(Delivery {
        idempotency_key: header("idempotency-key"),
        attempt: header("x-idaas-attempt").parse().unwrap_or(0),
        signed,
        body: parsed,
        acknowledged,
    });
    if acknowledged {
        StatusCode::NO_CONTENT
    } else if !signed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// A webhook consumer of every event, retrying quickly (the tests' receiver answers at once).
pub fn webhook(name: &str, url: &str) -> ConsumerSettings {
    ConsumerSettings {
        name: name.into(),
        kind: ConsumerKind::Webhook,
        url: url.into(),
        secret: Some(SECRET.to_string().into()),
        retry_first_ms: 10,
        retry_max_ms: 100,
        ..ConsumerSettings::default()
    }
}

/// Creates `count` users through the OneAccess management API (each with a mobile: personal
/// data that must not leave unmasked); their mobiles.
pub async fn create_users(client: &Client, token: &str, from: usize, count: usize) -> Vec<String> {
    let mut mobiles = Vec::new();
    for i in from..from + count {
        let mobile = format!("1391234{i:04}");
        let reply = client
            .post(
                "/api/v2/tenant/users",
                token,
                json!({"user_name": format!("export{i}"), "mobile": mobile}),
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        mobiles.push(mobile);
    }
    mobiles
}

/// The last position of the log.
pub async fn last_position(store: &store::EventStore) -> i64 {
    store::export::last_position(store.database())
        .await
        .expect("last position")
}

/// Waits (at most 60 s: the machine may be busy) until `done` holds.
pub async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Every position from 1 to `last` is among the acknowledged deliveries, each delivery's
/// idempotency key is its CloudEvents id, and a position delivered twice was the same event.
pub fn assert_no_gap(deliveries: &[Delivery], last: i64) {
    let mut seen = std::collections::BTreeMap::new();
    for delivery in deliveries {
        assert!(delivery.signed, "unsigned delivery {:?}", delivery.body);
        assert_eq!(delivery.idempotency_key, delivery.body["id"]);
        let previous = seen.insert(delivery.position(), delivery.body.clone());
        if let Some(previous) = previous {
            assert_eq!(previous, delivery.body, "a duplicate is the same event");
        }
    }
    let positions: Vec<i64> = seen.keys().copied().collect();
    assert_eq!(
        positions,
        (1..=last).collect::<Vec<_>>(),
        "every position once"
    );
}

/// Waits (at most 60 s) until consumer `name`'s checkpoint is at `position`.
pub async fn wait_for_checkpoint(store: &store::EventStore, name: &str, position: i64) {
    let mut at = None;
    for _ in 0..1200 {
        let checkpoints = store::export::checkpoints(store.database())
            .await
            .expect("checkpoints");
        at = checkpoints
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.position);
        if at == Some(position) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("consumer {name} is at {at:?}, not at {position}");
}
