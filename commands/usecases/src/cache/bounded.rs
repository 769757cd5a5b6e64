//! The map under every cache of hot reads (DESIGN.md "Hot paths, caches and several nodes",
//! ops/adr/0028): a size cap with eviction, entries filed under the group one event invalidates
//! (an application, a grant, a tenant), and tickets that keep a read begun before an
//! invalidation from filling the cache with what that invalidation made stale.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};

use store::ChangeFeed;

/// What one event invalidates: a hash of the tenant and an id (a collision only invalidates more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Group(u64);

impl Group {
    pub fn of(tenant: &str, id: &str) -> Self {
        let mut hasher = DefaultHasher::new();
        (tenant, id).hash(&mut hasher);
        Self(hasher.finish())
    }
}

/// Taken before reading the database for a miss: the fill is refused if the entry's group (or
/// the whole cache) was invalidated meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

/// Invalidations are remembered per stripe of groups, for the tickets.
const STRIPES: usize = 1024;

struct Entry<V> {
    value: V,
    group: Group,
    /// When the entry is of no more use (the application clock's milliseconds).
    expires_at: Option<i64>,
}

struct Inner<K, V> {
    entries: HashMap<K, Entry<V>>,
    groups: HashMap<Group, Vec<K>>,
    /// Invalidations so far; a ticket is this count when taken.
    invalidations: u64,
    /// The count at each stripe's last invalidation, and at the last clearing.
    stripes: Vec<u64>,
    cleared_at: u64,
}

pub struct Bounded<K, V> {
    /// The `cache` label of `idaas_cache_lookups_total`.
    name: &'static str,
    capacity: usize,
    feed: Arc<ChangeFeed>,
    inner: RwLock<Inner<K, V>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Bounded<K, V> {
    /// At most `capacity` entries (0: nothing is kept), answering only while `feed` is current.
    pub fn new(name: &'static str, capacity: usize, feed: Arc<ChangeFeed>) -> Self {
        Self {
            name,
            capacity,
            feed,
            inner: RwLock::new(Inner {
                entries: HashMap::new(),
                groups: HashMap::new(),
                invalidations: 0,
                stripes: vec![0; STRIPES],
                cleared_at: 0,
            }),
        }
    }

    /// The entry, unless it expired at `now` or the node may have missed other nodes' writes.
    /// Counted as a hit or a miss.
    pub fn get(&self, key: &K, now: i64) -> Option<V> {
        let found = self.peek(key, now);
        let result = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!("idaas_cache_lookups_total", "cache" => self.name, "result" => result)
            .increment(1);
        found
    }

    /// Like `get`, uncounted: a second look after waiting for another loader.
    pub fn peek(&self, key: &K, now: i64) -> Option<V> {
        if !self.feed.is_current() {
            return None;
        }
        let inner = self.inner.read().ok()?;
        let entry = inner.entries.get(key)?;
        entry
            .expires_at
            .is_none_or(|at| at > now)
            .then(|| entry.value.clone())
    }

    /// To be taken before the database is read for a miss.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner.read().map_or(u64::MAX, |i| i.invalidations))
    }

    /// Keeps what the database answered, unless `group` (or everything) was invalidated since
    /// `ticket` was taken: then the answer may predate an event this node was already told of.
    pub fn fill(&self, ticket: Ticket, key: K, group: Group, value: V, expires_at: Option<i64>) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if ticket.0 < inner.cleared_at || ticket.0 < inner.stripes[stripe(group)] {
            return;
        }
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&key) {
            inner.evict(self.capacity);
        }
        let entry = Entry {
            value,
            group,
            expires_at,
        };
        if let Some(old) = inner.entries.insert(key.clone(), entry) {
            inner.unfile(&key, old.group);
        }
        inner.groups.entry(group).or_default().push(key);
    }

    /// Drops every entry of `group`, and refuses fills begun before.
    pub fn invalidate(&self, group: Group) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        inner.invalidations += 1;
        let count = inner.invalidations;
        inner.stripes[stripe(group)] = count;
        for key in inner.groups.remove(&group).unwrap_or_default() {
            if inner.entries.get(&key).is_some_and(|e| e.group == group) {
                inner.entries.remove(&key);
            }
        }
    }

    /// Drops everything, and refuses fills begun before.
    pub fn clear(&self) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        inner.invalidations += 1;
        inner.cleared_at = inner.invalidations;
        inner.entries.clear();
        inner.groups.clear();
    }

    /// How many entries are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.read().map_or(0, |i| i.entries.len())
    }
}

