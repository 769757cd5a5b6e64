//! The user's roles and permissions as an application receives them (issue 17 item 4; ops/adr/0018
//! "Releasing roles and permissions to applications"): the codes of the one effective-permission
//! query, read once per issuance, for the ID token and userinfo (OIDC Core §5.1 "additional
//! claims"), the SAML assertion's AttributeStatement (SAML Core §2.7.3) and the CAS validation
//! attributes (CAS Protocol 3.0 §2.5.7). The application's `release_authorization` setting
//! decides; nothing is read when it releases nothing.

use domain::protocols::AuthorizationRelease;
use projections::applications::ApplicationRow;
use projections::effective::Effective;
use serde_json::{json, Map, Value};

use crate::state::AppState;

/// The claim and attribute name of the role codes.
pub const ROLES: &str = "roles";
/// The claim and attribute name of the permission codes.
pub const PERMISSIONS: &str = "permissions";

/// What an application is told: codes sorted and without repeats; an empty list is not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleasedAuthorization {
    /// The application's setting these lists answer.
    pub release: AuthorizationRelease,
    pub roles: Vec<String>,
    /// The enabled tree permissions and the privileges the roles carry, as one list of codes.
    pub permissions: Vec<String>,
}

impl ReleasedAuthorization {
    /// What `release` lets go of an effective answer.
    pub fn of(effective: &Effective, release: AuthorizationRelease) -> Self {
        let codes = |codes: Vec<&str>| {
            let mut codes: Vec<String> = codes.into_iter().map(str::to_string).collect();
            codes.sort();
            codes.dedup();
            codes
        };
        let roles = match release.releases_roles() {
            true => codes(effective.role_codes()),
            false => Vec::new(),
        };
        let permissions = match release.releases_permissions() {
            true => codes(
                effective
                    .permissions
                    .iter()
                    .map(|p| p.code.as_str())
                    .collect(),
            ),
            false => Vec::new(),
        };
        Self {
            release,
            roles,
            permissions,
        }
    }

    /// Whether `name` belongs to the release under this setting, even without codes to send:
    /// another attribute of that name (a SAML mapping, a CAS released attribute) is not sent.
    pub fn reserves(&self, name: &str) -> bool {
        match name {
            ROLES => self.release.releases_roles(),
            PERMISSIONS => self.release.releases_permissions(),
            _ => false,
        }
    }

    /// `(name, codes)` of each list that has codes, roles first (an empty claim is left out,
    /// OIDC Core §5.3.2).
    pub fn named(&self) -> Vec<(&'static str, &[String])> {
        [(ROLES, &self.roles), (PERMISSIONS, &self.permissions)]
            .into_iter()
            .filter(|(_, codes)| !codes.is_empty())
            .map(|(name, codes)| (name, codes.as_slice()))
            .collect()
    }

    /// The lists as JSON arrays (OIDC claims, CAS attributes).
    pub fn claims(&self) -> Map<String, Value> {
        self.named()
            .into_iter()
            .map(|(name, codes)| (name.to_string(), json!(codes)))
            .collect()
    }
}

/// The user's released roles and permissions in the application: one effective query when the
/// application asks for them, none otherwise.
#[tracing::instrument(skip_all, fields(tenant = %tenant, application = %app.application_id))]
pub async fn released_authorization(
    state: &AppState,
    tenant: &str,
    app: &ApplicationRow,
    user_id: &str,
) -> anyhow::Result<ReleasedAuthorization> {
    let release = app.protocols.release_authorization;
    if release.is_none() {
        return Ok(ReleasedAuthorization::default());
    }
    let effective =
        projections::effective::effective(state.pool(), tenant, &app.application_id, user_id)
            .await?;
    Ok(ReleasedAuthorization::of(&effective, release))
}

#[cfg(test)]
mod tests {
    use super::*;
    use projections::effective::{PermissionKind, PermissionRef, RoleRef, RoleSource};

    fn role(code: &str) -> RoleRef {
        RoleRef {
            role_id: format!("id-{code}"),
            code: code.into(),
            name: code.into(),
            sources: vec![RoleSource::User],
        }
    }

    fn permission(code: &str, kind: PermissionKind) -> PermissionRef {
        PermissionRef {
            id: format!("id-{code}"),
            code: code.into(),
            name: code.into(),
            kind,
            role_ids: vec!["id-r".into()],
        }
    }

    #[test]
    fn codes_are_sorted_once_each_and_the_setting_picks_the_lists() {
        let effective = Effective {
            roles: vec![role("b"), role("a")],
            permissions: vec![
                permission("menu", PermissionKind::Permission(1)),
                permission("api", PermissionKind::Permission(3)),
                permission("menu", PermissionKind::Privilege),
                permission("audit", PermissionKind::Privilege),
            ],
        };
        let all = ReleasedAuthorization::of(&effective, AuthorizationRelease::RolesAndPermissions);
        assert_eq!(all.roles, ["a", "b"]);
        assert_eq!(all.permissions, ["api", "audit", "menu"]);
        assert_eq!(
            Value::Object(all.claims()),
            json!({"roles": ["a", "b"], "permissions": ["api", "audit", "menu"]})
        );
        let roles = ReleasedAuthorization::of(&effective, AuthorizationRelease::Roles);
        assert_eq!(Value::Object(roles.claims()), json!({"roles": ["a", "b"]}));
        assert!(roles.reserves("roles") && !roles.reserves("permissions"));
        assert!(all.reserves("permissions") && !all.reserves("email"));
        let none = ReleasedAuthorization::of(&effective, AuthorizationRelease::None);
        assert!(none.claims().is_empty() && none.named().is_empty());
        assert!(!none.reserves("roles"));
    }

    #[test]
    fn a_user_without_roles_gets_no_claim_rather_than_an_empty_one() {
        let nothing = ReleasedAuthorization::of(
            &Effective::default(),
            AuthorizationRelease::RolesAndPermissions,
        );
        assert!(nothing.roles.is_empty() && nothing.permissions.is_empty());
        assert!(nothing.claims().is_empty());
        assert!(nothing.reserves("roles") && nothing.reserves("permissions"));
    }
}
