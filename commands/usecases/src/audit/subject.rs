//! A subject's access at an instant with its provenance (DESIGN.md "Audit and compliance",
//! ops/adr/0025): the user's state, organisation memberships and application accounts, the
//! applications the user could sign in to and why (the rule of `access::application`, for one
//! user), and per application the roles held — bound to the user, to an organisation the user
//! belonged to (an `authSub` binding was expanded to rows when bound), or to a role whose
//! members include an enabled account of the user — with the permissions bound to them. Every
//! fact carries the event that opened it.

use std::collections::{BTreeMap, BTreeSet};

use projections::asof::facts::{Kind, Side};
use projections::asof::read::{self, Mark, Valid};
use store::Pool as AnyPool;

use super::access::{At, Instant, Reason, Refusal};

/// A role the user held in an application, every way it was held, and its permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    pub role_id: String,
    /// `user`, `organization:{id}` or `account:{id}`, each with the binding's event.
    pub sources: Vec<(String, Mark)>,
    /// Permission ids with the binding's event.
    pub permissions: Vec<(String, Mark)>,
}

/// The user's standing in one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppStanding {
    pub application_id: String,
    /// Empty when the user could not sign in; `refusal` says why.
    pub reasons: Vec<Reason>,
    pub refusal: Option<Refusal>,
    pub roles: Vec<HeldRole>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectAccess {
    pub user_id: String,
    pub instant: Instant,
    /// The user's state row (`None`: the user did not exist then).
    pub state: Option<Valid>,
    pub memberships: Vec<Valid>,
    pub accounts: Vec<Valid>,
    pub applications: Vec<AppStanding>,
}

