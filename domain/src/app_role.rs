//! An application-side role (specs/oneaccess.md §2.6 #31–#38): a code unique in the application,
//! a name, and members that are application accounts of the same application. Which accounts
//! exist is read from projections before the decision.
//!
//! The Hainan roles (specs/oneaccess-sdk-and-hainan-uaa.md §2.2 003-7…10, ops/adr/0018) are the
//! same roles with a remark and an enabled flag, and may change their code (`Configure`); the
//! OneAccess surface never changes a code. Roles created before these fields existed are enabled
//! and have no remark.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::app_authorization::Remark;
use crate::claim_kind::ClaimKind;

pub const MAX_MEMBERS_PER_CALL: usize = 50;

#[derive(Debug, Default, Clone)]
pub struct AppRole {
    pub id: Option<String>,
    pub application_id: String,
    pub code: String,
    pub name: String,
    pub members: BTreeSet<String>,
    pub privileges: Vec<String>,
    pub remark: Option<String>,
    /// True from creation; only `app_role.configured` turns it off.
    pub enabled: bool,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub enum AppRoleCommand {
    Create {
        role_id: String,
        application_id: String,
        code: String,
        name: Option<String>,
        now: i64,
    },
    /// `Create` with a remark (Hainan 003-7 `roleList[].remark`).
    CreateWithRemark {
        role_id: String,
        application_id: String,
        code: String,
        name: Option<String>,
        remark: Remark,
        now: i64,
    },
    /// Hainan 003-8: absent fields keep their value; a new code takes its claim and releases
    /// the old one.
    Configure {
        name: Option<String>,
        code: Option<String>,
        remark: Option<Remark>,
        enabled: Option<bool>,
        now: i64,
    },
    Rename {
        name: Option<String>,
        now: i64,
    },
    /// `accounts`: each requested id with whether it is an account of the role's application.
    AddMembers {
        accounts: Vec<(String, bool)>,
        now: i64,
    },
    /// `accounts`: each requested id with whether it is a current member of the role (a
    /// deleted account is not, whatever the role's own history says).
    RemoveMembers {
        accounts: Vec<(String, bool)>,
        now: i64,
    },
    Delete {
        has_members: bool,
        now: i64,
    },
    /// The privileges the role carries, all already checked to be the application's.
    SetPrivileges {
        privilege_ids: Vec<String>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum AppRoleEvent {
    #[serde(rename = "app_role.created")]
    RoleCreated {
        role_id: String,
        application_id: String,
        code: String,
        name: String,
        created_at: i64,
        /// Absent from roles created without one (and from every role before ADR 0018).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remark: Option<String>,
    },
    #[serde(rename = "app_role.renamed")]
    RoleRenamed {
        role_id: String,
        application_id: String,
        name: String,
        updated_at: i64,
    },
    #[serde(rename = "app_role.members_added")]
    MembersAdded {
        role_id: String,
        application_id: String,
        account_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "app_role.members_removed")]
    MembersRemoved {
        role_id: String,
        application_id: String,
        account_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "app_role.privileges_set")]
    PrivilegesSet {
        role_id: String,
        application_id: String,
        privilege_ids: Vec<String>,
        at: i64,
    },
    /// The role's configurable fields as they are after a Hainan 003-8 change.
    #[serde(rename = "app_role.configured")]
    RoleConfigured {
        role_id: String,
        application_id: String,
        code: String,
        name: String,
        remark: Option<String>,
        enabled: bool,
        updated_at: i64,
    },
    #[serde(rename = "app_role.deleted")]
    RoleDeleted {
        role_id: String,
        application_id: String,
        deleted_at: i64,
    },
}

impl DomainEvent for AppRoleEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::RoleCreated { .. } => "app_role.created",
            Self::RoleRenamed { .. } => "app_role.renamed",
            Self::RoleConfigured { .. } => "app_role.configured",
            Self::MembersAdded { .. } => "app_role.members_added",
            Self::MembersRemoved { .. } => "app_role.members_removed",
            Self::RoleDeleted { .. } => "app_role.deleted",
            Self::PrivilegesSet { .. } => "app_role.privileges_set",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppRoleError {
    #[error("application role does not exist")]
    NotFound,
    #[error("application role already exists")]
    AlreadyExists,
    #[error("application role is bound to accounts")]
    HasMembers,
    #[error("application role code required")]
    CodeRequired,
    #[error("application role code invalid")]
    CodeInvalid,
    #[error("application role name required")]
    NameRequired,
    #[error("application role name invalid")]
    NameInvalid,
    #[error("between 1 and 50 account ids are required")]
    InvalidList,
}

/// What a membership call did to each account id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberOutcome {
    pub success: Vec<String>,
    pub fail: Vec<String>,
}

