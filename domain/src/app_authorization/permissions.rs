//! The permissions of an application's tree (specs/oneaccess-sdk-and-hainan-uaa.md §2.2 003-2…4,
//! §4.1.13–14): their values and the decisions that add, modify and delete them.

use serde::{Deserialize, Serialize};

use super::{AppAuthorization, AppAuthorizationEvent, AuthorizationError, Entity};
use crate::aggregate::Decision;

/// Longest remark of a permission or role, in characters.
pub const MAX_REMARK_CHARS: usize = 255;

/// What kind of resource a permission guards (003-2 `permissionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum PermissionType {
    Menu = 1,
    Button = 2,
    Api = 3,
    Data = 4,
    Other = 5,
}

impl TryFrom<u8> for PermissionType {
    type Error = AuthorizationError;

    fn try_from(value: u8) -> Result<Self, AuthorizationError> {
        Ok(match value {
            1 => Self::Menu,
            2 => Self::Button,
            3 => Self::Api,
            4 => Self::Data,
            5 => Self::Other,
            _ => return Err(AuthorizationError::Invalid("type", "not 1 to 5")),
        })
    }
}

impl From<PermissionType> for u8 {
    fn from(value: PermissionType) -> u8 {
        value as u8
    }
}

/// A role or permission remark: at most 255 characters (an empty one is no remark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remark(String);

