//! The bindings of an application's authorisation model (specs/oneaccess-sdk-and-hainan-uaa.md
//! §2.2 003-11…16, §4.1.15–16): role ↔ permission, user ↔ role and organisation ↔ role. Binding
//! what is bound or unbinding what is not changes nothing; an unknown id refuses the whole call.

use std::collections::BTreeSet;

use super::{
    AppAuthorization, AppAuthorizationEvent, AuthorizationError, Entity, MAX_IDS_PER_CALL,
};
use crate::aggregate::Decision;

/// The ids of a bind or unbind call: 1 to 100, duplicates dropped, first occurrence kept.
fn id_list(ids: &[String], field: &'static str) -> Result<Vec<String>, AuthorizationError> {
    if ids.is_empty() {
        return Err(AuthorizationError::Invalid(field, "required"));
    }
    if ids.len() > MAX_IDS_PER_CALL {
        return Err(AuthorizationError::LimitExceeded);
    }
    let mut seen = BTreeSet::new();
    Ok(ids.iter().filter(|id| seen.insert(*id)).cloned().collect())
}

impl AppAuthorization {
    pub(super) fn bind_permissions(
        &self,
        application_id: String,
        role_id: String,
        role_exists: bool,
        permission_ids: Vec<String>,
        bind: bool,
        now: i64,
    ) -> Result<Decision<AppAuthorizationEvent>, AuthorizationError> {
        let ids = id_list(&permission_ids, "permission_ids")?;
        if !role_exists {
            return Err(AuthorizationError::NotFound(Entity::Role, role_id));
        }
        if let Some(unknown) = ids.iter().find(|id| !self.permissions.contains_key(*id)) {
            return Err(AuthorizationError::NotFound(
                Entity::Permission,
                unknown.clone(),
            ));
        }
        let permission_ids: Vec<String> = ids
            .into_iter()
            .filter(|p| {
                bind != self
                    .role_permissions
                    .contains(&(role_id.clone(), p.clone()))
            })
            .collect();
        if permission_ids.is_empty() {
            return Ok(Decision::none());
        }
        Ok(Decision::event(if bind {
            AppAuthorizationEvent::RolePermissionsBound {
                application_id,
                role_id,
                permission_ids,
                at: now,
            }
        } else {
            AppAuthorizationEvent::RolePermissionsUnbound {
                application_id,
                role_id,
                permission_ids,
                at: now,
            }
        }))
    }

    pub(super) fn bind_roles(
        &self,
        application_id: String,
        user_id: String,
        user_exists: bool,
        roles: Vec<(String, bool)>,
        bind: bool,
        now: i64,
    ) -> Result<Decision<AppAuthorizationEvent>, AuthorizationError> {
        let ids: Vec<String> = roles.iter().map(|(id, _)| id.clone()).collect();
        let ids = id_list(&ids, "role_ids")?;
        if !user_exists {
            return Err(AuthorizationError::NotFound(Entity::User, user_id));
        }
        if let Some((unknown, _)) = roles.iter().find(|(_, exists)| !exists) {
            return Err(AuthorizationError::NotFound(Entity::Role, unknown.clone()));
        }
        let role_ids: Vec<String> = ids
            .into_iter()
            .filter(|r| bind != self.user_roles.contains(&(user_id.clone(), r.clone())))
            .collect();
        if role_ids.is_empty() {
            return Ok(Decision::none());
        }
        Ok(Decision::event(if bind {
            AppAuthorizationEvent::UserRolesBound {
                application_id,
                user_id,
                role_ids,
                at: now,
            }
        } else {
            AppAuthorizationEvent::UserRolesUnbound {
                application_id,
                user_id,
                role_ids,
                at: now,
            }
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn bind_organization(
        &self,
        application_id: String,
        role_id: String,
        role_exists: bool,
        org_id: String,
        organizations: Vec<String>,
        auth_sub: bool,
        bind: bool,
        now: i64,
    ) -> Result<Decision<AppAuthorizationEvent>, AuthorizationError> {
        if !role_exists {
            return Err(AuthorizationError::NotFound(Entity::Role, role_id));
        }
        if organizations.first() != Some(&org_id) {
            return Err(AuthorizationError::NotFound(Entity::Organization, org_id));
        }
        let scope = if auth_sub {
            organizations
        } else {
            vec![org_id.clone()]
        };
        let mut seen = BTreeSet::new();
        let org_ids: Vec<String> = scope
            .into_iter()
            .filter(|o| seen.insert(o.clone()))
            .filter(|o| bind != self.org_roles.contains(&(o.clone(), role_id.clone())))
            .collect();
        if org_ids.is_empty() {
            return Ok(Decision::none());
        }
        Ok(Decision::event(if bind {
            AppAuthorizationEvent::OrgRoleBound {
                application_id,
                role_id,
                org_id,
                auth_sub,
                org_ids,
                at: now,
            }
        } else {
            AppAuthorizationEvent::OrgRoleUnbound {
                application_id,
                role_id,
                org_id,
                auth_sub,
                org_ids,
                at: now,
            }
        }))
    }
}
