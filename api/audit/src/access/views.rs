//! The as-of answers as JSON and CSV rows (ops/adr/0025): every fact with the event that opened
//! it — its position, time, type and actor.

use projections::asof::read::{Mark, Valid};
use serde::Serialize;
use usecases::audit::access::{Allowed, AppAccess, Reason, Refused};
use usecases::audit::review::Review;
use usecases::audit::subject::{AppStanding, HeldRole, SubjectAccess};
use utoipa::ToSchema;

/// The event that opened (or closed) a fact: where it is in the log, when, what, and who.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkView {
    pub position: i64,
    pub at: String,
    pub event_type: String,
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
}

impl From<&Mark> for MarkView {
    fn from(m: &Mark) -> Self {
        Self {
            position: m.position,
            at: m.at.clone(),
            event_type: m.event_type.clone(),
            actor_kind: m.actor_kind.clone(),
            actor_id: m.actor_id.clone(),
        }
    }
}

/// One reason a user could sign in: `via` `account` (an enabled account, `account_id`),
/// `user_grant` (a grant to the user, `grant_id`) or `organization_grant` (a grant to
/// `organization_id` reaching the user's membership of `member_of`, through the organisations
/// in `through`, from the granted one down). `since` is the granting event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonView {
    pub via: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_since: Option<MarkView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through: Option<Vec<String>>,
    pub since: MarkView,
}

impl From<&Reason> for ReasonView {
    fn from(r: &Reason) -> Self {
        let mut view = Self {
            via: r.name(),
            account_id: None,
            grant_id: None,
            organization_id: None,
            member_of: None,
            membership_since: None,
            through: None,
            since: r.since().into(),
        };
        match r {
            Reason::Account { account_id, .. } => view.account_id = Some(account_id.clone()),
            Reason::UserGrant { grant_id, .. } => view.grant_id = Some(grant_id.clone()),
            Reason::OrganizationGrant {
                grant_id,
                organization_id,
                member_of,
                membership_since,
                through,
                ..
            } => {
                view.grant_id = Some(grant_id.clone());
                view.organization_id = Some(organization_id.clone());
                view.member_of = Some(member_of.clone());
                view.membership_since = Some(membership_since.into());
                view.through = Some(through.clone());
            }
        }
        view
    }
}

/// A user who could sign in, why, and since when the user was enabled.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllowedView {
    pub user_id: String,
    pub reasons: Vec<ReasonView>,
    pub enabled_since: MarkView,
}

impl From<&Allowed> for AllowedView {
    fn from(a: &Allowed) -> Self {
        Self {
            user_id: a.user_id.clone(),
            reasons: a.reasons.iter().map(ReasonView::from).collect(),
            enabled_since: (&a.enabled_since).into(),
        }
    }
}

/// A user the application reached who could not sign in: `why` is `account_disabled`,
/// `user_disabled`, `user_left`, `user_expired`, `user_absent` or `application_disabled`;
/// `since` the event that made it so.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefusedView {
    pub user_id: String,
    pub why: &'static str,
    pub since: Option<MarkView>,
}

impl From<&Refused> for RefusedView {
    fn from(r: &Refused) -> Self {
        Self {
            user_id: r.user_id.clone(),
            why: r.refusal.name(),
            since: r.since.as_ref().map(MarkView::from),
        }
    }
}

/// The application's own state at the instant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateView {
    /// `enabled`, `disabled` (or `absent` in a review, before it existed or after it was deleted).
    pub state: String,
    pub since: MarkView,
}

/// Who could sign in to an application at an instant, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppAccessView {
    pub application_id: String,
    /// The instant asked about.
    pub at: String,
    /// The tenant's last event at or before it: the answer holds just after that event.
    pub position: i64,
    pub application: StateView,
    /// `direct`, or `subtree` when grants to an organisation reached its sub-organisations.
    pub grant_reach: String,
    pub users: Vec<AllowedView>,
    pub refused: Vec<RefusedView>,
}

impl AppAccessView {
    pub fn of(a: &AppAccess, at: String) -> Self {
        Self {
            application_id: a.application_id.clone(),
            at,
            position: a.instant.position,
            application: StateView {
                state: a.application_state.clone(),
                since: (&a.application_since).into(),
            },
            grant_reach: a.grant_reach.clone(),
            users: a.allowed.iter().map(AllowedView::from).collect(),
            refused: a.refused.iter().map(RefusedView::from).collect(),
        }
    }
}

/// A user who lost access, and why not after (absent when nothing reached the user any more).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LostView {
    #[serde(flatten)]
    pub user: AllowedView,
    pub now_refused: Option<&'static str>,
}

/// The difference between two instants' access to an application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub application_id: String,
    pub from: String,
    pub from_position: i64,
    pub to: String,
    pub to_position: i64,
    /// Could sign in at `to`, not at `from` (reasons as of `to`).
    pub gained: Vec<AllowedView>,
    /// Could sign in at `from`, not at `to` (reasons as of `from`).
    pub lost: Vec<LostView>,
    /// Could sign in at both (reasons as of `to`).
    pub kept: Vec<AllowedView>,
}

