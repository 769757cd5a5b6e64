//! The decisions of the user aggregate.

use crate::aggregate::{Aggregate, Claim, Decision, Forget};
use crate::claim_kind::ClaimKind;
use crate::password::{PasswordHasher, PasswordOwner, PasswordViolation};
use crate::tenant::{matches_pattern, TenantSettings};

use super::{
    AccountDetails, AccountState, ErasureReason, OrgRelation, User, UserCommand, UserError,
    UserEvent, UserField, UserInput, UserProfile, MAX_SECONDARY_ORGS,
};

pub(super) fn decide(
    user: &User,
    command: UserCommand,
    hasher: &dyn PasswordHasher,
) -> Result<Decision<UserEvent>, UserError> {
    if let UserCommand::Create { .. } = command {
        if user.id.is_some() {
            return Err(UserError::AlreadyExists);
        }
    } else if let UserCommand::Erase {
        accounts,
        reason,
        now,
    } = command
    {
        return erase(user, accounts, reason, now);
    } else if user.id.is_none() || user.deleted {
        return Err(UserError::NotFound);
    }
    let user_id = user.id.clone().unwrap_or_default();
    match command {
        UserCommand::Create {
            user_id,
            input,
            password,
            pwd_must_modify,
            org_relations,
            settings,
            now,
        } => create(
            user_id,
            input,
            password,
            pwd_must_modify,
            org_relations,
            &settings,
            now,
            hasher,
        ),
        UserCommand::Update {
            input,
            pwd_must_modify,
            org_relations,
            settings,
            now,
        } => update(user, input, pwd_must_modify, org_relations, &settings, now),
        UserCommand::Enable { now } if user.disabled => {
            Ok(Decision::event(UserEvent::UserEnabled { user_id, at: now }))
        }
        UserCommand::Disable { now } if !user.disabled => {
            Ok(Decision::event(UserEvent::UserDisabled {
                user_id,
                at: now,
            }))
        }
        UserCommand::Enable { .. } | UserCommand::Disable { .. } => Ok(Decision::none()),
        UserCommand::ChangePassword {
            password,
            pwd_must_modify,
            settings,
            now,
        } => {
            let password = password
                .filter(|p| !p.is_empty())
                .ok_or(UserError::Password(PasswordViolation::Required))?;
            let hash = checked_hash(user, &password, &settings, hasher)?;
            Ok(Decision::event(UserEvent::PasswordChanged {
                user_id,
                password_hash: hash,
                pwd_must_modify,
                old_password_verified: false,
                changed_at: now,
            }))
        }
        UserCommand::ChangePasswordVerified {
            old_password,
            password,
            settings,
            now,
        } => {
            let old = old_password
                .filter(|p| !p.is_empty())
                .ok_or(UserError::OldPasswordRequired)?;
            let new = password
                .filter(|p| !p.is_empty())
                .ok_or(UserError::NewPasswordRequired)?;
            if old == new {
                return Err(UserError::SamePassword);
            }
            let current = user.password_hashes.first();
            if !current.is_some_and(|hash| hasher.verify(&old, hash)) {
                return Err(UserError::OldPasswordIncorrect);
            }
            let hash = checked_hash(user, &new, &settings, hasher)?;
            Ok(Decision::event(UserEvent::PasswordChanged {
                user_id,
                password_hash: hash,
                pwd_must_modify: false,
                old_password_verified: true,
                changed_at: now,
            }))
        }
        UserCommand::Leave { now } => Ok(match state_change(user, AccountState::Left, now) {
            Some(event) => Decision::event(event),
            None => Decision::none(),
        }),
        UserCommand::Revise {
            input,
            org_relations,
            password,
            state,
            settings,
            now,
        } => {
            // Only what is given is checked: a password or state change alone is not refused
            // for attributes a rule added since the user was made.
            let nothing = input.fields.is_empty()
                && input.extension.as_ref().is_none_or(|e| e.is_empty())
                && input.account.is_empty()
                && org_relations.is_none();
            let mut decision = if nothing {
                Decision::none()
            } else {
                update(user, input, None, org_relations, &settings, now)?
            };
            let mut after = user.clone();
            for event in &decision.events {
                after.apply(event);
            }
            if let Some(password) = password.filter(|p| !p.is_empty()) {
                let hash = checked_hash(&after, &password, &settings, hasher)?;
                decision.events.push(UserEvent::PasswordChanged {
                    user_id: user_id.clone(),
                    password_hash: hash,
                    pwd_must_modify: after.pwd_must_modify,
                    old_password_verified: false,
                    changed_at: now,
                });
            }
            if let Some(event) = state.and_then(|s| state_change(&after, s, now)) {
                decision.events.push(event);
            }
            Ok(decision)
        }
        UserCommand::Delete { now } => {
            let mut decision = Decision::event(UserEvent::UserDeleted {
                user_id,
                deleted_at: now,
            });
            decision.releases = held_claims(&user.profile, &user.held_claims);
            Ok(decision)
        }
        UserCommand::Erase { .. } => Err(UserError::NotFound),
    }
}