impl Remark {
    pub fn parse(value: impl Into<String>) -> Result<Self, AuthorizationError> {
        let value = value.into();
        if value.chars().count() > MAX_REMARK_CHARS {
            return Err(AuthorizationError::Invalid("remark", "longer than 255"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The remark as stored: `None` when empty.
    pub fn into_stored(self) -> Option<String> {
        Some(self.0).filter(|r| !r.is_empty())
    }
}

/// Permission codes: 1 to 64 letters, digits, `_`, `-`, `.` or `:`.
pub fn is_permission_code(code: &str) -> bool {
    (1..=64).contains(&code.chars().count())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

fn check_code(code: &str) -> Result<(), AuthorizationError> {
    if code.is_empty() {
        Err(AuthorizationError::Invalid("code", "required"))
    } else if !is_permission_code(code) {
        Err(AuthorizationError::Invalid(
            "code",
            "1 to 64 of letters, digits, _-.:",
        ))
    } else {
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), AuthorizationError> {
    if name.trim().is_empty() {
        Err(AuthorizationError::Invalid("name", "required"))
    } else if name.chars().count() > 100 || name.chars().any(char::is_control) {
        Err(AuthorizationError::Invalid(
            "name",
            "1 to 100 printable characters",
        ))
    } else {
        Ok(())
    }
}

/// A permission as the aggregate and its events hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub permission_id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub permission_type: PermissionType,
    pub enabled: bool,
    pub order: i64,
    pub remark: Option<String>,
}

/// The fields of a new permission (003-2), as received.
#[derive(Debug, Clone)]
pub struct NewPermission {
    pub code: String,
    pub name: String,
    /// `None`: a top-level permission.
    pub parent_id: Option<String>,
    pub permission_type: u8,
    pub enabled: bool,
    pub order: i64,
    pub remark: Option<String>,
}

/// A change to a permission (003-3): absent fields keep their value; `parent_id: Some(None)`
/// moves the permission to the top level (ADR 0018, spec §4.1.13).
#[derive(Debug, Clone, Default)]
pub struct PermissionChange {
    pub code: Option<String>,
    pub name: Option<String>,
    pub parent_id: Option<Option<String>>,
    pub permission_type: Option<u8>,
    pub enabled: Option<bool>,
    pub order: Option<i64>,
    pub remark: Option<String>,
}

impl AppAuthorization {
    fn code_taken(&self, code: &str, except: &str) -> bool {
        self.permissions
            .values()
            .any(|p| p.code == code && p.permission_id != except)
    }

    /// Whether `candidate` is `permission_id` or one of its descendants.
    fn is_within(&self, candidate: &str, permission_id: &str) -> bool {
        let mut current = Some(candidate.to_string());
        // Each step goes one level up; the tree has no cycles, so this ends at a root.
        while let Some(id) = current {
            if id == permission_id {
                return true;
            }
            current = self.permissions.get(&id).and_then(|p| p.parent_id.clone());
        }
        false
    }

    fn check_parent(&self, parent_id: &Option<String>) -> Result<(), AuthorizationError> {
        match parent_id {
            Some(parent) if !self.permissions.contains_key(parent) => {
                Err(AuthorizationError::NotFound(Entity::Parent, parent.clone()))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn add(
        &self,
        application_id: String,
        permission_id: String,
        new: NewPermission,
        now: i64,
    ) -> Result<Decision<AppAuthorizationEvent>, AuthorizationError> {
        if self.permissions.contains_key(&permission_id) {
            return Err(AuthorizationError::AlreadyExists("permission id"));
        }
        check_code(&new.code)?;
        check_name(&new.name)?;
        let permission_type = PermissionType::try_from(new.permission_type)?;
        let remark = new.remark.map(Remark::parse).transpose()?;
        self.check_parent(&new.parent_id)?;
        if self.code_taken(&new.code, "") {
            return Err(AuthorizationError::AlreadyExists("code"));
        }
        Ok(Decision::event(AppAuthorizationEvent::PermissionAdded {
            application_id,
            permission: Permission {
                permission_id,
                code: new.code,
                name: new.name,
                parent_id: new.parent_id,
                permission_type,
                enabled: new.enabled,
                order: new.order,
                remark: remark.and_then(Remark::into_stored),
            },
            at: now,
        }))
    }

    pub(super) fn modify(
        &self,
        application_id: String,
        permission_id: String,
        change: PermissionChange,
        now: i64,
    ) -> Result<Decision<AppAuthorizationEvent>, AuthorizationError> {
        let current = self.permissions.get(&permission_id).ok_or_else(|| {
            AuthorizationError::NotFound(Entity::Permission, permission_id.clone())
        })?;
        let mut next = current.clone();
        if let Some(code) = change.code {
            check_code(&code)?;
            if self.code_taken(&code, &permission_id) {
                return Err(AuthorizationError::AlreadyExists("code"));
            }
            next.code = code;
        }
        if let Some(name) = change.name {
            check_name(&name)?;
            next.name = name;
        }
        if let Some(kind) = change.permission_type {
            next.permission_type = PermissionType::try_from(kind)?;
        }
        if let Some(remark) = change.remark {
            next.remark = Remark::parse(remark)?.into_stored();
        }
        if let Some(parent) = change.parent_id {
            self.check_parent(&parent)?;
            if let Some(parent) = &parent {
                if self.is_within(parent, &permission_id) {
                    return Err(AuthorizationError::Invalid("parent", "under itself"));
                }
            }
            next.parent_id = parent;
        }
        next.enabled = change.enabled.unwrap_or(next.enabled);
        next.order = change.order.unwrap_or(next.order);
        if &next == current {
            return Ok(Decision::none());
        }
        Ok(Decision::event(AppAuthorizationEvent::PermissionModified {
            application_id,
            permission: next,
            at: now,
        }))
    }

    pub(super) fn delete(
        &self,
        application_id: String,
        permission_id: String,
        now: i64,
    ) -> Result<Decision<AppAuthorizationEvent>, AuthorizationError> {
        if !self.permissions.contains_key(&permission_id) {
            return Err(AuthorizationError::NotFound(
                Entity::Permission,
                permission_id,
            ));
        }
        let has_children = self
            .permissions
            .values()
            .any(|p| p.parent_id.as_deref() == Some(permission_id.as_str()));
        if has_children {
            return Err(AuthorizationError::InUse(permission_id));
        }
        let role_ids = self
            .role_permissions
            .iter()
            .filter(|(_, p)| *p == permission_id)
            .map(|(r, _)| r.clone())
            .collect();
        Ok(Decision::event(AppAuthorizationEvent::PermissionDeleted {
            application_id,
            permission_id,
            role_ids,
            at: now,
        }))
    }
}
