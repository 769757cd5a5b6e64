//! The caches of hot reads (DESIGN.md "Hot paths, caches and several nodes", ops/adr/0028):
//! client lookup, management and OAuth access token checks answer from memory. Each cache is
//! fed by the store's change feed: an event drops exactly what it made stale (an
//! `application.*` event its application, a `user.*` event its user, a session's event the
//! session, a revocation its grant's tokens), on this node before
//! the write is answered, on the others within the coherence interval. Issuing a token is an
//! event too, but it changes nothing cached, so issuance never empties a cache. The signing keys
//! (`signing::KeyRing`) and host names (`tenant_hosts`) have caches of their own on the same
//! map.

mod bounded;
pub mod lookups;

use std::sync::Arc;

pub use bounded::{Bounded, Group, Ticket};
use domain::app_account::AppAccount;
use domain::app_grant::AppGrants;
use domain::application::Application;
use domain::oauth_grant::OAuthGrant;
use domain::organization::Organization;
use domain::sso_session::SsoSession;
use domain::tenant::{Tenant, TenantSettings};
use domain::user::User;
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::oauth::TokenRow;
use projections::sessions::SessionRow;
use projections::users::UserRow;
use store::{Change, ChangeFeed, ChangeSubscriber};

/// The grant events after which some of its access tokens are no longer live (the `revoked`
/// flag of `projections::oauth`). Every other grant event leaves cached tokens as they are.
const ENDS_TOKENS: [&str; 2] = ["oauth_grant.revoked", "oauth_grant.token_revoked"];

/// A key within a tenant: (tenant, id).
type Key = (String, String);

/// Whether a user may use an application: (tenant, user id, application id, accounts only).
type ReachKey = (String, String, String, bool);

/// The streams whose events can change whether a user may use an application: their accounts,
/// the applications' grants, the organisations those reach, the tenant's inheritance setting.
const CHANGE_REACH: [&str; 6] = [
    User::STREAM_TYPE,
    AppAccount::STREAM_TYPE,
    Application::STREAM_TYPE,
    AppGrants::STREAM_TYPE,
    Organization::STREAM_TYPE,
    Tenant::STREAM_TYPE,
];

pub struct Caches {
    /// Applications by id, filed under themselves.
    applications: Bounded<Key, Arc<ApplicationRow>>,
    /// Client id → application id, filed under the application.
    client_ids: Bounded<Key, String>,
    /// OAuth access tokens by `jti`, filed under their grant.
    access_tokens: Bounded<Key, Arc<TokenRow>>,
    /// Management tokens by keyed hash → application id, filed under the application.
    management_tokens: Bounded<Key, String>,
    /// Each tenant's settings, filed under the tenant's stream.
    settings: Bounded<String, Arc<TenantSettings>>,
    /// Users by id, filed under themselves (the users projection reads only their own stream).
    users: Bounded<Key, Arc<UserRow>>,
    /// Sign-in sessions by the keyed hash of their cookie, filed under the session.
    sessions: Bounded<Key, Arc<SessionRow>>,
    /// Whether a user may use an application, filed under the tenant (`reach_group`): an event
    /// of any of `CHANGE_REACH` in the tenant drops them all.
    reach: Bounded<ReachKey, bool>,
    /// Authorisation codes issued by this node (keyed hash) → their grant, filed under the grant
    /// until the code expires: redeeming one needs no lookup. A code is single-use by its
    /// grant's stream, not by this map.
    codes: Bounded<Key, String>,
}

/// The group every `reach` entry of a tenant is filed under.
fn reach_group(tenant: &str) -> Group {
    Group::of(tenant, "*reach")
}

impl Caches {
    /// Caches of at most `entries` entries each, answering while `feed` is current. Subscribe
    /// them to `feed`.
    pub fn new(entries: usize, feed: &Arc<ChangeFeed>) -> Self {
        Self {
            applications: Bounded::new("application", entries, feed.clone()),
            client_ids: Bounded::new("client_id", entries, feed.clone()),
            access_tokens: Bounded::new("access_token", entries, feed.clone()),
            management_tokens: Bounded::new("management_token", entries, feed.clone()),
            settings: Bounded::new("tenant_settings", entries, feed.clone()),
            users: Bounded::new("user", entries, feed.clone()),
            sessions: Bounded::new("session", entries, feed.clone()),
            reach: Bounded::new("reach", entries, feed.clone()),
            codes: Bounded::new("code", entries, feed.clone()),
        }
    }
}