pub fn code_claim(application_id: &str, code: &str) -> Claim {
    Claim::new(ClaimKind::AppRoleCode, format!("{application_id}/{code}"))
}

/// Role codes: 1 to 50 letters, digits, `_`, `-` or `.`.
pub fn is_role_code(code: &str) -> bool {
    (1..=50).contains(&code.chars().count())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn check_name(name: &str) -> Result<(), AppRoleError> {
    if name.trim().is_empty() {
        Err(AppRoleError::NameRequired)
    } else if name.chars().count() > 32 || name.chars().any(char::is_control) || name.trim() != name
    {
        Err(AppRoleError::NameInvalid)
    } else {
        Ok(())
    }
}

fn check_list(len: usize) -> Result<(), AppRoleError> {
    if len == 0 || len > MAX_MEMBERS_PER_CALL {
        Err(AppRoleError::InvalidList)
    } else {
        Ok(())
    }
}

/// A new role: the code trimmed and checked, the name checked or taken from the code.
fn created(
    role_id: String,
    application_id: String,
    code: String,
    name: Option<String>,
    remark: Option<String>,
    now: i64,
) -> Result<Decision<AppRoleEvent>, AppRoleError> {
    let code = code.trim().to_string();
    check_code(&code)?;
    // Without a name the role is named after its code (cut to the name's 32 characters).
    let name = match name.filter(|n| !n.is_empty()) {
        Some(name) => {
            check_name(&name)?;
            name
        }
        None => code.chars().take(32).collect(),
    };
    Ok(Decision::event(AppRoleEvent::RoleCreated {
        role_id,
        application_id: application_id.clone(),
        code: code.clone(),
        name,
        created_at: now,
        remark,
    })
    .claim(code_claim(&application_id, &code)))
}

fn check_code(code: &str) -> Result<(), AppRoleError> {
    if code.is_empty() {
        Err(AppRoleError::CodeRequired)
    } else if !is_role_code(code) {
        Err(AppRoleError::CodeInvalid)
    } else {
        Ok(())
    }
}

impl AppRole {
    /// Hainan 003-8: the role after the change, with the code claims it moves.
    fn configure(
        &self,
        name: Option<String>,
        code: Option<String>,
        remark: Option<Remark>,
        enabled: Option<bool>,
        now: i64,
    ) -> Result<Decision<AppRoleEvent>, AppRoleError> {
        let name = match name {
            Some(name) => {
                check_name(&name)?;
                name
            }
            None => self.name.clone(),
        };
        let code = match code {
            Some(code) => {
                check_code(&code)?;
                code
            }
            None => self.code.clone(),
        };
        let remark = match remark {
            Some(remark) => remark.into_stored(),
            None => self.remark.clone(),
        };
        let enabled = enabled.unwrap_or(self.enabled);
        if (&name, &code, &remark, enabled) == (&self.name, &self.code, &self.remark, self.enabled)
        {
            return Ok(Decision::none());
        }
        let application_id = self.application_id.clone();
        let mut decision = Decision::event(AppRoleEvent::RoleConfigured {
            role_id: self.id.clone().unwrap_or_default(),
            application_id: application_id.clone(),
            code: code.clone(),
            name,
            remark,
            enabled,
            updated_at: now,
        });
        if code != self.code {
            decision = decision
                .claim(code_claim(&application_id, &code))
                .release(code_claim(&application_id, &self.code));
        }
        Ok(decision)
    }

    /// The outcome of adding members to the current state: unknown accounts fail, existing
    /// members succeed again (idempotent), the rest are added.
    pub fn outcome_of_adding(&self, accounts: &[(String, bool)]) -> (MemberOutcome, Vec<String>) {
        let mut outcome = MemberOutcome::default();
        let mut added = Vec::new();
        for (id, valid) in accounts {
            if !valid {
                outcome.fail.push(id.clone());
            } else {
                if !self.members.contains(id) && !added.contains(id) {
                    added.push(id.clone());
                }
                outcome.success.push(id.clone());
            }
        }
        (outcome, added)
    }

    /// The outcome of removing members: non-members fail.
    pub fn outcome_of_removing(&self, accounts: &[(String, bool)]) -> (MemberOutcome, Vec<String>) {
        let mut outcome = MemberOutcome::default();
        let mut removed: Vec<String> = Vec::new();
        for (id, member) in accounts {
            if *member && (self.members.contains(id) || removed.contains(id)) {
                if !removed.contains(id) {
                    removed.push(id.clone());
                }
                outcome.success.push(id.clone());
            } else {
                outcome.fail.push(id.clone());
            }
        }
        (outcome, removed)
    }
}

impl Aggregate for AppRole {
    type Command = AppRoleCommand;
    type Event = AppRoleEvent;
    type Error = AppRoleError;
    type Services = ();
    const STREAM_TYPE: &'static str = "app_role";

    fn apply(&mut self, event: &AppRoleEvent) {
        match event {
            AppRoleEvent::RoleCreated {
                role_id,
                application_id,
                code,
                name,
                remark,
                ..
            } => {
                self.id = Some(role_id.clone());
                self.application_id = application_id.clone();
                self.code = code.clone();
                self.name = name.clone();
                self.remark = remark.clone();
                self.enabled = true;
            }
            AppRoleEvent::RoleRenamed { name, .. } => self.name = name.clone(),
            AppRoleEvent::RoleConfigured {
                code,
                name,
                remark,
                enabled,
                ..
            } => {
                self.code = code.clone();
                self.name = name.clone();
                self.remark = remark.clone();
                self.enabled = *enabled;
            }
            AppRoleEvent::MembersAdded { account_ids, .. } => {
                self.members.extend(account_ids.iter().cloned())
            }
            AppRoleEvent::MembersRemoved { account_ids, .. } => {
                for id in account_ids {
                    self.members.remove(id);
                }
            }
            AppRoleEvent::RoleDeleted { .. } => self.deleted = true,
            AppRoleEvent::PrivilegesSet { privilege_ids, .. } => {
                self.privileges = privilege_ids.clone()
            }
        }
    }

    fn decide(
        &self,
        command: AppRoleCommand,
        _: &(),
    ) -> Result<Decision<AppRoleEvent>, AppRoleError> {
        let live = self.id.is_some() && !self.deleted;
        let role_id = self.id.clone().unwrap_or_default();
        let application_id = self.application_id.clone();
        match command {
            AppRoleCommand::Create { .. } | AppRoleCommand::CreateWithRemark { .. }
                if self.id.is_some() =>
            {
                Err(AppRoleError::AlreadyExists)
            }
            AppRoleCommand::Create {
                role_id,
                application_id,
                code,
                name,
                now,
            } => created(role_id, application_id, code, name, None, now),
            AppRoleCommand::CreateWithRemark {
                role_id,
                application_id,
                code,
                name,
                remark,
                now,
            } => created(
                role_id,
                application_id,
                code,
                name,
                remark.into_stored(),
                now,
            ),
            _ if !live => Err(AppRoleError::NotFound),
            AppRoleCommand::Configure {
                name,
                code,
                remark,
                enabled,
                now,
            } => self.configure(name, code, remark, enabled, now),
            AppRoleCommand::Rename { name, now } => {
                let name = name.unwrap_or_default();
                check_name(&name)?;
                if name == self.name {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppRoleEvent::RoleRenamed {
                    role_id,
                    application_id,
                    name,
                    updated_at: now,
                }))
            }
            AppRoleCommand::AddMembers { accounts, now } => {
                check_list(accounts.len())?;
                let (_, added) = self.outcome_of_adding(&accounts);
                if added.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppRoleEvent::MembersAdded {
                    role_id,
                    application_id,
                    account_ids: added,
                    at: now,
                }))
            }
            AppRoleCommand::RemoveMembers { accounts, now } => {
                check_list(accounts.len())?;
                let (_, removed) = self.outcome_of_removing(&accounts);
                if removed.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppRoleEvent::MembersRemoved {
                    role_id,
                    application_id,
                    account_ids: removed,
                    at: now,
                }))
            }
            AppRoleCommand::SetPrivileges {
                mut privilege_ids,
                now,
            } => {
                let mut seen = std::collections::HashSet::new();
                privilege_ids.retain(|id| seen.insert(id.clone()));
                if privilege_ids == self.privileges {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppRoleEvent::PrivilegesSet {
                    role_id,
                    application_id,
                    privilege_ids,
                    at: now,
                }))
            }
            AppRoleCommand::Delete { has_members, now } => {
                if has_members {
                    return Err(AppRoleError::HasMembers);
                }
                Ok(Decision::event(AppRoleEvent::RoleDeleted {
                    role_id,
                    application_id: application_id.clone(),
                    deleted_at: now,
                })
                .release(code_claim(&application_id, &self.code)))
            }
        }
    }
}

#[cfg(test)]
#[path = "app_role_tests.rs"]
mod tests;
