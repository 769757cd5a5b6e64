//! Aggregate states kept between commands (DESIGN.md "Hot paths, caches and several nodes"): the
//! last folded state of each recently used stream, and one turn at a time per stream in this
//! process, so a hot aggregate is decided on in order instead of failing its version checks.
//!
//! A kept state is never trusted blindly: `CommandBus::load` reads the stream's tail past it, and
//! a command decided on it is appended with its version as the expected one, so a write made by
//! another node is seen as a conflict and the stream is read again.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use hashlink::LruCache;

/// Tenant, stream type, stream id.
pub(crate) type Key = (String, &'static str, String);

/// How many streams' states are kept (the least recently used go first).
const CAPACITY: usize = 10_000;

#[derive(Clone)]
struct Folded {
    version: i64,
    state: Arc<dyn Any + Send + Sync>,
}

pub(crate) struct States {
    folded: Mutex<LruCache<Key, Folded>>,
    turns: Mutex<HashMap<Key, Weak<tokio::sync::Mutex<()>>>>,
}

impl Default for States {
    fn default() -> Self {
        Self {
            folded: Mutex::new(LruCache::new(CAPACITY)),
            turns: Mutex::default(),
        }
    }
}

impl States {
    /// The kept state of a stream and its version.
    pub fn get<A: Send + Sync + 'static>(&self, key: &Key) -> Option<(Arc<A>, i64)> {
        let folded = self.folded.lock().ok()?.get(key).cloned()?;
        let state = folded.state.downcast::<A>().ok()?;
        Some((state, folded.version))
    }

    /// Keeps a state unless a later version of it is kept already.
    pub fn put<A: Send + Sync + 'static>(&self, key: Key, state: Arc<A>, version: i64) {
        let Ok(mut folded) = self.folded.lock() else {
            return;
        };
        if folded.peek(&key).is_some_and(|kept| kept.version > version) {
            return;
        }
        folded.insert(key, Folded { version, state });
    }

    pub fn forget(&self, key: &Key) {
        if let Ok(mut folded) = self.folded.lock() {
            folded.remove(key);
        }
    }

    /// Drops every kept state (after an erasure: no decrypted personal data stays in memory).
    pub fn clear(&self) {
        if let Ok(mut folded) = self.folded.lock() {
            folded.clear();
        }
    }

    /// Waits for this stream's turn in this process; the turn ends when the guard is dropped.
    pub async fn turn(&self, key: &Key) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
            match turns.get(key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    if turns.len() >= 1024 {
                        turns.retain(|_, lock| lock.strong_count() > 0);
                    }
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    turns.insert(key.clone(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
    }
}