fn stripe(group: Group) -> usize {
    (group.0 % STRIPES as u64) as usize
}

impl<K: Eq + Hash + Clone, V> Inner<K, V> {
    /// Makes room: an eighth of the entries go, those expiring first (the expired ones among
    /// them), then any.
    fn evict(&mut self, capacity: usize) {
        let goal = capacity - (capacity / 8).max(1);
        let wanted = self.entries.len().saturating_sub(goal);
        if wanted == 0 {
            return;
        }
        let mut all: Vec<(i64, &K, Group)> = (self.entries.iter())
            .map(|(k, e)| (e.expires_at.unwrap_or(i64::MAX), k, e.group))
            .collect();
        if wanted < all.len() {
            all.select_nth_unstable_by_key(wanted, |(at, _, _)| *at);
            all.truncate(wanted);
        }
        let victims: Vec<(K, Group)> = all.into_iter().map(|(_, k, g)| (k.clone(), g)).collect();
        for (key, group) in victims {
            self.entries.remove(&key);
            self.unfile(&key, group);
        }
    }

    fn unfile(&mut self, key: &K, group: Group) {
        if let Some(keys) = self.groups.get_mut(&group) {
            keys.retain(|k| k != key);
            if keys.is_empty() {
                self.groups.remove(&group);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(capacity: usize) -> Bounded<String, u32> {
        Bounded::new("test", capacity, Arc::new(ChangeFeed::default()))
    }

    #[test]
    fn an_invalidated_group_goes_and_its_neighbours_stay() {
        let cache = cache(10);
        let (a, b) = (Group::of("t", "a"), Group::of("t", "b"));
        cache.fill(cache.ticket(), "a1".into(), a, 1, None);
        cache.fill(cache.ticket(), "a2".into(), a, 2, None);
        cache.fill(cache.ticket(), "b1".into(), b, 3, None);
        cache.invalidate(a);
        assert_eq!(cache.get(&"a1".into(), 0), None);
        assert_eq!(cache.get(&"a2".into(), 0), None);
        assert_eq!(cache.get(&"b1".into(), 0), Some(3));
        assert_ne!(a, Group::of("u", "a"), "the tenant is part of the group");
    }

    #[test]
    fn a_read_begun_before_an_invalidation_does_not_fill() {
        let cache = cache(10);
        let group = Group::of("t", "a");
        let before = cache.ticket();
        cache.invalidate(group);
        cache.fill(before, "a".into(), group, 1, None);
        assert_eq!(cache.get(&"a".into(), 0), None);
        let before = cache.ticket();
        cache.clear();
        cache.fill(before, "a".into(), group, 1, None);
        assert_eq!(cache.get(&"a".into(), 0), None);
        cache.fill(cache.ticket(), "a".into(), group, 1, None);
        assert_eq!(cache.get(&"a".into(), 0), Some(1));
    }

    #[test]
    fn the_cap_holds_and_expired_entries_go_first() {
        let cache = cache(16);
        for i in 0..16 {
            let expires_at = if i < 2 { 10 * (i + 1) } else { 1_000 };
            let group = Group::of("t", "g");
            cache.fill(
                cache.ticket(),
                format!("k{i}"),
                group,
                i,
                Some(expires_at.into()),
            );
        }
        cache.fill(cache.ticket(), "new".into(), Group::of("t", "h"), 99, None);
        assert_eq!(cache.len(), 15, "an eighth went to make room");
        for i in 0..2 {
            assert_eq!(
                cache.get(&format!("k{i}"), 0),
                None,
                "the earliest expiring went"
            );
        }
        assert_eq!(cache.get(&"new".into(), 0), Some(99));
        assert_eq!(cache.get(&"k5".into(), 11), Some(5));
        assert_eq!(cache.get(&"k5".into(), 1_000), None, "expired at its time");
        for i in 0..1000 {
            cache.fill(
                cache.ticket(),
                format!("x{i}"),
                Group::of("t", "x"),
                i,
                None,
            );
        }
        assert!(cache.len() <= 16);
        let off = self::cache(0);
        off.fill(off.ticket(), "a".into(), Group::of("t", "a"), 1, None);
        assert_eq!(off.len(), 0);
    }
}
