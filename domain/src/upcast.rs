//! Upcasting: old stored event shapes are rewritten to the current shape when loaded, never on
//! disk. An upcaster handles one `event_type` at one `schema_version` and yields the next version.

use serde_json::Value;

pub trait Upcaster: Send + Sync {
    fn event_type(&self) -> &str;
    /// The schema version this upcaster reads; it produces `reads_version + 1`.
    fn reads_version(&self) -> u32;
    fn upcast(&self, payload: Value) -> Value;
}

/// Applies every matching upcaster in turn until the payload reaches its newest version.
pub fn upcast(
    upcasters: &[Box<dyn Upcaster>],
    event_type: &str,
    mut version: u32,
    mut payload: Value,
) -> (u32, Value) {
    while let Some(step) = upcasters
        .iter()
        .find(|u| u.event_type() == event_type && u.reads_version() == version)
    {
        payload = step.upcast(payload);
        version += 1;
    }
    (version, payload)
}

/// The upcasters of the current domain. Every event is still at schema version 1.
pub fn registered() -> Vec<Box<dyn Upcaster>> {
    Vec::new()
}
