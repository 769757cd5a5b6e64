//! A tenant: its name, the host names it answers on, and the configuration its rules read
//! (password policy, user-attribute definitions, organisation policy, management token lifetime).

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent, Forget};
use crate::claim_kind::ClaimKind;
use crate::password::{PasswordPolicy, MAX_LENGTH_LIMIT};
use crate::retention::{RetentionPolicy, RetentionRun};

pub use crate::attribute_rules::{
    compile_pattern, matches_pattern, AttributeRule, UserAttributeRules, MAX_ATTRIBUTE_RULES,
};

pub const DEFAULT_TENANT_ID: &str = "default";
pub const DEFAULT_TOKEN_LIFETIME_SECS: u32 = 1800;

/// Login lockout (LOGIN.0001/LOGIN.0002): how many failures lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_minutes: u32,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_minutes: 30,
        }
    }
}

/// Rules about organisations that only some dialects have (ADR 0009).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationPolicy {
    /// Names unique among siblings, as OneAccess requires (ORG.0013); Inspur allows duplicates.
    pub unique_sibling_names: bool,
    /// A grant of an application to an organisation reaches the users of its sub-organisations
    /// too (Inspur §5 item 20); off by default: only the organisation's own members.
    pub grants_reach_sub_organizations: bool,
}

