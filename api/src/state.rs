//! What every handler can reach: the command bus, the read pool, keys and configuration.

use std::sync::Arc;

use commands::services::Argon2Hasher;
use commands::{CommandBus, EventStore, Keys};
use domain::password::PasswordHasher;
use sqlx::AnyPool;

use crate::config::Config;
use crate::context::TenantResolver;
use crate::signing::KeyRing;

#[derive(Clone)]
pub struct AppState {
    pub bus: CommandBus,
    pub config: Arc<Config>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tenants: Arc<TenantResolver>,
    pub signing: Arc<KeyRing>,
}

impl AppState {
    pub fn new(store: EventStore, config: Config) -> Self {
        Self {
            bus: CommandBus::new(store),
            config: Arc::new(config),
            hasher: Arc::new(Argon2Hasher),
            tenants: Arc::new(TenantResolver::default()),
            signing: Arc::new(KeyRing::default()),
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.bus.store().database().pool
    }

    pub fn keys(&self) -> &Keys {
        self.bus.store().keys()
    }
}