impl ReviewView {
    pub fn of(r: &Review, from: String, to: String) -> Self {
        Self {
            application_id: r.after.application_id.clone(),
            from,
            from_position: r.before.instant.position,
            to,
            to_position: r.after.instant.position,
            gained: r.gained.iter().map(AllowedView::from).collect(),
            lost: r
                .lost
                .iter()
                .map(|(u, why)| LostView {
                    user: u.into(),
                    now_refused: why.as_ref().map(|w| w.refusal.name()),
                })
                .collect(),
            kept: r.kept.iter().map(AllowedView::from).collect(),
        }
    }
}

/// A fact about the subject and the event that opened it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactView {
    /// The organisation (membership) or application (account).
    pub id: String,
    /// The account id (account), empty for a membership.
    pub via: String,
    /// The relation type of a membership (`1` primary), `enabled`/`disabled` of an account.
    pub state: String,
    pub since: MarkView,
}

impl From<&Valid> for FactView {
    fn from(v: &Valid) -> Self {
        Self {
            id: v.fact.object_id.clone(),
            via: v.fact.via_id.clone(),
            state: v.fact.state.clone(),
            since: (&v.from).into(),
        }
    }
}

/// A role held and its permissions: `sources` are `user`, `organization:{id}` or
/// `account:{id}`, each with its binding's event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleView {
    pub role_id: String,
    pub sources: Vec<SourceView>,
    pub permissions: Vec<SourceView>,
}

/// A binding: what it binds and the event that bound it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceView {
    pub id: String,
    pub since: MarkView,
}

impl From<&HeldRole> for RoleView {
    fn from(r: &HeldRole) -> Self {
        let view = |(id, since): &(String, Mark)| SourceView {
            id: id.clone(),
            since: since.into(),
        };
        Self {
            role_id: r.role_id.clone(),
            sources: r.sources.iter().map(view).collect(),
            permissions: r.permissions.iter().map(view).collect(),
        }
    }
}

/// The subject's standing in one application: `reasons` it could sign in, or `refused` why
/// not; the roles it held there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StandingView {
    pub application_id: String,
    pub can_sign_in: bool,
    pub reasons: Vec<ReasonView>,
    pub refused: Option<&'static str>,
    pub roles: Vec<RoleView>,
}

impl From<&AppStanding> for StandingView {
    fn from(s: &AppStanding) -> Self {
        Self {
            application_id: s.application_id.clone(),
            can_sign_in: s.refusal.is_none() && !s.reasons.is_empty(),
            reasons: s.reasons.iter().map(ReasonView::from).collect(),
            refused: s.refusal.map(|r| r.name()),
            roles: s.roles.iter().map(RoleView::from).collect(),
        }
    }
}

/// A user's access at an instant with its provenance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectView {
    pub user_id: String,
    pub at: String,
    pub position: i64,
    /// `enabled`, `disabled` or `left`, and since when; null when the user did not exist.
    pub state: Option<StateView>,
    /// The user's expiry, when one was set (RFC 3339).
    pub expires_at: Option<String>,
    pub memberships: Vec<FactView>,
    pub accounts: Vec<FactView>,
    pub applications: Vec<StandingView>,
}

impl SubjectView {
    pub fn of(s: &SubjectAccess, at: String) -> Self {
        Self {
            user_id: s.user_id.clone(),
            at,
            position: s.instant.position,
            state: s.state.as_ref().map(|v| StateView {
                state: v.fact.state.clone(),
                since: (&v.from).into(),
            }),
            expires_at: s
                .state
                .as_ref()
                .and_then(|v| v.fact.until_ms)
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            memberships: s.memberships.iter().map(FactView::from).collect(),
            accounts: s.accounts.iter().map(FactView::from).collect(),
            applications: s.applications.iter().map(StandingView::from).collect(),
        }
    }
}

pub const REASON_CSV: [&str; 13] = [
    "user_id",
    "via",
    "account_id",
    "grant_id",
    "organization_id",
    "member_of",
    "through",
    "since_position",
    "since_at",
    "since_event",
    "since_actor_kind",
    "since_actor_id",
    "note",
];

/// One row of `REASON_CSV`: a reason of `user_id`, with `note`.
pub fn reason_row(user_id: &str, r: &ReasonView, note: &str) -> Vec<String> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        user_id.to_string(),
        r.via.to_string(),
        o(&r.account_id),
        o(&r.grant_id),
        o(&r.organization_id),
        o(&r.member_of),
        r.through.clone().unwrap_or_default().join("/"),
        r.since.position.to_string(),
        r.since.at.clone(),
        r.since.event_type.clone(),
        o(&r.since.actor_kind),
        o(&r.since.actor_id),
        note.to_string(),
    ]
}

/// One row per reason of each user, with `note`.
pub fn reason_rows(users: &[AllowedView], note: &str) -> Vec<Vec<String>> {
    users
        .iter()
        .flat_map(|u| u.reasons.iter().map(|r| reason_row(&u.user_id, r, note)))
        .collect()
}

/// One row per refused user (`via` empty, `note` the refusal).
pub fn refused_rows(refused: &[RefusedView]) -> Vec<Vec<String>> {
    refused
        .iter()
        .map(|r| {
            let since = r.since.as_ref();
            let o = |f: fn(&MarkView) -> String| since.map(f).unwrap_or_default();
            vec![
                r.user_id.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                o(|m| m.position.to_string()),
                o(|m| m.at.clone()),
                o(|m| m.event_type.clone()),
                o(|m| m.actor_kind.clone().unwrap_or_default()),
                o(|m| m.actor_id.clone().unwrap_or_default()),
                format!("refused: {}", r.why),
            ]
        })
        .collect()
}