/// Erasure (ops/adr/0026): a live user is deleted first (its claims released, every read model
/// dropping it as for a deletion), then erased; the store forgets the data keys with the events.
fn erase(
    user: &User,
    accounts: Vec<String>,
    reason: ErasureReason,
    now: i64,
) -> Result<Decision<UserEvent>, UserError> {
    let Some(user_id) = user.id.clone() else {
        return Err(UserError::NotFound);
    };
    if user.erased {
        return Err(UserError::AlreadyErased);
    }
    let mut events = Vec::new();
    let mut releases = Vec::new();
    if !user.deleted {
        events.push(UserEvent::UserDeleted {
            user_id: user_id.clone(),
            deleted_at: now,
        });
        releases = held_claims(&user.profile, &user.held_claims);
    }
    let mut forget = vec![Forget::Subject(user_id.clone())];
    forget.extend(accounts.iter().cloned().map(Forget::Subject));
    events.push(UserEvent::UserErased {
        user_id,
        erased_at: now,
        reason,
        account_ids: accounts,
    });
    let mut decision = Decision::events(events);
    decision.releases = releases;
    decision.forget = forget;
    Ok(decision)
}

/// The event that puts the user in `target`, if it is not there already.
fn state_change(user: &User, target: AccountState, now: i64) -> Option<UserEvent> {
    let user_id = user.id.clone().unwrap_or_default();
    match target {
        AccountState::Active if user.disabled => Some(UserEvent::UserEnabled { user_id, at: now }),
        AccountState::Disabled if !user.disabled || user.left => {
            Some(UserEvent::UserDisabled { user_id, at: now })
        }
        AccountState::Left if !user.left => Some(UserEvent::UserLeft { user_id, at: now }),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn create(
    user_id: String,
    input: UserInput,
    password: Option<String>,
    pwd_must_modify: bool,
    org_relations: Vec<OrgRelation>,
    settings: &TenantSettings,
    now: i64,
    hasher: &dyn PasswordHasher,
) -> Result<Decision<UserEvent>, UserError> {
    let (account, _) = AccountDetails::default().with(&input.account);
    let (mut profile, _) = merge(UserProfile::default(), input);
    if !account.is_valid() {
        return Err(UserError::InvalidAccount);
    }
    if profile.display_name.is_empty() {
        profile.display_name = profile.username.clone();
    }
    validate(&profile, settings)?;
    check_relations(&org_relations)?;
    let password_hash = match password.filter(|p| !p.is_empty()) {
        Some(password) => {
            let owner = owner_of(&profile);
            settings
                .password_policy
                .check(&password, owner)
                .map_err(UserError::Password)?;
            Some(hasher.hash(&password))
        }
        None => None,
    };
    let claims = unique_claims(&profile, settings);
    let mut decision = Decision::event(UserEvent::UserCreated {
        user_id,
        org_relations,
        pwd_must_modify,
        password_hash,
        created_at: now,
        personal: profile,
        claimed: kinds(&claims),
        account,
    });
    decision.claims = claims;
    Ok(decision)
}

fn update(
    user: &User,
    input: UserInput,
    pwd_must_modify: Option<bool>,
    org_relations: Option<Vec<OrgRelation>>,
    settings: &TenantSettings,
    now: i64,
) -> Result<Decision<UserEvent>, UserError> {
    let (account, account_changed) = user.account.with(&input.account);
    let (profile, mut changed) = merge(user.profile.clone(), input);
    validate(&profile, settings)?;
    if !account.is_valid() {
        return Err(UserError::InvalidAccount);
    }
    changed.extend(account_changed);
    let org_relations = match org_relations {
        Some(mut relations) => {
            check_relations(&relations)?;
            // A membership kept keeps its post and place unless the change names them.
            for relation in &mut relations {
                if let Some(kept) = user
                    .org_relations
                    .iter()
                    .find(|r| r.org_id == relation.org_id)
                {
                    relation.post = relation.post.take().or(kept.post.clone());
                    relation.sort = relation.sort.or(kept.sort);
                }
            }
            if relations != user.org_relations {
                changed.push(super::CHANGED_RELATIONS.to_string());
            }
            relations
        }
        None => user.org_relations.clone(),
    };
    let pwd_must_modify = pwd_must_modify.unwrap_or(user.pwd_must_modify);
    if pwd_must_modify != user.pwd_must_modify {
        changed.push("pwd_must_modify".to_string());
    }
    if changed.is_empty() {
        return Ok(Decision::none());
    }
    // Release what the user actually holds; claim under the rules in force now, but only for
    // attributes this update sets: an unchanged value the user did not hold (a duplicate from
    // before the rule was tightened) stays unheld rather than failing an unrelated update.
    let old_claims = held_claims(&user.profile, &user.held_claims);
    let previous = unique_claims(&user.profile, settings);
    let new_claims: Vec<Claim> = unique_claims(&profile, settings)
        .into_iter()
        .filter(|c| old_claims.contains(c) || !previous.contains(c))
        .collect();
    let mut decision = Decision::event(UserEvent::UserUpdated {
        user_id: user.id.clone().unwrap_or_default(),
        org_relations,
        pwd_must_modify,
        changed,
        updated_at: now,
        personal: profile,
        claimed: kinds(&new_claims),
        account,
    });
    decision.releases = old_claims
        .iter()
        .filter(|c| !new_claims.contains(c))
        .cloned()
        .collect();
    decision.claims = new_claims
        .into_iter()
        .filter(|c| !old_claims.contains(c))
        .collect();
    Ok(decision)
}

/// Applies the given attributes to a profile; empty values leave an attribute unchanged.
fn merge(mut profile: UserProfile, input: UserInput) -> (UserProfile, Vec<String>) {
    let mut changed = Vec::new();
    for (field, value) in input.fields {
        let value = if field == UserField::Username {
            value.trim().to_string()
        } else {
            value
        };
        if value.is_empty() || profile.get(field) == Some(value.as_str()) {
            continue;
        }
        profile.set(field, value);
        changed.push(field.name().to_string());
    }
    // An empty object, like an empty value, leaves the extension attributes as they are.
    if let Some(extension) = input.extension.filter(|e| !e.is_empty()) {
        if extension != profile.extension {
            profile.extension = extension;
            changed.push("extension".to_string());
        }
    }
    (profile, changed)
}

/// Bounds on free-form extension attributes: how many, and how long a text value may be.
const MAX_EXTENSIONS: usize = 64;
const MAX_EXTENSION_VALUE: usize = 1024;

fn validate(profile: &UserProfile, settings: &TenantSettings) -> Result<(), UserError> {
    let rules = &settings.user_attributes;
    for field in UserField::ALL {
        match profile.get(field) {
            None if field == UserField::Username || rules.rule(field.name()).required => {
                return Err(UserError::Required(field))
            }
            Some(value) if !field.is_valid(value) => return Err(UserError::Invalid(field)),
            Some(value) if !matches_pattern(&rules.rule(field.name()), value) => {
                return Err(UserError::Invalid(field))
            }
            _ => {}
        }
    }
    for (index, (key, value)) in profile.extension.iter().enumerate() {
        let scalar = match value {
            serde_json::Value::String(s) => s.chars().count() <= MAX_EXTENSION_VALUE,
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => true,
            _ => false,
        };
        if !scalar || key.is_empty() || key.len() > 64 || index >= MAX_EXTENSIONS {
            return Err(UserError::ExtensionInvalid(key.clone()));
        }
    }
    for (key, rule) in rules.extensions() {
        match profile.extension_text(key) {
            None if rule.required => return Err(UserError::ExtensionRequired(key.to_string())),
            Some(value) if !matches_pattern(&rule, &value) => {
                return Err(UserError::ExtensionInvalid(key.to_string()))
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_relations(relations: &[OrgRelation]) -> Result<(), UserError> {
    if relations.is_empty() {
        return Ok(());
    }
    let primaries = relations.iter().filter(|r| r.is_primary()).count();
    let secondaries = relations.iter().filter(|r| r.relation_type == 0).count();
    let mut ids: Vec<&str> = relations.iter().map(|r| r.org_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    if primaries != 1
        || secondaries > MAX_SECONDARY_ORGS
        || primaries + secondaries != relations.len()
        || ids.len() != relations.len()
    {
        return Err(UserError::InvalidOrgRelations);
    }
    Ok(())
}

fn owner_of(profile: &UserProfile) -> PasswordOwner<'_> {
    PasswordOwner {
        user_name: &profile.username,
        mobile: profile.mobile.as_deref(),
        email: profile.email.as_deref(),
    }
}

/// Checks a new password against the policy and the history, and hashes it.
fn checked_hash(
    user: &User,
    password: &str,
    settings: &TenantSettings,
    hasher: &dyn PasswordHasher,
) -> Result<String, UserError> {
    let policy = &settings.password_policy;
    policy
        .check(password, owner_of(&user.profile))
        .map_err(UserError::Password)?;
    let reused = user
        .password_hashes
        .iter()
        .take(policy.history as usize)
        .any(|hash| hasher.verify(password, hash));
    if reused {
        return Err(UserError::Password(PasswordViolation::ReusedFromHistory));
    }
    Ok(hasher.hash(password))
}

/// The claims a profile takes under the tenant's rules: username and mobile always, other
/// attributes when the tenant marks them unique.
fn unique_claims(profile: &UserProfile, settings: &TenantSettings) -> Vec<Claim> {
    let rules = &settings.user_attributes;
    let mut claims = Vec::new();
    for field in UNIQUE_CAPABLE {
        let Some(kind) = ClaimKind::of_user_field(field) else {
            continue;
        };
        let always = matches!(field, UserField::Username | UserField::Mobile);
        if let Some(value) = profile.get(field) {
            if always || rules.rule(field.name()).unique {
                claims.push(Claim::new(kind, field.normalise(value)));
            }
        }
    }
    for (key, rule) in rules.extensions() {
        if let (true, Some(value)) = (rule.unique, profile.extension_text(key)) {
            claims.push(Claim::new(ClaimKind::UserExtension(key.to_string()), value));
        }
    }
    claims
}

/// The attributes a tenant may make unique (each has a claim kind), in the order their claims
/// are taken: the first one held by someone else is the one a violation reports.
const UNIQUE_CAPABLE: [UserField; 5] = [
    UserField::Username,
    UserField::Mobile,
    UserField::Email,
    UserField::EmployeeId,
    UserField::IdentityNumber,
];

fn kinds(claims: &[Claim]) -> Vec<ClaimKind> {
    claims.iter().map(|c| c.kind.clone()).collect()
}

/// The claims of the given kinds, with their values from the profile.
fn held_claims(profile: &UserProfile, kinds: &[ClaimKind]) -> Vec<Claim> {
    kinds
        .iter()
        .filter_map(|kind| {
            let value = match kind {
                ClaimKind::UserExtension(key) => profile.extension_text(key),
                other => other
                    .user_field()
                    .and_then(|f| profile.get(f).map(|v| f.normalise(v))),
            };
            value.map(|v| Claim::new(kind.clone(), v))
        })
        .collect()
}
