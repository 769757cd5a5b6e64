//! A tenant's retention policy and the record of a retention run (DESIGN.md "Audit and
//! compliance", ops/adr/0026): after N days, request metadata is forgotten and deleted users are
//! erased.

use serde::{Deserialize, Serialize};

/// The longest retention period a policy may name (ten years).
pub const MAX_DAYS: u32 = 3650;

/// How long a tenant keeps personal data it no longer needs; no period is no policy (the
/// default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Days after which request metadata (client address, user agent) is forgotten and a deleted
    /// user is erased; 0 de-identifies at the next run.
    pub de_identify_after_days: Option<u32>,
}

impl RetentionPolicy {
    pub fn is_valid(&self) -> bool {
        self.de_identify_after_days.is_none_or(|d| d <= MAX_DAYS)
    }
}

/// What one retention run of a tenant did (`tenant.retention_applied`); counts and ids only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionRun {
    /// The policy's period the run applied.
    pub after_days: u32,
    /// Everything recorded before this instant (milliseconds) was due.
    pub cutoff: i64,
    /// Request metadata of the tenant's events up to this position was forgotten.
    pub request_metadata_up_to: Option<i64>,
    /// How many events' request metadata was forgotten.
    pub request_metadata_removed: i64,
    /// The deleted users erased by the run (each also has its own `user.erased`).
    pub users_erased: Vec<String>,
    pub at: i64,
}
