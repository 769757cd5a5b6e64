//! The CloudEvents 1.0 envelope of an exported event, JSON structured mode
//! (<https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md>).
//!
//! `data` is the payload as an auditor without the personal-values grant sees it
//! (`audit::redact`): secrets replaced by `[secret]`, the personal object's values by
//! `[masked]` (its field names kept), an erased subject's by `[erased]`. The request metadata's
//! personal values (client address, user agent, the person acted for) are not exported.

use serde_json::{json, Map, Value};
use store::RecordedEvent;

use crate::audit::redact;

/// The media type of a structured-mode CloudEvent in JSON.
pub const CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";

/// The CloudEvents `id` of an event, which is also its idempotency key: the tenant and the
/// global position, stable for the life of the store (and across a backup and restore).
pub fn event_id(event: &RecordedEvent) -> String {
    format!("{}:{}", event.tenant_id, event.position)
}

/// The envelope of `event` from `source`.
pub fn envelope(source: &str, event: &RecordedEvent) -> Value {
    let mut fields = Map::new();
    fields.insert("specversion".into(), json!("1.0"));
    fields.insert("id".into(), json!(event_id(event)));
    fields.insert("source".into(), json!(source));
    fields.insert("type".into(), json!(format!("idaas.{}", event.event_type)));
    fields.insert(
        "subject".into(),
        json!(format!("{}/{}", event.stream_type, event.stream_id)),
    );
    fields.insert("time".into(), json!(event.recorded_at));
    fields.insert("datacontenttype".into(), json!("application/json"));
    // Extension attributes: lower-case letters and digits only (CloudEvents 1.0 §"Naming").
    fields.insert("idaasposition".into(), json!(event.position));
    fields.insert("idaastenant".into(), json!(event.tenant_id));
    fields.insert("idaasversion".into(), json!(event.version));
    fields.insert("idaasschemaversion".into(), json!(event.schema_version));
    let meta = &event.metadata;
    for (name, value) in [
        ("idaasactor", &meta.actor_id),
        ("idaasactorkind", &meta.actor_kind),
        ("idaassurface", &meta.surface),
        ("idaasrequestid", &meta.request_id),
        ("idaascorrelationid", &meta.correlation_id),
        ("idaascausationid", &meta.causation_id),
    ] {
        if let Some(value) = value {
            fields.insert(name.into(), json!(value));
        }
    }
    fields.insert("data".into(), redact::payload(&event.payload, false));
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use store::Metadata;

    use super::*;

    #[test]
    fn the_envelope_masks_personal_values_and_never_carries_a_secret() {
        let event = RecordedEvent {
            position: 42,
            tenant_id: "acme".into(),
            stream_type: "user".into(),
            stream_id: "u1".into(),
            version: 3,
            event_type: "user.created".into(),
            schema_version: 2,
            payload: json!({
                "user_id": "u1",
                "password_hash": "$argon2id$…",
                "personal": {"email": "a@example.com", "mobile": null},
            }),
            metadata: Metadata {
                actor_id: Some("app1".into()),
                client_ip: Some("192.0.2.1".into()),
                user_agent: Some("curl".into()),
                ..Metadata::default()
            },
            recorded_at: "2026-12-06T10:00:00.000Z".into(),
        };
        let envelope = envelope("urn:idaas", &event);
        assert_eq!(envelope["id"], "acme:42");
        assert_eq!(envelope["type"], "idaas.user.created");
        assert_eq!(envelope["subject"], "user/u1");
        assert_eq!(envelope["idaasposition"], 42);
        assert_eq!(envelope["data"]["password_hash"], "[secret]");
        assert_eq!(envelope["data"]["personal"]["email"], "[masked]");
        assert_eq!(envelope["data"]["personal"]["mobile"], Value::Null);
        let text = envelope.to_string();
        for personal in ["a@example.com", "192.0.2.1", "curl", "argon2"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }

    #[test]
    fn an_erased_subject_is_exported_as_erased() {
        // The store opens an erased subject's personal object as `{"erased": true}`.
        let event = RecordedEvent {
            position: 7,
            tenant_id: "acme".into(),
            stream_type: "user".into(),
            stream_id: "u1".into(),
            version: 1,
            event_type: "user.created".into(),
            schema_version: 2,
            payload: json!({"user_id": "u1", "personal": {"erased": true}}),
            metadata: Metadata::default(),
            recorded_at: "2026-12-06T10:00:00.000Z".into(),
        };
        let envelope = envelope("urn:idaas", &event);
        assert_eq!(envelope["data"]["personal"], "[erased]");
        assert_eq!(envelope["data"]["user_id"], "u1");
    }
}
