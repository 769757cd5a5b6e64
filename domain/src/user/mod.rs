//! A user of the tenant (specs/oneaccess.md §2.2 #2–#11): personal attributes, organisation
//! relations (exactly one primary, at most nine secondary), password and enabled state.

mod account;
mod decide;
mod profile;
#[cfg(test)]
mod tests;
pub mod v1;

use serde::{Deserialize, Serialize};

pub use account::{AccountDetails, CREATED_BY_API, CREATED_BY_IMPORT};
pub use profile::{UserField, UserProfile};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::claim_kind::ClaimKind;
use crate::password::{PasswordHasher, PasswordViolation};
use crate::tenant::TenantSettings;

pub const MAX_SECONDARY_ORGS: usize = 9;

/// How `user.updated` names a change of the organisation relations in `changed`: the event's own
/// field name (version 1 said `user_org_relation_list`).
pub const CHANGED_RELATIONS: &str = "org_relations";

/// A user's membership of an organisation: `relation_type` 1 is primary (归属), 0 secondary (挂靠);
/// the post held there (职务, Hainan `posJob`) and the user's place among its members (`sortNum`),
/// when known — left out of events when absent, so earlier events keep their bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRelation {
    pub org_id: String,
    pub relation_type: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<i64>,
}

impl OrgRelation {
    pub fn is_primary(&self) -> bool {
        self.relation_type == 1
    }
}

#[derive(Debug, Default, Clone)]
pub struct User {
    pub id: Option<String>,
    pub profile: UserProfile,
    pub org_relations: Vec<OrgRelation>,
    pub pwd_must_modify: bool,
    /// The current password hash first, then earlier ones (for the history rule).
    pub password_hashes: Vec<String>,
    /// Cannot sign in: disabled by an administrator, or left (a left user is disabled too).
    pub disabled: bool,
    /// Left the organisation (Inspur's dimission, status 0): kept, but not listed as a member.
    pub left: bool,
    pub deleted: bool,
    /// Erased (ops/adr/0026): deleted, and its data key destroyed; nothing changes it any more.
    pub erased: bool,
    pub account: AccountDetails,
    /// The kinds of unique claim the user holds, whatever the tenant's rules say now.
    pub held_claims: Vec<ClaimKind>,
}

/// The attributes of a create or update request; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub fields: Vec<(UserField, String)>,
    pub extension: Option<serde_json::Map<String, serde_json::Value>>,
    /// Account details to set; absent ones stay as they are.
    pub account: AccountDetails,
}

/// The state an administrator puts an account in (Inspur `status` 1, 2, 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Active,
    Disabled,
    Left,
}

