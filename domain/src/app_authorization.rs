//! The authorisation model of an application (specs/oneaccess-sdk-and-hainan-uaa.md §2.2, seed
//! 003; ops/adr/0018): its permission tree, which permissions each role carries, which roles each
//! user holds directly and which roles each organisation holds. One stream per application
//! (stream id = the application id), so that every Hainan 003 call is one append.
//!
//! Roles themselves are the `AppRole` aggregate; whether a role, user or organisation exists (and
//! an organisation's subtree) is read from projections by the use case and passed in the command.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

mod bindings;
mod permissions;

pub use permissions::*;

/// At most this many ids per bind or unbind call (003-11…14: "一次最多只能传100个").
pub const MAX_IDS_PER_CALL: usize = 100;

#[derive(Debug, Default, Clone)]
pub struct AppAuthorization {
    /// Live permissions by id.
    pub permissions: BTreeMap<String, Permission>,
    /// (role id, permission id).
    pub role_permissions: BTreeSet<(String, String)>,
    /// (user id, role id).
    pub user_roles: BTreeSet<(String, String)>,
    /// (organisation id, role id).
    pub org_roles: BTreeSet<(String, String)>,
}

/// An entity a call names that does not exist (for `NotFound`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Application,
    Permission,
    /// A permission named as a parent.
    Parent,
    Role,
    User,
    Organization,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Application => "application",
            Self::Permission => "permission",
            Self::Parent => "parent permission",
            Self::Role => "role",
            Self::User => "user",
            Self::Organization => "organisation",
        })
    }
}

/// The refusals of the authorisation model; the Hainan surface maps them to `ERR_*` codes
/// (spec §4.1.8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    #[error("{0} does not exist: {1}")]
    NotFound(Entity, String),
    /// A permission code (or role code) already in use in the application.
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    /// A permission that still has children cannot be deleted.
    #[error("permission has children: {0}")]
    InUse(String),
    #[error("{0} invalid: {1}")]
    Invalid(&'static str, &'static str),
    #[error("at most {MAX_IDS_PER_CALL} ids per call")]
    LimitExceeded,
}

#[derive(Debug, Clone)]
pub enum AppAuthorizationCommand {
    AddPermission {
        application_id: String,
        permission_id: String,
        permission: NewPermission,
        now: i64,
    },
    ModifyPermission {
        application_id: String,
        permission_id: String,
        change: PermissionChange,
        now: i64,
    },
    DeletePermission {
        application_id: String,
        permission_id: String,
        now: i64,
    },
    /// 003-11/12: `role_exists`: the role is a live role of this application.
    BindPermissions {
        application_id: String,
        role_id: String,
        role_exists: bool,
        permission_ids: Vec<String>,
        bind: bool,
        now: i64,
    },
    /// 003-13/14: each role id with whether it is a live role of this application.
    BindRoles {
        application_id: String,
        user_id: String,
        user_exists: bool,
        roles: Vec<(String, bool)>,
        bind: bool,
        now: i64,
    },
    /// 003-15/16: `organizations` is the organisation followed by its current descendants when
    /// `auth_sub` (a snapshot, ADR 0018), else the organisation alone; empty if it does not exist.
    BindOrganization {
        application_id: String,
        role_id: String,
        role_exists: bool,
        org_id: String,
        organizations: Vec<String>,
        auth_sub: bool,
        bind: bool,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum AppAuthorizationEvent {
    #[serde(rename = "app_authorization.permission_added")]
    PermissionAdded {
        application_id: String,
        permission: Permission,
        at: i64,
    },
    /// The permission as it is after the change.
    #[serde(rename = "app_authorization.permission_modified")]
    PermissionModified {
        application_id: String,
        permission: Permission,
        at: i64,
    },
    /// `role_ids`: the roles that carried it and no longer do.
    #[serde(rename = "app_authorization.permission_deleted")]
    PermissionDeleted {
        application_id: String,
        permission_id: String,
        role_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "app_authorization.role_permissions_bound")]
    RolePermissionsBound {
        application_id: String,
        role_id: String,
        permission_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "app_authorization.role_permissions_unbound")]
    RolePermissionsUnbound {
        application_id: String,
        role_id: String,
        permission_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "app_authorization.user_roles_bound")]
    UserRolesBound {
        application_id: String,
        user_id: String,
        role_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "app_authorization.user_roles_unbound")]
    UserRolesUnbound {
        application_id: String,
        user_id: String,
        role_ids: Vec<String>,
        at: i64,
    },
    /// The call named `org_id` with `auth_sub`; `org_ids` are the rows it added.
    #[serde(rename = "app_authorization.org_role_bound")]
    OrgRoleBound {
        application_id: String,
        role_id: String,
        org_id: String,
        auth_sub: bool,
        org_ids: Vec<String>,
        at: i64,
    },
    /// The call named `org_id` with `auth_sub`; `org_ids` are the rows it removed.
    #[serde(rename = "app_authorization.org_role_unbound")]
    OrgRoleUnbound {
        application_id: String,
        role_id: String,
        org_id: String,
        auth_sub: bool,
        org_ids: Vec<String>,
        at: i64,
    },
}

