//! Time and ids come in (STYLE.md §12): the application state holds a clock and an id source, so
//! tests move time instead of sleeping and every expiry is exact.

use std::sync::atomic::{AtomicI64, Ordering};

use rand::distributions::Alphanumeric;
use rand::{Rng, RngCore};

/// The current time.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// The system's wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// The wall clock moved forward by hand (tests): `advance` makes time pass at once.
#[derive(Default)]
pub struct MovableClock {
    offset_ms: AtomicI64,
}

impl MovableClock {
    /// Moves this clock `millis` further ahead of the wall clock.
    pub fn advance(&self, millis: i64) {
        self.offset_ms.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for MovableClock {
    fn now_millis(&self) -> i64 {
        SystemClock.now_millis() + self.offset_ms.load(Ordering::SeqCst)
    }
}

/// Where new ids and random secrets come from.
pub trait IdSource: Send + Sync {
    /// An entity id in the OneAccess form `yyyyMMddHHmmssSSS-XXXX-XXXXXXXXX` (specs/oneaccess.md
    /// §1.6): the creation time (UTC) and 52 random bits in upper-case hex.
    fn entity_id(&self, now_ms: i64) -> String;
    /// A random base62 string of `len` characters (client ids, secrets, tickets).
    fn base62(&self, len: usize) -> String;
    /// A random UUID v4 (the OneAccess management token format, event and token ids).
    fn uuid(&self) -> String;
    /// A time-ordered UUID (v7: the time in milliseconds, then 74 random bits) for the stream
    /// of a record made on a hot path (a token, a grant, a session, a ticket). Rows keyed by it
    /// land at the end of their indexes, where a batch's inserts share pages, instead of each
    /// on a page of its own (ops/adr/0031). Never a secret: it tells when it was made.
    fn ordered_uuid(&self) -> String;
}

/// Ids from the operating system's random source.
pub struct RandomIds;

impl IdSource for RandomIds {
    fn entity_id(&self, now_ms: i64) -> String {
        let time = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
        let mut rng = rand::thread_rng();
        let a: u16 = rng.gen();
        let b: u64 = rng.next_u64() & 0xF_FFFF_FFFF;
        format!("{}-{a:04X}-{b:09X}", time.format("%Y%m%d%H%M%S%3f"))
    }

    fn base62(&self, len: usize) -> String {
        rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(len)
            .map(char::from)
            .collect()
    }

    fn uuid(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn ordered_uuid(&self) -> String {
        uuid::Uuid::now_v7().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_have_the_oneaccess_shape() {
        let id = RandomIds.entity_id(1_649_840_257_132);
        assert_eq!(id.len(), 32);
        assert!(id.starts_with("20220413085737132-"), "{id}");
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(parts[1].len(), 4);
        assert_eq!(parts[2].len(), 9);
        assert!(parts[2]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    }

    #[test]
    fn a_movable_clock_moves_only_forward_by_what_it_is_told() {
        let clock = MovableClock::default();
        let before = clock.now_millis();
        clock.advance(3_600_000);
        let after = clock.now_millis();
        assert!(after - before >= 3_600_000 && after - before < 3_700_000);
    }
}
