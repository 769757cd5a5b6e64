//! As-of access answers (DESIGN.md "Audit and compliance", ops/adr/0025), read from the temporal
//! rows of `projections::asof`: who could sign in to an application just after the event at a
//! position, and why — the same rule as `signin::session::may_use` and `access` applied to the
//! facts of that instant: an enabled account in the application; or, for a user with no account
//! in it, a grant of it to the user or to an organisation the user belonged to (or, when the
//! tenant let grants reach sub-organisations, to an ancestor of one); and the user enabled and
//! not expired, the application enabled.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use projections::asof::facts::{Kind, Side};
use projections::asof::read::{self, Mark, Valid};
use store::Pool as AnyPool;

/// The facts valid at one position.
pub(super) struct At<'a> {
    pub pool: &'a AnyPool,
    pub tenant: &'a str,
    pub position: i64,
}

impl At<'_> {
    /// The facts of `kind` whose `side` is `id`.
    pub async fn rows(&self, kind: Kind, side: Side, id: &str) -> anyhow::Result<Vec<Valid>> {
        read::valid_at(self.pool, self.tenant, kind, side, id, self.position).await
    }
}

/// An instant asked about: the tenant's last position at or before it, and its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    pub position: i64,
    /// Milliseconds since the epoch (for users' expiry).
    pub at_ms: i64,
}

/// The instant `at_ms`, in the tenant's events.
pub async fn instant(pool: &AnyPool, tenant: &str, at_ms: i64) -> anyhow::Result<Instant> {
    let at = chrono::DateTime::from_timestamp_millis(at_ms)
        .ok_or_else(|| anyhow::anyhow!("{at_ms} ms is outside the calendar"))?
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    Ok(Instant {
        position: read::position_at(pool, tenant, &at).await?,
        at_ms,
    })
}

/// One way a user reaches an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An enabled account in the application, opened by `since`.
    Account { account_id: String, since: Mark },
    /// A grant of the application to the user.
    UserGrant { grant_id: String, since: Mark },
    /// A grant of the application to `organization_id`, reaching the user's membership of
    /// `member_of` — the granted organisation itself, or (`through`, the organisations from the
    /// granted one down) one below it.
    OrganizationGrant {
        grant_id: String,
        organization_id: String,
        since: Mark,
        member_of: String,
        membership_since: Mark,
        through: Vec<String>,
    },
}

impl Reason {
    pub fn name(&self) -> &'static str {
        match self {
            Reason::Account { .. } => "account",
            Reason::UserGrant { .. } => "user_grant",
            Reason::OrganizationGrant { .. } => "organization_grant",
        }
    }

    pub fn since(&self) -> &Mark {
        match self {
            Reason::Account { since, .. }
            | Reason::UserGrant { since, .. }
            | Reason::OrganizationGrant { since, .. } => since,
        }
    }
}

/// A user who could sign in, with every reason and the event since which the user was enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    pub user_id: String,
    pub reasons: Vec<Reason>,
    pub enabled_since: Mark,
}

/// Why a user the application reached could not sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Refusal {
    /// Every account of the user in the application was disabled (grants do not count then).
    AccountDisabled,
    UserDisabled,
    UserLeft,
    UserExpired,
    /// Reached by a grant, but the user did not exist (deleted) at the instant.
    UserAbsent,
    ApplicationDisabled,
}

impl Refusal {
    pub fn name(self) -> &'static str {
        match self {
            Refusal::AccountDisabled => "account_disabled",
            Refusal::UserDisabled => "user_disabled",
            Refusal::UserLeft => "user_left",
            Refusal::UserExpired => "user_expired",
            Refusal::UserAbsent => "user_absent",
            Refusal::ApplicationDisabled => "application_disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub user_id: String,
    pub refusal: Refusal,
    /// The event that made it so (the disabling, leaving or deleting one), when there is one.
    pub since: Option<Mark>,
}

/// Who could sign in to an application at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppAccess {
    pub application_id: String,
    pub instant: Instant,
    /// `enabled` or `disabled`, and the event since which.
    pub application_state: String,
    pub application_since: Mark,
    /// `direct` or `subtree`: whether grants to an organisation reached its sub-organisations.
    pub grant_reach: String,
    /// By user id.
    pub allowed: Vec<Allowed>,
    pub refused: Vec<Refused>,
}

/// The organisation tree at a position: each organisation's parent.
struct Tree {
    children: HashMap<String, Vec<String>>,
}

impl Tree {
    async fn at(pool: &AnyPool, tenant: &str, position: i64) -> anyhow::Result<Self> {
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for row in read::all_valid_at(pool, tenant, Kind::OrgParent, position).await? {
            children
                .entry(row.fact.object_id)
                .or_default()
                .push(row.fact.subject_id);
        }
        Ok(Self { children })
    }

    /// `root` and every organisation below it, each with the path from `root` down to it.
    fn below(&self, root: &str) -> Vec<(String, Vec<String>)> {
        let mut found = vec![(root.to_string(), vec![root.to_string()])];
        let mut seen: BTreeSet<String> = BTreeSet::from([root.to_string()]);
        let mut next = 0;
        while next < found.len() {
            let (org, path) = found[next].clone();
            next += 1;
            for child in self.children.get(&org).into_iter().flatten() {
                if seen.insert(child.clone()) {
                    let mut path = path.clone();
                    path.push(child.clone());
                    found.push((child.clone(), path));
                }
            }
        }
        found
    }
}