impl Default for OrganizationPolicy {
    fn default() -> Self {
        Self {
            unique_sibling_names: true,
            grants_reach_sub_organizations: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantSettings {
    pub password_policy: PasswordPolicy,
    pub user_attributes: UserAttributeRules,
    pub management_token_lifetime_secs: u32,
    pub lockout: LockoutPolicy,
    pub organizations: OrganizationPolicy,
    pub retention: RetentionPolicy,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            password_policy: PasswordPolicy::default(),
            user_attributes: UserAttributeRules::default(),
            management_token_lifetime_secs: DEFAULT_TOKEN_LIFETIME_SECS,
            lockout: LockoutPolicy::default(),
            organizations: OrganizationPolicy::default(),
            retention: RetentionPolicy::default(),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Tenant {
    pub id: Option<String>,
    pub name: String,
    pub domains: Vec<String>,
    pub settings: TenantSettings,
}

#[derive(Debug, Clone)]
pub enum TenantCommand {
    Create {
        tenant_id: String,
        name: String,
        domains: Vec<String>,
        now: i64,
    },
    SetPasswordPolicy(PasswordPolicy),
    SetUserAttributes(UserAttributeRules),
    SetManagementTokenLifetime(u32),
    SetLockout(LockoutPolicy),
    SetOrganizationPolicy(OrganizationPolicy),
    SetRetention(RetentionPolicy),
    /// Records what a retention run did (nothing is recorded for a run that did nothing).
    RecordRetention(RetentionRun),
    /// Claims another host name for the tenant (a unique claim across tenants).
    AddDomain(String),
    /// Gives up a host name (a tenant keeps at least one once it has one).
    RemoveDomain(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum TenantEvent {
    #[serde(rename = "tenant.created")]
    TenantCreated {
        tenant_id: String,
        name: String,
        domains: Vec<String>,
        created_at: i64,
    },
    #[serde(rename = "tenant.password_policy_changed")]
    PasswordPolicyChanged { policy: PasswordPolicy },
    #[serde(rename = "tenant.user_attributes_changed")]
    UserAttributesChanged { rules: UserAttributeRules },
    #[serde(rename = "tenant.management_token_lifetime_changed")]
    ManagementTokenLifetimeChanged { seconds: u32 },
    #[serde(rename = "tenant.lockout_changed")]
    LockoutChanged { lockout: LockoutPolicy },
    #[serde(rename = "tenant.organization_policy_changed")]
    OrganizationPolicyChanged { policy: OrganizationPolicy },
    #[serde(rename = "tenant.domain_added")]
    DomainAdded { domain: String },
    #[serde(rename = "tenant.domain_removed")]
    DomainRemoved { domain: String },
    #[serde(rename = "tenant.retention_changed")]
    RetentionChanged { policy: RetentionPolicy },
    /// A retention run forgot request metadata and erased deleted users (ops/adr/0026).
    #[serde(rename = "tenant.retention_applied")]
    RetentionApplied(RetentionRun),
}

impl DomainEvent for TenantEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::TenantCreated { .. } => "tenant.created",
            Self::PasswordPolicyChanged { .. } => "tenant.password_policy_changed",
            Self::UserAttributesChanged { .. } => "tenant.user_attributes_changed",
            Self::ManagementTokenLifetimeChanged { .. } => {
                "tenant.management_token_lifetime_changed"
            }
            Self::LockoutChanged { .. } => "tenant.lockout_changed",
            Self::OrganizationPolicyChanged { .. } => "tenant.organization_policy_changed",
            Self::DomainAdded { .. } => "tenant.domain_added",
            Self::DomainRemoved { .. } => "tenant.domain_removed",
            Self::RetentionChanged { .. } => "tenant.retention_changed",
            Self::RetentionApplied(_) => "tenant.retention_applied",
        }
    }

    /// Version 2 of the attribute rules: canonical names (ADR 0009, `user::v1`).
    fn schema_version(&self) -> u32 {
        match self {
            Self::UserAttributesChanged { .. } => 2,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error("tenant already exists")]
    AlreadyExists,
    #[error("tenant does not exist")]
    NotFound,
    #[error("tenant name must be 1 to 100 characters")]
    InvalidName,
    #[error("invalid host name: {0}")]
    InvalidDomain(String),
    #[error("management token lifetime must be 60 to 86400 seconds")]
    InvalidLifetime,
    #[error("password policy lengths must satisfy 1 <= min <= max <= 128")]
    InvalidPasswordPolicy,
    #[error("not a usable pattern for {0}")]
    InvalidPattern(String),
    #[error("lockout takes 1 to 100 failures and 1 to 1440 minutes")]
    InvalidLockout,
    #[error("the tenant has no host name {0}")]
    UnknownDomain(String),
    #[error("{0} is the default tenant's public host name and cannot be claimed")]
    ReservedDomain(String),
    #[error("a tenant keeps at least one host name: add another before removing {0}")]
    LastDomain(String),
    #[error("de_identify_after_days must be 0 to 3650")]
    InvalidRetention,
}

/// A host name as a tenant claims it: lower case, no port, letters, digits, dots and hyphens.
pub fn normalise_domain(host: &str) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default().to_string();
    let valid = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !host.starts_with(['.', '-'])
        && !host.ends_with(['.', '-']);
    valid.then_some(host)
}

impl Aggregate for Tenant {
    type Command = TenantCommand;
    type Event = TenantEvent;
    type Error = TenantError;
    type Services = ();
    const STREAM_TYPE: &'static str = "tenant";

    fn apply(&mut self, event: &TenantEvent) {
        match event {
            TenantEvent::TenantCreated {
                tenant_id,
                name,
                domains,
                ..
            } => {
                self.id = Some(tenant_id.clone());
                self.name = name.clone();
                self.domains = domains.clone();
            }
            TenantEvent::PasswordPolicyChanged { policy } => {
                self.settings.password_policy = policy.clone()
            }
            TenantEvent::UserAttributesChanged { rules } => {
                self.settings.user_attributes = rules.clone()
            }
            TenantEvent::ManagementTokenLifetimeChanged { seconds } => {
                self.settings.management_token_lifetime_secs = *seconds
            }
            TenantEvent::LockoutChanged { lockout } => self.settings.lockout = *lockout,
            TenantEvent::OrganizationPolicyChanged { policy } => {
                self.settings.organizations = *policy
            }
            TenantEvent::DomainAdded { domain } => self.domains.push(domain.clone()),
            TenantEvent::DomainRemoved { domain } => self.domains.retain(|d| d != domain),
            TenantEvent::RetentionChanged { policy } => self.settings.retention = *policy,
            TenantEvent::RetentionApplied(_) => {}
        }
    }

    fn decide(&self, command: TenantCommand, _: &()) -> Result<Decision<TenantEvent>, TenantError> {
        let exists = self.id.is_some();
        let event = match command {
            TenantCommand::Create { .. } if exists => return Err(TenantError::AlreadyExists),
            TenantCommand::Create {
                tenant_id,
                name,
                domains,
                now,
            } => return create(tenant_id, name, domains, now),
            _ if !exists => return Err(TenantError::NotFound),
            TenantCommand::SetPasswordPolicy(policy) => {
                if policy.min_length == 0
                    || policy.min_length > policy.max_length
                    || policy.max_length > MAX_LENGTH_LIMIT
                    || policy.min_char_classes > 4
                    || policy.max_age_days > 3650
                    || policy.expiry_warning_days > 365
                {
                    return Err(TenantError::InvalidPasswordPolicy);
                }
                TenantEvent::PasswordPolicyChanged { policy }
            }
            TenantCommand::SetUserAttributes(rules) => {
                let rules = rules.canonical()?;
                if rules.0.len() > MAX_ATTRIBUTE_RULES {
                    return Err(TenantError::InvalidPattern(
                        "too many attribute rules".into(),
                    ));
                }
                for (attribute, rule) in &rules.0 {
                    let usable = rule
                        .pattern
                        .as_deref()
                        .is_none_or(|p| compile_pattern(p).is_some());
                    if !usable {
                        return Err(TenantError::InvalidPattern(attribute.clone()));
                    }
                }
                TenantEvent::UserAttributesChanged { rules }
            }
            TenantCommand::SetLockout(lockout) => {
                if !(1..=100).contains(&lockout.max_failures)
                    || !(1..=1440).contains(&lockout.lock_minutes)
                {
                    return Err(TenantError::InvalidLockout);
                }
                TenantEvent::LockoutChanged { lockout }
            }
            TenantCommand::SetOrganizationPolicy(policy) => {
                TenantEvent::OrganizationPolicyChanged { policy }
            }
            TenantCommand::AddDomain(domain) => {
                let host = normalise_domain(&domain).ok_or(TenantError::InvalidDomain(domain))?;
                if self.domains.contains(&host) {
                    return Ok(Decision::none());
                }
                return Ok(Decision::event(TenantEvent::DomainAdded {
                    domain: host.clone(),
                })
                .claim(Claim::global(ClaimKind::TenantHostName, host)));
            }
            TenantCommand::RemoveDomain(domain) => {
                let host = normalise_domain(&domain)
                    .filter(|h| self.domains.contains(h))
                    .ok_or(TenantError::UnknownDomain(domain))?;
                if self.domains.len() == 1 {
                    return Err(TenantError::LastDomain(host));
                }
                return Ok(Decision::event(TenantEvent::DomainRemoved {
                    domain: host.clone(),
                })
                .release(Claim::global(ClaimKind::TenantHostName, host)));
            }
            TenantCommand::SetManagementTokenLifetime(seconds) => {
                if !(60..=86_400).contains(&seconds) {
                    return Err(TenantError::InvalidLifetime);
                }
                TenantEvent::ManagementTokenLifetimeChanged { seconds }
            }
            TenantCommand::SetRetention(policy) => {
                if !policy.is_valid() {
                    return Err(TenantError::InvalidRetention);
                }
                if policy == self.settings.retention {
                    return Ok(Decision::none());
                }
                TenantEvent::RetentionChanged { policy }
            }
            TenantCommand::RecordRetention(run) => {
                let mut decision = Decision::event(TenantEvent::RetentionApplied(run.clone()));
                if let Some(position) = run.request_metadata_up_to {
                    decision.forget = vec![Forget::RequestMetadataUpTo(position)];
                }
                return Ok(decision);
            }
        };
        Ok(Decision::event(event))
    }
}

fn create(
    tenant_id: String,
    name: String,
    domains: Vec<String>,
    now: i64,
) -> Result<Decision<TenantEvent>, TenantError> {
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(TenantError::InvalidName);
    }
    let mut normalised = Vec::new();
    for domain in domains {
        let host = normalise_domain(&domain).ok_or(TenantError::InvalidDomain(domain))?;
        if !normalised.contains(&host) {
            normalised.push(host);
        }
    }
    let mut decision = Decision::event(TenantEvent::TenantCreated {
        tenant_id,
        name,
        domains: normalised.clone(),
        created_at: now,
    });
    for host in normalised {
        decision = decision.claim(Claim::global(ClaimKind::TenantHostName, host));
    }
    Ok(decision)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn create(domains: &[&str]) -> TenantCommand {
        TenantCommand::Create {
            tenant_id: "t1".into(),
            name: "Acme".into(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
            now: 1,
        }
    }

    fn created() -> TenantEvent {
        TenantEvent::TenantCreated {
            tenant_id: "t1".into(),
            name: "Acme".into(),
            domains: vec!["acme.example.com".into()],
            created_at: 1,
        }
    }

    #[test]
    fn a_tenant_claims_its_host_names_across_all_tenants() {
        let decision = given_no_events::<Tenant>()
            .when(create(&["ACME.example.com:8443", "acme.example.com"]), &())
            .then_expect_events(&[created()]);
        assert_eq!(
            decision.claims,
            [Claim::global(ClaimKind::TenantHostName, "acme.example.com")]
        );
    }

    #[test]
    fn tenant_creation_refuses_bad_input_and_repeats() {
        given_no_events::<Tenant>()
            .when(create(&["bad host"]), &())
            .then_expect_error(TenantError::InvalidDomain("bad host".into()));
        given_no_events::<Tenant>()
            .when(
                TenantCommand::Create {
                    tenant_id: "t".into(),
                    name: " ".into(),
                    domains: vec![],
                    now: 1,
                },
                &(),
            )
            .then_expect_error(TenantError::InvalidName);
        given::<Tenant>(&[created()])
            .when(create(&[]), &())
            .then_expect_error(TenantError::AlreadyExists);
    }

    #[test]
    fn settings_change_only_on_an_existing_tenant_and_within_bounds() {
        given_no_events::<Tenant>()
            .when(TenantCommand::SetManagementTokenLifetime(600), &())
            .then_expect_error(TenantError::NotFound);
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetManagementTokenLifetime(10), &())
            .then_expect_error(TenantError::InvalidLifetime);
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetManagementTokenLifetime(600), &())
            .then_expect_events(&[TenantEvent::ManagementTokenLifetimeChanged { seconds: 600 }]);
        let bad = PasswordPolicy {
            min_length: 20,
            max_length: 10,
            ..Default::default()
        };
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetPasswordPolicy(bad), &())
            .then_expect_error(TenantError::InvalidPasswordPolicy);
        let loose = PasswordPolicy {
            min_char_classes: 1,
            ..Default::default()
        };
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetPasswordPolicy(loose.clone()), &())
            .then_expect_events(&[TenantEvent::PasswordPolicyChanged { policy: loose }]);
        let rules = UserAttributeRules::default();
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetUserAttributes(rules.clone()), &())
            .then_expect_events(&[TenantEvent::UserAttributesChanged { rules }]);
        let mut broken = UserAttributeRules::default();
        broken.0.insert(
            "employee_id".into(),
            AttributeRule {
                required: false,
                unique: true,
                pattern: Some("(".into()),
            },
        );
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetUserAttributes(broken), &())
            .then_expect_error(TenantError::InvalidPattern("employee_id".into()));
        for escaping in [r"E\d{3})|(.*", ".{1,10082}"] {
            let mut rules = UserAttributeRules::default();
            rules.0.insert(
                "employee_id".into(),
                AttributeRule {
                    required: false,
                    unique: true,
                    pattern: Some(escaping.into()),
                },
            );
            given::<Tenant>(&[created()])
                .when(TenantCommand::SetUserAttributes(rules), &())
                .then_expect_error(TenantError::InvalidPattern("employee_id".into()));
        }
        given::<Tenant>(&[created()])
            .when(
                TenantCommand::SetLockout(LockoutPolicy {
                    max_failures: 0,
                    lock_minutes: 5,
                }),
                &(),
            )
            .then_expect_error(TenantError::InvalidLockout);
        let lockout = LockoutPolicy {
            max_failures: 3,
            lock_minutes: 10,
        };
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetLockout(lockout), &())
            .then_expect_events(&[TenantEvent::LockoutChanged { lockout }]);
        let policy = OrganizationPolicy {
            unique_sibling_names: false,
            grants_reach_sub_organizations: true,
        };
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetOrganizationPolicy(policy), &())
            .then_expect_events(&[TenantEvent::OrganizationPolicyChanged { policy }]);
    }

    fn rule(required: bool, unique: bool, pattern: Option<&str>) -> AttributeRule {
        AttributeRule {
            required,
            unique,
            pattern: pattern.map(str::to_string),
        }
    }

    #[test]
    fn rules_given_under_version_1_names_are_stored_under_canonical_names() {
        let mut legacy = UserAttributeRules::default();
        legacy
            .0
            .insert("attr_nick_name".into(), rule(true, false, None));
        legacy
            .0
            .insert("attr_identity_number".into(), rule(true, false, None));
        let mut expected = UserAttributeRules::default();
        expected
            .0
            .insert("nickname".into(), rule(true, false, None));
        // Both rules for the identity number apply: required from one, unique from the other.
        expected
            .0
            .insert("identity_number".into(), rule(true, true, None));
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetUserAttributes(legacy), &())
            .then_expect_events(&[TenantEvent::UserAttributesChanged { rules: expected }]);
        let mut clash = UserAttributeRules::default();
        clash
            .0
            .insert("identity_number".into(), rule(false, true, Some("\\d+")));
        clash.0.insert(
            "attr_identity_number".into(),
            rule(false, true, Some("X\\d+")),
        );
        given::<Tenant>(&[created()])
            .when(TenantCommand::SetUserAttributes(clash), &())
            .then_expect_error(TenantError::InvalidPattern("identity_number".into()));
    }
}