impl ChangeSubscriber for Caches {
    fn changed(&self, changes: &[Change]) {
        for change in changes {
            let group = || Group::of(&change.tenant_id, &change.stream_id);
            if CHANGE_REACH.contains(&change.stream_type.as_str()) {
                self.reach.invalidate(reach_group(&change.tenant_id));
            }
            match change.stream_type.as_str() {
                Application::STREAM_TYPE => {
                    let group = group();
                    self.applications.invalidate(group);
                    self.client_ids.invalidate(group);
                    self.management_tokens.invalidate(group);
                }
                User::STREAM_TYPE => self.users.invalidate(group()),
                SsoSession::STREAM_TYPE => self.sessions.invalidate(group()),
                Tenant::STREAM_TYPE => {
                    let tenant = &change.tenant_id;
                    self.settings.invalidate(Group::of(tenant, tenant));
                }
                OAuthGrant::STREAM_TYPE if ENDS_TOKENS.contains(&change.event_type.as_str()) => {
                    self.access_tokens.invalidate(group());
                }
                _ => {}
            }
        }
    }

    fn reset(&self) {
        self.applications.clear();
        self.client_ids.clear();
        self.access_tokens.clear();
        self.management_tokens.clear();
        self.settings.clear();
        self.users.clear();
        self.sessions.clear();
        self.reach.clear();
        self.codes.clear();
    }
}

