//! What every use case can reach: the command bus, the read pool, keys, configuration, the clock,
//! the id source and the caches of hot reads (each subscribed to the store's change feed).

use std::sync::Arc;

use crate::clock::{Clock, IdSource, RandomIds, SystemClock};
use crate::services::Argon2Hasher;
use domain::password::PasswordHasher;
use store::Pool as AnyPool;
use store::{ChangeSubscriber, CommandBus, EventStore, Keys};

use crate::cache::Caches;

use crate::config::Config;
use crate::limits::{PasswordPool, RateLimiter, TrustedProxies};
use crate::signing::KeyRing;
use crate::sms::{LogOnlySmsSender, SmsSender};
use crate::tenant_hosts::TenantResolver;

/// What every use case can reach, behind one reference count: a request clones the state
/// several times (the router, its layers, the handlers), and a clone of the parts themselves
/// would be a score of atomic increments, and as many decrements, each time.
#[derive(Clone)]
pub struct AppState(Arc<AppStateParts>);

impl std::ops::Deref for AppState {
    type Target = AppStateParts;

    fn deref(&self) -> &AppStateParts {
        &self.0
    }
}

/// The parts of an `AppState`.
#[derive(Clone)]
pub struct AppStateParts {
    pub bus: CommandBus,
    pub config: Arc<Config>,
    pub hasher: Arc<dyn PasswordHasher>,
    /// The bounded threads that check passwords with `hasher` (ops/adr/0012).
    pub passwords: Arc<PasswordPool>,
    /// Token buckets of the rate limits.
    pub rates: Arc<RateLimiter>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// The current time (a movable clock in tests).
    pub clock: Arc<dyn Clock>,
    /// New ids and random secrets.
    pub ids: Arc<dyn IdSource>,
    pub tenants: Arc<TenantResolver>,
    pub signing: Arc<KeyRing>,
    /// Applications, client ids and token checks from memory (ops/adr/0028).
    pub caches: Arc<Caches>,
    /// Where SMS verification codes go (log-only unless a gateway is plugged in).
    pub sms: Arc<dyn SmsSender>,
    /// Wakes the CAS outbox worker when a single-logout delivery is queued.
    pub cas_outbox: Arc<tokio::sync::Notify>,
    /// SAML signing keys read from the store, by key id.
    pub saml_keys: Arc<
        std::sync::Mutex<std::collections::HashMap<String, Arc<aws_lc_rs::signature::RsaKeyPair>>>,
    >,
}

impl AppState {
    pub fn new(store: EventStore, config: Config) -> Self {
        let limits = &config.limits;
        let passwords = PasswordPool::new(limits.password_threads(), limits.password_queue);
        // Checked when the configuration was loaded.
        let trusted_proxies = TrustedProxies::parse(&limits.trusted_proxies).unwrap_or_default();
        let entries = config.cache.entries;
        let feed = store.changes();
        let caches = subscribed(&store, Caches::new(entries, feed));
        let tenants = subscribed(&store, TenantResolver::new(entries, feed));
        let signing = key_ring(&store, Arc::new(SystemClock), entries);
        Self(Arc::new(AppStateParts {
            bus: CommandBus::new(store),
            config: Arc::new(config),
            hasher: Arc::new(Argon2Hasher),
            passwords: Arc::new(passwords),
            rates: Arc::new(RateLimiter::default()),
            trusted_proxies: Arc::new(trusted_proxies),
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            tenants,
            signing,
            caches,
            sms: Arc::new(LogOnlySmsSender),
            cas_outbox: Arc::new(tokio::sync::Notify::new()),
            saml_keys: Arc::default(),
        }))
    }

    /// The same state with another SMS sender.
    pub fn with_sms(mut self, sms: Arc<dyn SmsSender>) -> Self {
        Arc::make_mut(&mut self.0).sms = sms;
        self
    }

    /// The same state with another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        let entries = self.config.cache.entries;
        let parts = Arc::make_mut(&mut self.0);
        parts.signing = key_ring(parts.bus.store(), clock.clone(), entries);
        parts.clock = clock;
        self
    }
}

impl AppStateParts {
    /// Milliseconds since the Unix epoch, by this state's clock.
    pub fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.bus.store().database().pool
    }

    pub fn keys(&self) -> &Keys {
        self.bus.store().keys()
    }
}

/// `subscriber`, told of every commit of `store` from now on.
fn subscribed<S: ChangeSubscriber + 'static>(store: &EventStore, subscriber: S) -> Arc<S> {
    let subscriber = Arc::new(subscriber);
    let told: Arc<dyn ChangeSubscriber> = subscriber.clone();
    store.changes().subscribe(&told);
    subscriber
}

/// A key ring on `clock` that hears of new keys through `store`'s change feed.
fn key_ring(store: &EventStore, clock: Arc<dyn Clock>, entries: usize) -> Arc<KeyRing> {
    subscribed(store, KeyRing::new(clock, store.changes().clone(), entries))
}
