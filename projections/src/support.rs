//! Small helpers shared by the projections.

use commands::RecordedEvent;
use domain::aggregate::from_stored;
use domain::DomainEvent;

/// The typed event of a recorded one, or an error naming its position.
pub fn typed<E: DomainEvent>(event: &RecordedEvent) -> anyhow::Result<E> {
    from_stored(&event.event_type, event.payload.clone()).map_err(|e| {
        anyhow::anyhow!(
            "event {} at position {} does not parse: {e}",
            event.event_type,
            event.position
        )
    })
}

/// `$from, $from+1, …` placeholders for an IN list.
pub fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn flag(value: bool) -> i64 {
    i64::from(value)
}