/// Whether grants reached sub-organisations at the position.
async fn grant_reach(pool: &AnyPool, tenant: &str, position: i64) -> anyhow::Result<String> {
    let rows = read::valid_at(
        pool,
        tenant,
        Kind::GrantReach,
        Side::Subject,
        tenant,
        position,
    )
    .await?;
    Ok(rows
        .into_iter()
        .next()
        .map(|r| r.fact.state)
        .unwrap_or_else(|| "direct".to_string()))
}

/// Who could sign in to the application at the instant, or `None` when it did not exist then.
pub async fn application(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    instant: Instant,
) -> anyhow::Result<Option<AppAccess>> {
    let p = instant.position;
    let at = At {
        pool,
        tenant,
        position: p,
    };
    let Some(app) = at
        .rows(Kind::Application, Side::Subject, application_id)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let reach = grant_reach(pool, tenant, p).await?;
    let mut reasons: BTreeMap<String, Vec<Reason>> = BTreeMap::new();
    let mut refused: BTreeMap<String, Refused> = BTreeMap::new();
    let mut has_account: BTreeSet<String> = BTreeSet::new();
    for account in at.rows(Kind::Account, Side::Object, application_id).await? {
        let user = account.fact.subject_id.clone();
        has_account.insert(user.clone());
        if account.fact.state == "enabled" {
            reasons.entry(user).or_default().push(Reason::Account {
                account_id: account.fact.via_id,
                since: account.from,
            });
        } else {
            refused.entry(user.clone()).or_insert(Refused {
                user_id: user,
                refusal: Refusal::AccountDisabled,
                since: Some(account.from),
            });
        }
    }
    for user in reasons.keys() {
        refused.remove(user);
    }
    let grants = at
        .rows(Kind::AppGrant, Side::Object, application_id)
        .await?;
    let tree = if reach == "subtree" && grants.iter().any(|g| g.fact.state == "organization") {
        Some(Tree::at(pool, tenant, p).await?)
    } else {
        None
    };
    for grant in grants {
        let granted = grant.fact.subject_id.clone();
        if grant.fact.state == "user" {
            if !has_account.contains(&granted) {
                reasons.entry(granted).or_default().push(Reason::UserGrant {
                    grant_id: grant.fact.via_id.clone(),
                    since: grant.from.clone(),
                });
            }
            continue;
        }
        let reached = match &tree {
            Some(tree) => tree.below(&granted),
            None => vec![(granted.clone(), vec![granted.clone()])],
        };
        for (org, through) in reached {
            for membership in at.rows(Kind::Membership, Side::Object, &org).await? {
                let user = membership.fact.subject_id;
                if has_account.contains(&user) {
                    continue;
                }
                reasons
                    .entry(user)
                    .or_default()
                    .push(Reason::OrganizationGrant {
                        grant_id: grant.fact.via_id.clone(),
                        organization_id: granted.clone(),
                        since: grant.from.clone(),
                        member_of: org.clone(),
                        membership_since: membership.from,
                        through: through.clone(),
                    });
            }
        }
    }
    let app_enabled = app.fact.state == "enabled";
    let mut allowed = Vec::new();
    for (user, reasons) in reasons {
        let state = at
            .rows(Kind::User, Side::Subject, &user)
            .await?
            .into_iter()
            .next();
        match user_refusal(state.as_ref(), instant.at_ms) {
            Some(refusal) => {
                let since = state.map(|s| s.from);
                refused.insert(
                    user.clone(),
                    Refused {
                        user_id: user,
                        refusal,
                        since,
                    },
                );
            }
            None if !app_enabled => {
                refused.insert(
                    user.clone(),
                    Refused {
                        user_id: user,
                        refusal: Refusal::ApplicationDisabled,
                        since: Some(app.from.clone()),
                    },
                );
            }
            None => allowed.push(Allowed {
                user_id: user,
                reasons,
                enabled_since: state.map(|s| s.from).ok_or_else(|| {
                    anyhow::anyhow!("a user without a state row passed the state check")
                })?,
            }),
        }
    }
    Ok(Some(AppAccess {
        application_id: application_id.to_string(),
        instant,
        application_state: app.fact.state,
        application_since: app.from,
        grant_reach: reach,
        allowed,
        refused: refused.into_values().collect(),
    }))
}

/// Why a user in `state` (its row at the instant) could not sign in at `at_ms`, if not.
fn user_refusal(state: Option<&Valid>, at_ms: i64) -> Option<Refusal> {
    let Some(state) = state else {
        return Some(Refusal::UserAbsent);
    };
    match state.fact.state.as_str() {
        "enabled" if state.fact.until_ms.is_some_and(|until| until <= at_ms) => {
            Some(Refusal::UserExpired)
        }
        "enabled" => None,
        "left" => Some(Refusal::UserLeft),
        _ => Some(Refusal::UserDisabled),
    }
}
