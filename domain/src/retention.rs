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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Forget;
    use crate::tenant::{Tenant, TenantCommand, TenantError, TenantEvent};
    use crate::testing::given;

    fn created() -> TenantEvent {
        TenantEvent::TenantCreated {
            tenant_id: "t1".into(),
            name: "Acme".into(),
            domains: vec!["acme.example.com".into()],
            created_at: 1,
        }
    }

    fn days(days: Option<u32>) -> RetentionPolicy {
        RetentionPolicy {
            de_identify_after_days: days,
        }
    }

    #[test]
    fn a_policy_is_set_within_ten_years_and_only_when_it_changes() {
        let set = TenantCommand::SetRetention(days(Some(30)));
        given::<Tenant>(&[created()])
            .when(set.clone(), &())
            .then_expect_events(&[TenantEvent::RetentionChanged {
                policy: days(Some(30)),
            }]);
        let changed = TenantEvent::RetentionChanged {
            policy: days(Some(30)),
        };
        given::<Tenant>(&[created(), changed])
            .when(set, &())
            .then_expect_events(&[]);
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetRetention(days(Some(MAX_DAYS + 1))), &())
            .then_expect_error(TenantError::InvalidRetention);
    }

    #[test]
    fn a_run_is_recorded_with_the_request_metadata_it_forgets() {
        let run = RetentionRun {
            after_days: 1,
            cutoff: 10,
            request_metadata_up_to: Some(42),
            request_metadata_removed: 7,
            users_erased: vec!["u1".into()],
            at: 86_400_010,
        };
        let decision = given::<Tenant>(&[created()])
            .when(TenantCommand::RecordRetention(run.clone()), &())
            .then_expect_events(&[TenantEvent::RetentionApplied(run)]);
        assert_eq!(decision.forget, [Forget::RequestMetadataUpTo(42)]);
    }
}