fn key(tenant: &str, id: &str) -> Key {
    (tenant.to_string(), id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(stream_type: &str, stream_id: &str, event_type: &str) -> Change {
        Change {
            position: 1,
            tenant_id: "t".into(),
            stream_type: stream_type.into(),
            stream_id: stream_id.into(),
            event_type: event_type.into(),
        }
    }

    fn filled() -> Caches {
        let caches = Caches::new(100, &Arc::new(ChangeFeed::default()));
        let grant = Group::of("t", "g1");
        let tokens = &caches.access_tokens;
        for jti in ["j1", "j2"] {
            let row = Arc::new(TokenRow {
                jti: jti.into(),
                grant_id: "g1".into(),
                application_id: "a1".into(),
                user_id: None,
                scope: "openid".into(),
                issued_at: 0,
                expires_at: 1_000,
                revoked: false,
            });
            tokens.fill(tokens.ticket(), key("t", jti), grant, row, Some(1_000));
        }
        let app = Group::of("t", "a1");
        let ids = &caches.client_ids;
        ids.fill(ids.ticket(), key("t", "client"), app, "a1".into(), None);
        let sync = &caches.management_tokens;
        sync.fill(
            sync.ticket(),
            key("t", "hash"),
            app,
            "a1".into(),
            Some(1_000),
        );
        caches
    }

    #[test]
    fn issuing_tokens_drops_nothing() {
        let caches = filled();
        caches.changed(&[
            change("oauth_grant", "g2", "oauth_grant.started"),
            change("oauth_grant", "g4", "oauth_grant.code_granted"),
            change("oauth_grant", "g2", "oauth_grant.token_issued"),
            change("oauth_grant", "g1", "oauth_grant.token_issued"),
            change("oauth_grant", "g1", "oauth_grant.refresh_issued"),
            change("oauth_grant", "g3", "oauth_grant.client_token_issued"),
            change("oauth_grant", "g1", "oauth_grant.code_exchanged"),
            change("management_token", "m2", "management_token.issued"),
            change("application", "a2", "application.disabled"),
        ]);
        assert!(caches.access_tokens.get(&key("t", "j1"), 0).is_some());
        assert!(caches.client_ids.get(&key("t", "client"), 0).is_some());
        assert!(caches.management_tokens.get(&key("t", "hash"), 0).is_some());
    }

    #[test]
    fn a_revocation_drops_its_grants_tokens_and_an_application_event_its_entries() {
        let caches = filled();
        caches.changed(&[change("oauth_grant", "g1", "oauth_grant.token_revoked")]);
        assert!(caches.access_tokens.get(&key("t", "j1"), 0).is_none());
        assert!(caches.access_tokens.get(&key("t", "j2"), 0).is_none());
        assert!(caches.client_ids.get(&key("t", "client"), 0).is_some());

        let other_tenant = Change {
            tenant_id: "u".into(),
            ..change("application", "a1", "application.disabled")
        };
        caches.changed(&[other_tenant]);
        assert!(caches.client_ids.get(&key("t", "client"), 0).is_some());
        caches.changed(&[change("application", "a1", "application.disabled")]);
        assert!(caches.client_ids.get(&key("t", "client"), 0).is_none());
        assert!(caches.management_tokens.get(&key("t", "hash"), 0).is_none());

        let caches = filled();
        caches.reset();
        assert!(caches.access_tokens.get(&key("t", "j1"), 0).is_none());
    }

    #[test]
    fn a_user_event_drops_that_user_a_session_event_that_session() {
        let caches = Caches::new(100, &Arc::new(ChangeFeed::default()));
        let user = |id: &str| {
            Arc::new(UserRow {
                user_id: id.into(),
                org_id: None,
                profile: Default::default(),
                pwd_must_modify: false,
                pwd_change_at: None,
                password_hash: None,
                created_at: 0,
                updated_at: 0,
                disabled: false,
                grade: 1,
                locked: false,
                expires_at: None,
                relations: Vec::new(),
            })
        };
        let users = &caches.users;
        for id in ["u1", "u2"] {
            users.fill(
                users.ticket(),
                key("t", id),
                Group::of("t", id),
                user(id),
                None,
            );
        }
        let session = Arc::new(SessionRow {
            session_id: "s1".into(),
            user_id: "u1".into(),
            methods: vec!["pwd".into()],
            needs_second_factor: false,
            remember_me: false,
            auth_time: 0,
            expires_at: 1_000,
            ended: false,
            device_hash: None,
        });
        let sessions = &caches.sessions;
        let until = Some(1_000);
        sessions.fill(
            sessions.ticket(),
            key("t", "cookie"),
            Group::of("t", "s1"),
            session,
            until,
        );
        caches.changed(&[change("user", "u1", "user.updated")]);
        assert!(caches.users.get(&key("t", "u1"), 0).is_none());
        assert!(caches.users.get(&key("t", "u2"), 0).is_some());
        assert!(caches.sessions.get(&key("t", "cookie"), 0).is_some());
        caches.changed(&[change("sso_session", "s1", "sso_session.ended")]);
        assert!(caches.sessions.get(&key("t", "cookie"), 0).is_none());
    }

    #[test]
    fn whether_a_user_may_use_an_application_is_dropped_by_any_event_that_can_change_it() {
        let caches = Caches::new(100, &Arc::new(ChangeFeed::default()));
        let question = |tenant: &str| (tenant.to_string(), "u1".into(), "a1".into(), false);
        let fill = |tenant: &str| {
            let reach = &caches.reach;
            reach.fill(
                reach.ticket(),
                question(tenant),
                reach_group(tenant),
                true,
                None,
            );
        };
        let kept = |tenant: &str| caches.reach.get(&question(tenant), 0).is_some();
        fill("t");
        caches.changed(&[
            change("oauth_grant", "g1", "oauth_grant.token_issued"),
            change("sso_session", "s1", "sso_session.started"),
            change("management_token", "m1", "management_token.issued"),
        ]);
        assert!(kept("t"));
        for stream_type in CHANGE_REACH {
            fill("t");
            fill("u");
            caches.changed(&[change(stream_type, "x", "x.changed")]);
            assert!(!kept("t"), "{stream_type}");
            assert!(kept("u"), "{stream_type} in another tenant");
        }
    }

    #[test]
    fn a_codes_grant_is_kept_through_the_grants_events_until_it_expires() {
        let caches = Caches::new(100, &Arc::new(ChangeFeed::default()));
        let codes = &caches.codes;
        let until = Some(1_000);
        codes.fill(
            codes.ticket(),
            key("t", "hash"),
            Group::of("t", "g1"),
            "g1".into(),
            until,
        );
        caches.changed(&[
            change("oauth_grant", "g1", "oauth_grant.code_redeemed"),
            change("oauth_grant", "g1", "oauth_grant.revoked"),
        ]);
        assert_eq!(codes.get(&key("t", "hash"), 999).as_deref(), Some("g1"));
        assert!(codes.get(&key("t", "hash"), 1_000).is_none());
    }
}
