//! The change feed (DESIGN.md "Hot paths, caches and several nodes", ops/adr/0028): what the
//! committed events changed, told to the in-process subscribers (the caches of hot reads) so
//! that they drop what an event made stale.
//!
//! The writer tells them synchronously after each commit, before it answers the appenders, so a
//! node reads its own writes. What other processes commit reaches them through the poller
//! (`poll`), which watches the global position. When something may have been missed (the
//! poller fell too far behind, or failed) the subscribers are told to drop everything.

mod poll;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

pub use poll::ChangePoller;

/// What one committed event touched: enough to drop what it made stale, nothing of its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub position: i64,
    pub tenant_id: String,
    pub stream_type: String,
    pub stream_id: String,
    pub event_type: String,
}

/// Something that keeps what the events decide (a cache) and must hear of every commit.
pub trait ChangeSubscriber: Send + Sync {
    /// Committed events, in position order, perhaps some more than once. Called on the writer's
    /// or the poller's task: drop entries and return, never wait.
    fn changed(&self, changes: &[Change]);

    /// Events may have been missed: drop everything.
    fn reset(&self);
}

/// How far the subscribers have been told: every position up to `seen`, and the ranges beyond
/// it that this process's writer told (merged into `seen` once what lies between is told too).
#[derive(Debug, Default)]
struct Progress {
    /// `None` until the poller first read the global position.
    seen: Option<i64>,
    ahead: Vec<(i64, i64)>,
}

/// Ranges told ahead of `seen` that are remembered; older ones are told again by the poller.
const MAX_AHEAD: usize = 256;

impl Progress {
    /// Positions `after + 1 ..= through` have been told.
    fn told(&mut self, after: i64, through: i64) {
        let Some(seen) = self.seen else { return };
        if after > seen {
            if self.ahead.len() == MAX_AHEAD {
                self.ahead.remove(0);
            }
            self.ahead.push((after, through));
            return;
        }
        let mut seen = seen.max(through);
        while let Some(index) = self.ahead.iter().position(|(a, _)| *a <= seen) {
            let (_, t) = self.ahead.swap_remove(index);
            seen = seen.max(t);
        }
        self.seen = Some(seen);
    }
}

/// The feed of one process's event store. Subscribers are held weakly: a dropped cache leaves.
pub struct ChangeFeed {
    subscribers: RwLock<Vec<Weak<dyn ChangeSubscriber>>>,
    progress: Mutex<Progress>,
    origin: Instant,
    /// When the last successful poll began (milliseconds after `origin`, plus one; 0: never).
    polled_at: AtomicU64,
    /// How old that may be for the caches to answer (milliseconds); 0: no poller watches other
    /// processes, and only this process's writes can change the store.
    stale_after: AtomicU64,
}

impl Default for ChangeFeed {
    fn default() -> Self {
        Self {
            subscribers: RwLock::default(),
            progress: Mutex::default(),
            origin: Instant::now(),
            polled_at: AtomicU64::new(0),
            stale_after: AtomicU64::new(0),
        }
    }
}

impl ChangeFeed {
    /// Tells `subscriber` of every commit from now on, as long as it lives elsewhere.
    pub fn subscribe(&self, subscriber: &Arc<dyn ChangeSubscriber>) {
        if let Ok(mut subscribers) = self.subscribers.write() {
            subscribers.retain(|s| s.strong_count() > 0);
            subscribers.push(Arc::downgrade(subscriber));
        }
    }

    /// Whether a cache may answer from memory: no poller runs (one process), or its last
    /// successful poll began recently enough that what other nodes committed before it has
    /// been told. Otherwise (a poller stuck or failing) the caches read the database.
    pub fn is_current(&self) -> bool {
        let stale_after = self.stale_after.load(Ordering::Relaxed);
        if stale_after == 0 {
            return true;
        }
        let polled_at = self.polled_at.load(Ordering::Relaxed);
        polled_at > 0 && self.millis() < polled_at - 1 + stale_after
    }

    /// The writer committed positions `after + 1 ..= through`, which made `changes`.
    pub(crate) fn committed(&self, after: i64, through: i64, changes: &[Change]) {
        if !changes.is_empty() {
            self.tell(changes);
        }
        if let Ok(mut progress) = self.progress.lock() {
            progress.told(after, through);
        }
    }

    /// Every subscriber drops everything; the feed goes on from `position`.
    pub(crate) fn reset_to(&self, position: Option<i64>) {
        metrics::counter!("idaas_change_feed_resets_total").increment(1);
        for subscriber in self.live() {
            subscriber.reset();
        }
        if let Ok(mut progress) = self.progress.lock() {
            if position.is_some() {
                *progress = Progress {
                    seen: position,
                    ahead: Vec::new(),
                };
            }
        }
    }

    fn seen(&self) -> Option<i64> {
        self.progress.lock().ok()?.seen
    }