#[derive(Debug, Clone)]
pub enum UserCommand {
    Create {
        user_id: String,
        input: UserInput,
        password: Option<String>,
        pwd_must_modify: bool,
        /// Relations with organisation ids already resolved from their codes.
        org_relations: Vec<OrgRelation>,
        settings: TenantSettings,
        now: i64,
    },
    Update {
        input: UserInput,
        pwd_must_modify: Option<bool>,
        org_relations: Option<Vec<OrgRelation>>,
        settings: TenantSettings,
        now: i64,
    },
    Enable {
        now: i64,
    },
    Disable {
        now: i64,
    },
    /// An administrator's reset: no old password needed.
    ChangePassword {
        password: Option<String>,
        pwd_must_modify: bool,
        settings: TenantSettings,
        now: i64,
    },
    /// A change that proves the old password.
    ChangePasswordVerified {
        old_password: Option<String>,
        password: Option<String>,
        settings: TenantSettings,
        now: i64,
    },
    Delete {
        now: i64,
    },
    /// The user leaves (Inspur's dimission): kept in the directory, unable to sign in.
    Leave {
        now: i64,
    },
    /// Erasure (ops/adr/0026): a live user is deleted and erased, a deleted one erased; the
    /// user's data key and those of `accounts` (its application accounts) are destroyed with the
    /// events.
    Erase {
        accounts: Vec<String>,
        reason: ErasureReason,
        now: i64,
    },
    /// An update, a new password (an administrator's, no old one needed) and a new state, in
    /// one decision: the events are written together or not at all (Inspur USR-03).
    Revise {
        input: UserInput,
        org_relations: Option<Vec<OrgRelation>>,
        password: Option<String>,
        state: Option<AccountState>,
        settings: TenantSettings,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum UserEvent {
    #[serde(rename = "user.created")]
    UserCreated {
        user_id: String,
        org_relations: Vec<OrgRelation>,
        pwd_must_modify: bool,
        password_hash: Option<String>,
        created_at: i64,
        personal: UserProfile,
        /// The kinds of unique claim the user took (values are in `personal`).
        claimed: Vec<ClaimKind>,
        #[serde(default, skip_serializing_if = "AccountDetails::is_empty")]
        account: AccountDetails,
    },
    /// The user's attributes after the change; `changed` names the attributes that moved
    /// (canonical attribute names, `org_relations`, `pwd_must_modify`, `extension`).
    #[serde(rename = "user.updated")]
    UserUpdated {
        user_id: String,
        org_relations: Vec<OrgRelation>,
        pwd_must_modify: bool,
        changed: Vec<String>,
        updated_at: i64,
        personal: UserProfile,
        /// The kinds of unique claim the user holds after the change.
        claimed: Vec<ClaimKind>,
        /// The account details after the change.
        #[serde(default, skip_serializing_if = "AccountDetails::is_empty")]
        account: AccountDetails,
    },
    #[serde(rename = "user.enabled")]
    UserEnabled { user_id: String, at: i64 },
    #[serde(rename = "user.disabled")]
    UserDisabled { user_id: String, at: i64 },
    #[serde(rename = "user.password_changed")]
    PasswordChanged {
        user_id: String,
        password_hash: String,
        pwd_must_modify: bool,
        old_password_verified: bool,
        changed_at: i64,
    },
    #[serde(rename = "user.deleted")]
    UserDeleted { user_id: String, deleted_at: i64 },
    /// The user left; `user.enabled` brings a left user back, `user.disabled` makes it an
    /// ordinary disabled user.
    #[serde(rename = "user.left")]
    UserLeft { user_id: String, at: i64 },
    /// The user's personal data was made unreadable: its data key and those of `account_ids`
    /// were destroyed in the same transaction (ops/adr/0026). No personal value in it.
    #[serde(rename = "user.erased")]
    UserErased {
        user_id: String,
        erased_at: i64,
        reason: ErasureReason,
        #[serde(default)]
        account_ids: Vec<String>,
    },
}

/// Why a user was erased: asked for (the admin API, the CLI) or by the tenant's retention policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    Request,
    Retention,
}

impl DomainEvent for UserEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::UserCreated { .. } => "user.created",
            Self::UserUpdated { .. } => "user.updated",
            Self::UserEnabled { .. } => "user.enabled",
            Self::UserDisabled { .. } => "user.disabled",
            Self::PasswordChanged { .. } => "user.password_changed",
            Self::UserDeleted { .. } => "user.deleted",
            Self::UserLeft { .. } => "user.left",
            Self::UserErased { .. } => "user.erased",
        }
    }

    /// Version 2: canonical attribute names in `personal` and `changed` (ADR 0009, `v1`).
    fn schema_version(&self) -> u32 {
        match self {
            Self::UserCreated { .. } | Self::UserUpdated { .. } => 2,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("user does not exist")]
    NotFound,
    #[error("user is already erased")]
    AlreadyErased,
    #[error("user already exists")]
    AlreadyExists,
    #[error("{} required", .0.name())]
    Required(UserField),
    #[error("invalid {}", .0.name())]
    Invalid(UserField),
    #[error("extended attribute {0} required")]
    ExtensionRequired(String),
    #[error("extended attribute {0} is invalid")]
    ExtensionInvalid(String),
    #[error(
        "organization relations need exactly one primary and at most nine secondary organizations"
    )]
    InvalidOrgRelations,
    #[error("password refused: {0}")]
    Password(PasswordViolation),
    #[error("old password required")]
    OldPasswordRequired,
    #[error("new password required")]
    NewPasswordRequired,
    #[error("old and new passwords must be different")]
    SamePassword,
    #[error("old password is incorrect")]
    OldPasswordIncorrect,
    #[error("account details are too long")]
    InvalidAccount,
}

impl Aggregate for User {
    type Command = UserCommand;
    type Event = UserEvent;
    type Error = UserError;
    type Services = dyn PasswordHasher;
    const STREAM_TYPE: &'static str = "user";
    /// Creating a user or changing its password hashes the password.
    const DECIDES_SLOWLY: bool = true;

    fn apply(&mut self, event: &UserEvent) {
        match event {
            UserEvent::UserCreated {
                user_id,
                org_relations,
                pwd_must_modify,
                password_hash,
                personal,
                claimed,
                account,
                ..
            } => {
                self.held_claims = claimed.clone();
                self.account = account.clone();
                self.id = Some(user_id.clone());
                self.org_relations = org_relations.clone();
                self.pwd_must_modify = *pwd_must_modify;
                self.password_hashes = password_hash.iter().cloned().collect();
                self.profile = personal.clone();
            }
            UserEvent::UserUpdated {
                org_relations,
                pwd_must_modify,
                personal,
                claimed,
                account,
                ..
            } => {
                self.held_claims = claimed.clone();
                self.account = account.clone();
                self.org_relations = org_relations.clone();
                self.pwd_must_modify = *pwd_must_modify;
                self.profile = personal.clone();
            }
            UserEvent::UserEnabled { .. } => {
                self.disabled = false;
                self.left = false;
            }
            UserEvent::UserDisabled { .. } => {
                self.disabled = true;
                self.left = false;
            }
            UserEvent::UserLeft { .. } => {
                self.disabled = true;
                self.left = true;
            }
            UserEvent::PasswordChanged {
                password_hash,
                pwd_must_modify,
                ..
            } => {
                self.password_hashes.insert(0, password_hash.clone());
                self.password_hashes.truncate(24);
                self.pwd_must_modify = *pwd_must_modify;
            }
            UserEvent::UserDeleted { .. } => self.deleted = true,
            UserEvent::UserErased { .. } => {
                self.deleted = true;
                self.erased = true;
                self.profile = UserProfile::default();
            }
        }
    }

    fn decide(
        &self,
        command: UserCommand,
        hasher: &dyn PasswordHasher,
    ) -> Result<Decision<UserEvent>, UserError> {
        decide::decide(self, command, hasher)
    }
}