impl DomainEvent for AppAuthorizationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::PermissionAdded { .. } => "app_authorization.permission_added",
            Self::PermissionModified { .. } => "app_authorization.permission_modified",
            Self::PermissionDeleted { .. } => "app_authorization.permission_deleted",
            Self::RolePermissionsBound { .. } => "app_authorization.role_permissions_bound",
            Self::RolePermissionsUnbound { .. } => "app_authorization.role_permissions_unbound",
            Self::UserRolesBound { .. } => "app_authorization.user_roles_bound",
            Self::UserRolesUnbound { .. } => "app_authorization.user_roles_unbound",
            Self::OrgRoleBound { .. } => "app_authorization.org_role_bound",
            Self::OrgRoleUnbound { .. } => "app_authorization.org_role_unbound",
        }
    }
}

impl Aggregate for AppAuthorization {
    type Command = AppAuthorizationCommand;
    type Event = AppAuthorizationEvent;
    type Error = AuthorizationError;
    type Services = ();
    const STREAM_TYPE: &'static str = "app_authorization";

    fn apply(&mut self, event: &AppAuthorizationEvent) {
        use AppAuthorizationEvent as E;
        match event {
            E::PermissionAdded { permission, .. } | E::PermissionModified { permission, .. } => {
                self.permissions
                    .insert(permission.permission_id.clone(), permission.clone());
            }
            E::PermissionDeleted { permission_id, .. } => {
                self.permissions.remove(permission_id);
                self.role_permissions.retain(|(_, p)| p != permission_id);
            }
            E::RolePermissionsBound {
                role_id,
                permission_ids,
                ..
            } => {
                for p in permission_ids {
                    self.role_permissions.insert((role_id.clone(), p.clone()));
                }
            }
            E::RolePermissionsUnbound {
                role_id,
                permission_ids,
                ..
            } => {
                for p in permission_ids {
                    self.role_permissions.remove(&(role_id.clone(), p.clone()));
                }
            }
            E::UserRolesBound {
                user_id, role_ids, ..
            } => {
                for r in role_ids {
                    self.user_roles.insert((user_id.clone(), r.clone()));
                }
            }
            E::UserRolesUnbound {
                user_id, role_ids, ..
            } => {
                for r in role_ids {
                    self.user_roles.remove(&(user_id.clone(), r.clone()));
                }
            }
            E::OrgRoleBound {
                role_id, org_ids, ..
            } => {
                for o in org_ids {
                    self.org_roles.insert((o.clone(), role_id.clone()));
                }
            }
            E::OrgRoleUnbound {
                role_id, org_ids, ..
            } => {
                for o in org_ids {
                    self.org_roles.remove(&(o.clone(), role_id.clone()));
                }
            }
        }
    }

    fn decide(
        &self,
        command: AppAuthorizationCommand,
        _: &(),
    ) -> Result<Decision<AppAuthorizationEvent>, AuthorizationError> {
        use AppAuthorizationCommand as C;
        match command {
            C::AddPermission {
                application_id,
                permission_id,
                permission,
                now,
            } => self.add(application_id, permission_id, permission, now),
            C::ModifyPermission {
                application_id,
                permission_id,
                change,
                now,
            } => self.modify(application_id, permission_id, change, now),
            C::DeletePermission {
                application_id,
                permission_id,
                now,
            } => self.delete(application_id, permission_id, now),
            C::BindPermissions {
                application_id,
                role_id,
                role_exists,
                permission_ids,
                bind,
                now,
            } => self.bind_permissions(
                application_id,
                role_id,
                role_exists,
                permission_ids,
                bind,
                now,
            ),
            C::BindRoles {
                application_id,
                user_id,
                user_exists,
                roles,
                bind,
                now,
            } => self.bind_roles(application_id, user_id, user_exists, roles, bind, now),
            C::BindOrganization {
                application_id,
                role_id,
                role_exists,
                org_id,
                organizations,
                auth_sub,
                bind,
                now,
            } => self.bind_organization(
                application_id,
                role_id,
                role_exists,
                org_id,
                organizations,
                auth_sub,
                bind,
                now,
            ),
        }
    }
}

#[cfg(test)]
#[path = "app_authorization_tests.rs"]
mod tests;