    fn tell(&self, changes: &[Change]) {
        for subscriber in self.live() {
            // A subscriber that panics must not fail a batch that has committed: it is told to
            // drop everything instead.
            let told = catch_unwind(AssertUnwindSafe(|| subscriber.changed(changes)));
            if told.is_err() {
                tracing::error!("a cache panicked on a change; it is emptied");
                let _ = catch_unwind(AssertUnwindSafe(|| subscriber.reset()));
            }
        }
    }

    fn live(&self) -> Vec<Arc<dyn ChangeSubscriber>> {
        self.subscribers
            .read()
            .map(|s| s.iter().filter_map(Weak::upgrade).collect())
            .unwrap_or_default()
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A poller watches other processes: caches answer only while it keeps up.
    fn watched(&self, stale_after: Duration) {
        let stale_after = u64::try_from(stale_after.as_millis()).unwrap_or(u64::MAX);
        self.stale_after
            .store(stale_after.max(1), Ordering::Relaxed);
    }

    /// A poll that began at `began` succeeded.
    fn polled(&self, began: Instant) {
        let at = u64::try_from(began.saturating_duration_since(self.origin).as_millis())
            .unwrap_or(u64::MAX);
        self.polled_at.fetch_max(at + 1, Ordering::Relaxed);
    }

    /// The poller stopped: no poll vouches for the caches any more.
    fn unwatched(&self) {
        self.polled_at.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_told_ahead_join_the_seen_position_once_the_gap_is_told() {
        let mut progress = Progress::default();
        progress.told(0, 5);
        assert_eq!(progress.seen, None, "nothing counts before the first poll");
        progress.seen = Some(10);
        progress.told(10, 12);
        assert_eq!(progress.seen, Some(12));
        progress.told(15, 20);
        progress.told(20, 22);
        assert_eq!(progress.seen, Some(12), "13..=15 are another process's");
        progress.told(12, 15);
        assert_eq!(progress.seen, Some(22));
        assert!(progress.ahead.is_empty());
        progress.told(5, 8);
        assert_eq!(progress.seen, Some(22), "told again: no step back");
    }

    struct Counting(Mutex<(usize, usize)>);

    impl ChangeSubscriber for Counting {
        fn changed(&self, changes: &[Change]) {
            self.0.lock().unwrap().0 += changes.len();
        }
        fn reset(&self) {
            self.0.lock().unwrap().1 += 1;
        }
    }

    #[test]
    fn subscribers_hear_commits_and_resets_until_they_are_dropped() {
        let feed = ChangeFeed::default();
        let counting = Arc::new(Counting(Mutex::new((0, 0))));
        let subscriber: Arc<dyn ChangeSubscriber> = counting.clone();
        feed.subscribe(&subscriber);
        let change = Change {
            position: 1,
            tenant_id: "t".into(),
            stream_type: "application".into(),
            stream_id: "a".into(),
            event_type: "application.disabled".into(),
        };
        feed.committed(0, 1, std::slice::from_ref(&change));
        feed.reset_to(Some(1));
        assert_eq!(*counting.0.lock().unwrap(), (1, 1));
        drop(subscriber);
        drop(counting);
        feed.committed(1, 2, &[change]);
        assert!(feed.live().is_empty());
    }

    struct Panicking(Mutex<usize>);

    impl ChangeSubscriber for Panicking {
        fn changed(&self, _: &[Change]) {
            panic!("a broken cache");
        }
        fn reset(&self) {
            *self.0.lock().unwrap() += 1;
        }
    }

    #[test]
    fn a_subscriber_that_panics_is_emptied_and_the_commit_goes_on() {
        let feed = ChangeFeed::default();
        let panicking = Arc::new(Panicking(Mutex::new(0)));
        let subscriber: Arc<dyn ChangeSubscriber> = panicking.clone();
        feed.subscribe(&subscriber);
        let change = Change {
            position: 1,
            tenant_id: "t".into(),
            stream_type: "application".into(),
            stream_id: "a".into(),
            event_type: "application.disabled".into(),
        };
        feed.committed(0, 1, &[change]);
        assert_eq!(*panicking.0.lock().unwrap(), 1);
    }

    #[test]
    fn caches_answer_only_while_the_poller_keeps_up() {
        let feed = ChangeFeed::default();
        assert!(
            feed.is_current(),
            "one process: its own writes are all there is"
        );
        feed.watched(Duration::from_secs(60));
        assert!(!feed.is_current(), "no poll yet");
        feed.polled(Instant::now());
        assert!(feed.is_current());
        feed.unwatched();
        assert!(!feed.is_current());
        feed.watched(Duration::from_millis(1));
        feed.polled(feed.origin);
        std::thread::sleep(Duration::from_millis(5));
        assert!(!feed.is_current(), "the last poll is too old");
    }
}