/// The user's access at the instant, or `None` when no fact about the user held then.
pub async fn user(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
    instant: Instant,
) -> anyhow::Result<Option<SubjectAccess>> {
    let p = instant.position;
    let at = At {
        pool,
        tenant,
        position: p,
    };
    let state = at
        .rows(Kind::User, Side::Subject, user_id)
        .await?
        .into_iter()
        .next();
    let memberships = at.rows(Kind::Membership, Side::Subject, user_id).await?;
    let accounts = at.rows(Kind::Account, Side::Subject, user_id).await?;
    if state.is_none() && memberships.is_empty() && accounts.is_empty() {
        return Ok(None);
    }
    let subtree = read::valid_at(pool, tenant, Kind::GrantReach, Side::Subject, tenant, p)
        .await?
        .first()
        .is_some_and(|r| r.fact.state == "subtree");
    // The organisations whose grants reach the user: each membership's, and (subtree) their
    // ancestors', with the path from the granted organisation down to the membership.
    let parents: BTreeMap<String, String> = if subtree {
        read::all_valid_at(pool, tenant, Kind::OrgParent, p)
            .await?
            .into_iter()
            .map(|r| (r.fact.subject_id, r.fact.object_id))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut reasons: BTreeMap<String, Vec<Reason>> = BTreeMap::new();
    let mut has_account: BTreeSet<String> = BTreeSet::new();
    let mut disabled_only: BTreeSet<String> = BTreeSet::new();
    for account in &accounts {
        let app = account.fact.object_id.clone();
        has_account.insert(app.clone());
        if account.fact.state == "enabled" {
            reasons.entry(app).or_default().push(Reason::Account {
                account_id: account.fact.via_id.clone(),
                since: account.from.clone(),
            });
        } else {
            disabled_only.insert(app);
        }
    }
    for grant in at.rows(Kind::AppGrant, Side::Subject, user_id).await? {
        if grant.fact.state == "user" && !has_account.contains(&grant.fact.object_id) {
            reasons
                .entry(grant.fact.object_id)
                .or_default()
                .push(Reason::UserGrant {
                    grant_id: grant.fact.via_id,
                    since: grant.from,
                });
        }
    }
    for membership in &memberships {
        let mut through = vec![membership.fact.object_id.clone()];
        loop {
            let org = through[0].clone();
            for grant in at.rows(Kind::AppGrant, Side::Subject, &org).await? {
                if grant.fact.state != "organization" || has_account.contains(&grant.fact.object_id)
                {
                    continue;
                }
                reasons
                    .entry(grant.fact.object_id)
                    .or_default()
                    .push(Reason::OrganizationGrant {
                        grant_id: grant.fact.via_id,
                        organization_id: org.clone(),
                        since: grant.from,
                        member_of: membership.fact.object_id.clone(),
                        membership_since: membership.from.clone(),
                        through: through.clone(),
                    });
            }
            match parents.get(&org) {
                Some(parent) if !parent.is_empty() && !through.contains(parent) => {
                    through.insert(0, parent.clone());
                }
                _ => break,
            }
        }
    }
    let user_refusal = match &state {
        None => Some(Refusal::UserAbsent),
        Some(s) if s.fact.state == "left" => Some(Refusal::UserLeft),
        Some(s) if s.fact.state != "enabled" => Some(Refusal::UserDisabled),
        Some(s) if s.fact.until_ms.is_some_and(|u| u <= instant.at_ms) => {
            Some(Refusal::UserExpired)
        }
        Some(_) => None,
    };
    let roles = roles(pool, tenant, user_id, &memberships, &accounts, p).await?;
    let mut apps: BTreeSet<String> = reasons.keys().cloned().collect();
    apps.extend(disabled_only.iter().cloned());
    apps.extend(roles.keys().cloned());
    let mut applications = Vec::new();
    for app in apps {
        let app_state = at.rows(Kind::Application, Side::Subject, &app).await?;
        let reasons = reasons.remove(&app).unwrap_or_default();
        let refusal = if reasons.is_empty() {
            disabled_only
                .contains(&app)
                .then_some(Refusal::AccountDisabled)
        } else if user_refusal.is_some() {
            user_refusal
        } else if app_state.first().is_none_or(|s| s.fact.state != "enabled") {
            Some(Refusal::ApplicationDisabled)
        } else {
            None
        };
        let reasons = if refusal.is_some() {
            Vec::new()
        } else {
            reasons
        };
        applications.push(AppStanding {
            roles: roles.get(&app).cloned().unwrap_or_default(),
            application_id: app,
            reasons,
            refusal,
        });
    }
    Ok(Some(SubjectAccess {
        user_id: user_id.to_string(),
        instant,
        state,
        memberships,
        accounts,
        applications,
    }))
}

/// The enabled roles the user held at `p`, by application, with their permissions.
async fn roles(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
    memberships: &[Valid],
    accounts: &[Valid],
    p: i64,
) -> anyhow::Result<BTreeMap<String, Vec<HeldRole>>> {
    let at = At {
        pool,
        tenant,
        position: p,
    };
    let mut sources: BTreeMap<String, Vec<(String, Mark)>> = BTreeMap::new();
    for binding in at.rows(Kind::UserRole, Side::Subject, user_id).await? {
        sources
            .entry(binding.fact.via_id)
            .or_default()
            .push(("user".into(), binding.from));
    }
    for membership in memberships {
        let org = &membership.fact.object_id;
        for binding in at.rows(Kind::OrgRole, Side::Subject, org).await? {
            sources
                .entry(binding.fact.via_id)
                .or_default()
                .push((format!("organization:{org}"), binding.from));
        }
    }
    for account in accounts.iter().filter(|a| a.fact.state == "enabled") {
        let id = &account.fact.via_id;
        for member in at.rows(Kind::RoleMember, Side::Subject, id).await? {
            sources
                .entry(member.fact.object_id)
                .or_default()
                .push((format!("account:{id}"), member.from));
        }
    }
    let mut by_app: BTreeMap<String, Vec<HeldRole>> = BTreeMap::new();
    for (role_id, sources) in sources {
        let Some(role) = at
            .rows(Kind::Role, Side::Subject, &role_id)
            .await?
            .into_iter()
            .next()
        else {
            continue;
        };
        if role.fact.state != "enabled" {
            continue;
        }
        let permissions = at
            .rows(Kind::RolePermission, Side::Subject, &role_id)
            .await?
            .into_iter()
            .map(|b| (b.fact.via_id, b.from))
            .collect();
        by_app
            .entry(role.fact.object_id)
            .or_default()
            .push(HeldRole {
                role_id,
                sources,
                permissions,
            });
    }
    Ok(by_app)
}
