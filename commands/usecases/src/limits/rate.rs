//! Token buckets per key (a client address, an account), held in memory on each node (ops/adr/0012):
//! a bucket holds up to `burst` tokens and refills at `per_minute`; a request takes one.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Deserialize;

/// A bucket's size and refill rate; a burst of 0 switches the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub burst: u32,
    pub per_minute: u32,
}

impl Rate {
    pub const fn new(burst: u32, per_minute: u32) -> Self {
        Self { burst, per_minute }
    }

    fn off(self) -> bool {
        self.burst == 0
    }
}

impl std::str::FromStr for Rate {
    type Err = anyhow::Error;

    /// `burst/per-minute`, e.g. `30/60`; `0/0` switches the limit off.
    fn from_str(text: &str) -> anyhow::Result<Self> {
        let (burst, per_minute) = text
            .split_once('/')
            .ok_or_else(|| anyhow::anyhow!("expected burst/per-minute"))?;
        Ok(Self::new(burst.trim().parse()?, per_minute.trim().parse()?))
    }
}

/// A refused request: how long until a token is back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_seconds: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

/// The buckets of every limit, keyed by the limit's name and the limited key. At most `capacity`
/// buckets are kept: full ones are dropped first (a full bucket is the same as none), then any.
pub struct RateLimiter {
    buckets: Mutex<HashMap<(&'static str, String), Bucket>>,
    capacity: usize,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl RateLimiter {
    pub fn new(capacity: usize) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            capacity: capacity.max(16),
        }
    }

    /// Takes a token from `key`'s bucket of limit `name`, or says when one will be back.
    pub fn take(
        &self,
        name: &'static str,
        key: &str,
        rate: Rate,
        now_ms: i64,
    ) -> Result<(), Limited> {
        self.with_bucket(name, key, rate, now_ms, |bucket| {
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                Ok(())
            } else {
                Err(wait(bucket.tokens, rate))
            }
        })
    }

    /// Whether `key` has a token left, without taking it (for limits that count failures only).
    pub fn check(
        &self,
        name: &'static str,
        key: &str,
        rate: Rate,
        now_ms: i64,
    ) -> Result<(), Limited> {
        self.with_bucket(name, key, rate, now_ms, |bucket| {
            if bucket.tokens >= 1.0 {
                Ok(())
            } else {
                Err(wait(bucket.tokens, rate))
            }
        })
    }

    /// Takes a token if there is one (a failure, counted after the fact).
    pub fn charge(&self, name: &'static str, key: &str, rate: Rate, now_ms: i64) {
        let _ = self.take(name, key, rate, now_ms);
    }

    fn with_bucket(
        &self,
        name: &'static str,
        key: &str,
        rate: Rate,
        now_ms: i64,
        f: impl FnOnce(&mut Bucket) -> Result<(), Limited>,
    ) -> Result<(), Limited> {
        if rate.off() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= self.capacity && !buckets.contains_key(&(name, key.to_string())) {
            evict(&mut buckets, self.capacity, now_ms, rate);
        }
        let full = Bucket {
            tokens: f64::from(rate.burst),
            at_ms: now_ms,
        };
        let bucket = buckets.entry((name, key.to_string())).or_insert(full);
        refill(bucket, rate, now_ms);
        f(bucket)
    }
}

fn refill(bucket: &mut Bucket, rate: Rate, now_ms: i64) {
    let elapsed = (now_ms - bucket.at_ms).max(0) as f64;
    let added = elapsed * f64::from(rate.per_minute) / 60_000.0;
    bucket.tokens = (bucket.tokens + added).min(f64::from(rate.burst));
    bucket.at_ms = now_ms.max(bucket.at_ms);
}

fn wait(tokens: f64, rate: Rate) -> Limited {
    let seconds = if rate.per_minute == 0 {
        3600.0
    } else {
        (1.0 - tokens) * 60.0 / f64::from(rate.per_minute)
    };
    Limited {
        retry_after_seconds: seconds.ceil().max(1.0) as u64,
    }
}

/// Drops buckets that have refilled (assuming `rate` for all, which only errs towards keeping),
/// then, if still too many, an arbitrary tenth.
fn evict(
    buckets: &mut HashMap<(&'static str, String), Bucket>,
    capacity: usize,
    now_ms: i64,
    rate: Rate,
) {
    buckets.retain(|_, b| {
        let mut b = *b;
        refill(&mut b, rate, now_ms);
        b.tokens < f64::from(rate.burst)
    });
    if buckets.len() >= capacity {
        let drop: Vec<_> = buckets.keys().take(capacity / 10 + 1).cloned().collect();
        for key in drop {
            buckets.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate() {
        let limiter = RateLimiter::default();
        let rate = Rate::new(3, 60);
        for _ in 0..3 {
            assert_eq!(limiter.take("t", "a", rate, 0), Ok(()));
        }
        let refused = limiter.take("t", "a", rate, 0).unwrap_err();
        assert_eq!(refused.retry_after_seconds, 1);
        assert!(
            limiter.take("t", "b", rate, 0).is_ok(),
            "another key has its own bucket"
        );
        assert!(limiter.take("t", "a", rate, 999).is_err());
        assert!(
            limiter.take("t", "a", rate, 1_000).is_ok(),
            "one token a second"
        );
    }

    #[test]
    fn check_does_not_take_and_charge_does() {
        let limiter = RateLimiter::default();
        let rate = Rate::new(1, 1);
        assert!(limiter.check("t", "a", rate, 0).is_ok());
        assert!(limiter.check("t", "a", rate, 0).is_ok());
        limiter.charge("t", "a", rate, 0);
        assert_eq!(
            limiter.check("t", "a", rate, 0),
            Err(Limited {
                retry_after_seconds: 60
            })
        );
    }

    #[test]
    fn an_off_limit_never_refuses_and_the_map_stays_bounded() {
        let limiter = RateLimiter::new(100);
        for i in 0..1_000 {
            assert!(limiter.take("off", "a", Rate::new(0, 0), i).is_ok());
            assert!(limiter
                .take("t", &i.to_string(), Rate::new(5, 1), 0)
                .is_ok());
        }
        assert!(limiter.buckets.lock().unwrap().len() <= 100);
        assert_eq!("30/60".parse::<Rate>().unwrap(), Rate::new(30, 60));
        assert!("30".parse::<Rate>().is_err());
    }
}
