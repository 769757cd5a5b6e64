//! One OAuth 2.0 / OIDC authorisation (specs/oneaccess.md §2.10–§2.11, RFC 6749, RFC 9700): the
//! code, the access tokens issued under it and its refresh-token family, in one short stream of
//! its own (DESIGN.md: never on the user's stream). Codes, tokens and refresh tokens are stored
//! only as keyed hashes or ids; the tokens themselves never enter an event.
//!
//! The rules: a code is redeemed once, within its lifetime, by the client it was issued to, with
//! the redirect URI and PKCE verifier it was bound to; a second redemption revokes everything the
//! first one issued (RFC 6749 §4.1.2). A refresh token is used once; presenting an already
//! rotated one revokes the whole family (RFC 9700 §4.14.2).

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::pkce;

/// The subject and session an authorisation was made for; absent for client credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub user_id: String,
    pub session_id: String,
    /// When the user authenticated (ms).
    pub auth_time: i64,
}

/// What an authorisation code is bound to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CodeBinding {
    pub code_hash: String,
    /// The redirect URI the authorisation request named, if it named one.
    pub redirect_uri: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: i64,
}

/// An access token to issue: its id and expiry. The token itself is made by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessGrant {
    pub jti: String,
    pub expires_at: i64,
}

/// A refresh token to issue: the keyed hash of the new token and its expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshGrant {
    pub refresh_hash: String,
    pub expires_at: i64,
}

#[derive(Debug, Default, Clone)]
pub struct OAuthGrant {
    pub started: bool,
    pub application_id: String,
    pub subject: Option<Subject>,
    pub scope: String,
    pub nonce: Option<String>,
    pub code: Option<CodeBinding>,
    pub code_redeemed: bool,
    /// A replay of the redeemed code was recorded: later ones are refused without an event
    /// (ops/adr/0027).
    pub code_replayed: bool,
    pub refresh_hash: Option<String>,
    pub refresh_expires_at: i64,
    pub revoked: bool,
    pub tokens: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum OAuthGrantCommand {
    /// An authorisation code for a signed-in user.
    IssueCode {
        grant_id: String,
        application_id: String,
        subject: Subject,
        scope: String,
        nonce: Option<String>,
        code: CodeBinding,
        now: i64,
    },
    /// Tokens straight from the authorisation endpoint (OIDC implicit flow).
    IssueImplicit {
        grant_id: String,
        application_id: String,
        subject: Subject,
        scope: String,
        nonce: Option<String>,
        access: Option<AccessGrant>,
        now: i64,
    },
    /// A token for the client itself (client_credentials).
    IssueClientToken {
        grant_id: String,
        application_id: String,
        scope: String,
        access: AccessGrant,
        now: i64,
    },
    RedeemCode {
        application_id: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
        access: AccessGrant,
        refresh: Option<RefreshGrant>,
        now: i64,
    },
    Refresh {
        application_id: String,
        presented_hash: String,
        access: AccessGrant,
        refresh: RefreshGrant,
        now: i64,
    },
    /// Ends the authorisation: every token it issued stops working.
    Revoke { reason: String, now: i64 },
    /// Ends one access token (RFC 7009).
    RevokeToken { jti: String, now: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum OAuthGrantEvent {
    #[serde(rename = "oauth_grant.started")]
    Started {
        grant_id: String,
        /// `authorization_code`, `implicit` or `client_credentials`.
        flow: String,
        application_id: String,
        subject: Option<Subject>,
        scope: String,
        nonce: Option<String>,
        at: i64,
    },
    #[serde(rename = "oauth_grant.code_issued")]
    CodeIssued { code: CodeBinding },
    /// An authorisation code grant (RFC 6749 §4.1.2): started and its code issued, in one
    /// event. Grants started before it have `started` and `code_issued` instead.
    #[serde(rename = "oauth_grant.code_granted")]
    CodeGranted {
        grant_id: String,
        application_id: String,
        subject: Subject,
        scope: String,
        nonce: Option<String>,
        at: i64,
        code: CodeBinding,
    },
    #[serde(rename = "oauth_grant.code_redeemed")]
    CodeRedeemed { at: i64 },
    /// A code redeemed, with the access token and the refresh token (if any) issued for it, in
    /// one event (RFC 6749 §4.1.3). Grants redeemed before it have `code_redeemed`,
    /// `token_issued` and `refresh_issued` instead.
    #[serde(rename = "oauth_grant.code_exchanged")]
    CodeExchanged {
        jti: String,
        application_id: String,
        user_id: Option<String>,
        scope: String,
        issued_at: i64,
        expires_at: i64,
        refresh: Option<RefreshGrant>,
    },
    /// A code presented again after it was redeemed.
    #[serde(rename = "oauth_grant.code_replayed")]
    CodeReplayed { at: i64 },
    /// A client credentials grant (RFC 6749 §4.4): started and its one access token issued, in
    /// one event. Grants appended before it have `started` and `token_issued` instead.
    #[serde(rename = "oauth_grant.client_token_issued")]
    ClientTokenIssued {
        grant_id: String,
        application_id: String,
        scope: String,
        jti: String,
        issued_at: i64,
        expires_at: i64,
    },
    #[serde(rename = "oauth_grant.token_issued")]
    TokenIssued {
        jti: String,
        application_id: String,
        user_id: Option<String>,
        scope: String,
        issued_at: i64,
        expires_at: i64,
    },
    #[serde(rename = "oauth_grant.refresh_issued")]
    RefreshIssued {
        refresh_hash: String,
        expires_at: i64,
    },
    /// A refresh token presented after it had been rotated.
    #[serde(rename = "oauth_grant.refresh_reused")]
    RefreshReused { at: i64 },
    #[serde(rename = "oauth_grant.revoked")]
    Revoked { reason: String, at: i64 },
    #[serde(rename = "oauth_grant.token_revoked")]
    TokenRevoked { jti: String, at: i64 },
}

impl DomainEvent for OAuthGrantEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Started { .. } => "oauth_grant.started",
            Self::CodeIssued { .. } => "oauth_grant.code_issued",
            Self::CodeGranted { .. } => "oauth_grant.code_granted",
            Self::CodeRedeemed { .. } => "oauth_grant.code_redeemed",
            Self::CodeExchanged { .. } => "oauth_grant.code_exchanged",
            Self::CodeReplayed { .. } => "oauth_grant.code_replayed",
            Self::ClientTokenIssued { .. } => "oauth_grant.client_token_issued",
            Self::TokenIssued { .. } => "oauth_grant.token_issued",
            Self::RefreshIssued { .. } => "oauth_grant.refresh_issued",
            Self::RefreshReused { .. } => "oauth_grant.refresh_reused",
            Self::Revoked { .. } => "oauth_grant.revoked",
            Self::TokenRevoked { .. } => "oauth_grant.token_revoked",
        }
    }
}

/// Why a grant refused a request. Each maps to `invalid_grant` on the wire except where noted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthGrantError {
    #[error("grant already started")]
    AlreadyStarted,
    #[error("unknown grant")]
    Unknown,
    #[error("the grant was revoked")]
    Revoked,
    #[error("the code was issued to another client")]
    WrongClient,
    #[error("the code has expired")]
    CodeExpired,
    #[error("redirect_uri does not match the authorization request")]
    RedirectMismatch,
    #[error("code_verifier required")]
    VerifierMissing,
    #[error("code_verifier does not match the code_challenge")]
    VerifierMismatch,
    #[error("the refresh token has expired")]
    RefreshExpired,
    #[error("this grant issues no refresh token")]
    NoRefresh,
}

impl OAuthGrant {
    fn start(
        grant_id: String,
        flow: &str,
        application_id: String,
        subject: Option<Subject>,
        scope: String,
        nonce: Option<String>,
        now: i64,
    ) -> OAuthGrantEvent {
        OAuthGrantEvent::Started {
            grant_id,
            flow: flow.to_string(),
            application_id,
            subject,
            scope,
            nonce,
            at: now,
        }
    }

    fn token(&self, access: AccessGrant, application_id: &str, now: i64) -> OAuthGrantEvent {
        OAuthGrantEvent::TokenIssued {
            jti: access.jti,
            application_id: application_id.to_string(),
            user_id: self.subject.as_ref().map(|s| s.user_id.clone()),
            scope: self.scope.clone(),
            issued_at: now,
            expires_at: access.expires_at,
        }
    }

    fn redeem(
        &self,
        application_id: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
        access: AccessGrant,
        refresh: Option<RefreshGrant>,
        now: i64,
    ) -> Result<Decision<OAuthGrantEvent>, OAuthGrantError> {
        let code = self.code.as_ref().ok_or(OAuthGrantError::Unknown)?;
        if self.code_replayed {
            return Err(OAuthGrantError::Revoked);
        }
        if self.code_redeemed {
            let mut events = vec![OAuthGrantEvent::CodeReplayed { at: now }];
            if !self.revoked {
                events.push(OAuthGrantEvent::Revoked {
                    reason: "code_replay".into(),
                    at: now,
                });
            }
            return Ok(Decision::events(events));
        }
        if self.revoked {
            return Err(OAuthGrantError::Revoked);
        }
        if application_id != self.application_id {
            return Err(OAuthGrantError::WrongClient);
        }
        if now >= code.expires_at {
            return Err(OAuthGrantError::CodeExpired);
        }
        // RFC 6749 §4.1.3: a request that named a redirect URI binds the code to it; the token
        // request must name the same one (leaving it out is a mismatch too).
        if let Some(bound) = &code.redirect_uri {
            if redirect_uri.as_deref() != Some(bound.as_str()) {
                return Err(OAuthGrantError::RedirectMismatch);
            }
        }
        if let Some(challenge) = &code.code_challenge {
            let verifier = code_verifier.ok_or(OAuthGrantError::VerifierMissing)?;
            let method = code.code_challenge_method.as_deref().unwrap_or("plain");
            if !pkce::verifies(method, challenge, &verifier) {
                return Err(OAuthGrantError::VerifierMismatch);
            }
        } else if code_verifier.is_some() {
            // A verifier without a challenge is a downgrade attempt (RFC 9700 §4.8.2).
            return Err(OAuthGrantError::VerifierMismatch);
        }
        Ok(Decision::event(OAuthGrantEvent::CodeExchanged {
            jti: access.jti,
            application_id,
            user_id: self.subject.as_ref().map(|s| s.user_id.clone()),
            scope: self.scope.clone(),
            issued_at: now,
            expires_at: access.expires_at,
            refresh,
        }))
    }

    fn refresh(
        &self,
        application_id: String,
        presented_hash: String,
        access: AccessGrant,
        refresh: RefreshGrant,
        now: i64,
    ) -> Result<Decision<OAuthGrantEvent>, OAuthGrantError> {
        if !self.started {
            return Err(OAuthGrantError::Unknown);
        }
        if self.revoked {
            return Err(OAuthGrantError::Revoked);
        }
        if application_id != self.application_id {
            return Err(OAuthGrantError::WrongClient);
        }
        let current = self
            .refresh_hash
            .as_ref()
            .ok_or(OAuthGrantError::NoRefresh)?;
        if *current != presented_hash {
            return Ok(Decision::events(vec![
                OAuthGrantEvent::RefreshReused { at: now },
                OAuthGrantEvent::Revoked {
                    reason: "refresh_reuse".into(),
                    at: now,
                },
            ]));
        }
        if now >= self.refresh_expires_at {
            return Err(OAuthGrantError::RefreshExpired);
        }
        Ok(Decision::events(vec![
            self.token(access, &application_id, now),
            OAuthGrantEvent::RefreshIssued {
                refresh_hash: refresh.refresh_hash,
                expires_at: refresh.expires_at,
            },
        ]))
    }
}

impl OAuthGrant {
    /// What every event that starts a grant records (`started`, `code_granted`,
    /// `client_token_issued`).
    fn begin(
        &mut self,
        application_id: &str,
        subject: Option<&Subject>,
        scope: &str,
        nonce: Option<&String>,
    ) {
        self.started = true;
        self.application_id = application_id.to_string();
        self.subject = subject.cloned();
        self.scope = scope.to_string();
        self.nonce = nonce.cloned();
    }

    /// The current refresh token (`refresh_issued`, or a `code_exchanged` that issued one).
    fn keep_refresh(&mut self, refresh_hash: &str, expires_at: i64) {
        self.refresh_hash = Some(refresh_hash.to_string());
        self.refresh_expires_at = expires_at;
    }
}

impl Aggregate for OAuthGrant {
    type Command = OAuthGrantCommand;
    type Event = OAuthGrantEvent;
    type Error = OAuthGrantError;
    type Services = ();
    const STREAM_TYPE: &'static str = "oauth_grant";

    fn apply(&mut self, event: &OAuthGrantEvent) {
        match event {
            OAuthGrantEvent::Started {
                application_id,
                subject,
                scope,
                nonce,
                ..
            } => self.begin(application_id, subject.as_ref(), scope, nonce.as_ref()),
            OAuthGrantEvent::CodeIssued { code } => self.code = Some(code.clone()),
            OAuthGrantEvent::CodeGranted {
                application_id,
                subject,
                scope,
                nonce,
                code,
                ..
            } => {
                self.begin(application_id, Some(subject), scope, nonce.as_ref());
                self.code = Some(code.clone());
            }
            OAuthGrantEvent::CodeRedeemed { .. } => self.code_redeemed = true,
            OAuthGrantEvent::CodeExchanged { jti, refresh, .. } => {
                self.code_redeemed = true;
                self.tokens.push(jti.clone());
                if let Some(refresh) = refresh {
                    self.keep_refresh(&refresh.refresh_hash, refresh.expires_at);
                }
            }
            OAuthGrantEvent::CodeReplayed { .. } => self.code_replayed = true,
            OAuthGrantEvent::RefreshReused { .. } => {}
            OAuthGrantEvent::ClientTokenIssued {
                application_id,
                scope,
                jti,
                ..
            } => {
                self.begin(application_id, None, scope, None);
                self.tokens.push(jti.clone());
            }
            OAuthGrantEvent::TokenIssued { jti, .. } => self.tokens.push(jti.clone()),
            OAuthGrantEvent::RefreshIssued {
                refresh_hash,
                expires_at,
            } => self.keep_refresh(refresh_hash, *expires_at),
            OAuthGrantEvent::Revoked { .. } => self.revoked = true,
            OAuthGrantEvent::TokenRevoked { jti, .. } => self.tokens.retain(|t| t != jti),
        }
    }

    fn decide(
        &self,
        command: OAuthGrantCommand,
        _: &(),
    ) -> Result<Decision<OAuthGrantEvent>, OAuthGrantError> {
        use OAuthGrantCommand as C;
        match command {
            C::IssueCode {
                grant_id,
                application_id,
                subject,
                scope,
                nonce,
                code,
                now,
            } => {
                if self.started {
                    return Err(OAuthGrantError::AlreadyStarted);
                }
                Ok(Decision::event(OAuthGrantEvent::CodeGranted {
                    grant_id,
                    application_id,
                    subject,
                    scope,
                    nonce,
                    at: now,
                    code,
                }))
            }
            C::IssueImplicit {
                grant_id,
                application_id,
                subject,
                scope,
                nonce,
                access,
                now,
            } => {
                if self.started {
                    return Err(OAuthGrantError::AlreadyStarted);
                }
                let start = Self::start(
                    grant_id,
                    "implicit",
                    application_id.clone(),
                    Some(subject.clone()),
                    scope.clone(),
                    nonce,
                    now,
                );
                let mut events = vec![start];
                if let Some(access) = access {
                    events.push(OAuthGrantEvent::TokenIssued {
                        jti: access.jti,
                        application_id,
                        user_id: Some(subject.user_id),
                        scope,
                        issued_at: now,
                        expires_at: access.expires_at,
                    });
                }
                Ok(Decision::events(events))
            }
            C::IssueClientToken {
                grant_id,
                application_id,
                scope,
                access,
                now,
            } => {
                if self.started {
                    return Err(OAuthGrantError::AlreadyStarted);
                }
                Ok(Decision::events(vec![OAuthGrantEvent::ClientTokenIssued {
                    grant_id,
                    application_id,
                    scope,
                    jti: access.jti,
                    issued_at: now,
                    expires_at: access.expires_at,
                }]))
            }
            C::RedeemCode {
                application_id,
                redirect_uri,
                code_verifier,
                access,
                refresh,
                now,
            } => self.redeem(
                application_id,
                redirect_uri,
                code_verifier,
                access,
                refresh,
                now,
            ),
            C::Refresh {
                application_id,
                presented_hash,
                access,
                refresh,
                now,
            } => self.refresh(application_id, presented_hash, access, refresh, now),
            C::Revoke { reason, now } => {
                if !self.started {
                    return Err(OAuthGrantError::Unknown);
                }
                if self.revoked {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(OAuthGrantEvent::Revoked {
                    reason,
                    at: now,
                }))
            }
            C::RevokeToken { jti, now } => {
                if !self.tokens.contains(&jti) {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(OAuthGrantEvent::TokenRevoked {
                    jti,
                    at: now,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn redeem(now: i64) -> OAuthGrantCommand {
        OAuthGrantCommand::RedeemCode {
            application_id: "app".into(),
            redirect_uri: None,
            code_verifier: None,
            access: AccessGrant {
                jti: "j2".into(),
                expires_at: now + 60,
            },
            refresh: None,
            now,
        }
    }

    fn redeemed() -> Vec<OAuthGrantEvent> {
        vec![
            OAuthGrantEvent::Started {
                grant_id: "g".into(),
                flow: "authorization_code".into(),
                application_id: "app".into(),
                subject: None,
                scope: "openid".into(),
                nonce: None,
                at: 1,
            },
            OAuthGrantEvent::CodeIssued {
                code: CodeBinding {
                    code_hash: "h".into(),
                    expires_at: 100,
                    ..CodeBinding::default()
                },
            },
            OAuthGrantEvent::CodeRedeemed { at: 2 },
        ]
    }

    #[test]
    fn a_code_replay_is_recorded_once() {
        given::<OAuthGrant>(&redeemed())
            .when(redeem(3), &())
            .then_expect_events(&[
                OAuthGrantEvent::CodeReplayed { at: 3 },
                OAuthGrantEvent::Revoked {
                    reason: "code_replay".into(),
                    at: 3,
                },
            ]);
        let mut replayed = redeemed();
        replayed.push(OAuthGrantEvent::CodeReplayed { at: 3 });
        replayed.push(OAuthGrantEvent::Revoked {
            reason: "code_replay".into(),
            at: 3,
        });
        given::<OAuthGrant>(&replayed)
            .when(redeem(4), &())
            .then_expect_error(OAuthGrantError::Revoked);
    }

    #[test]
    fn a_client_credentials_grant_is_one_event() {
        let issue = || OAuthGrantCommand::IssueClientToken {
            grant_id: "g".into(),
            application_id: "app".into(),
            scope: "read".into(),
            access: AccessGrant {
                jti: "j".into(),
                expires_at: 70,
            },
            now: 10,
        };
        let issued = OAuthGrantEvent::ClientTokenIssued {
            grant_id: "g".into(),
            application_id: "app".into(),
            scope: "read".into(),
            jti: "j".into(),
            issued_at: 10,
            expires_at: 70,
        };
        given::<OAuthGrant>(&[])
            .when(issue(), &())
            .then_expect_events(std::slice::from_ref(&issued));
        let grant = OAuthGrant::from_events(std::slice::from_ref(&issued));
        assert!(grant.started);
        assert_eq!(grant.application_id, "app");
        assert_eq!(grant.scope, "read");
        assert_eq!(grant.tokens, ["j"]);
        given::<OAuthGrant>(&[issued])
            .when(issue(), &())
            .then_expect_error(OAuthGrantError::AlreadyStarted);
    }

    #[test]
    fn an_authorisation_code_grant_is_one_event() {
        let code = CodeBinding {
            code_hash: "h".into(),
            redirect_uri: Some("https://rp/cb".into()),
            code_challenge: Some("c".into()),
            code_challenge_method: Some("S256".into()),
            expires_at: 100,
        };
        let subject = Subject {
            user_id: "u".into(),
            session_id: "s".into(),
            auth_time: 1,
        };
        let issue = || OAuthGrantCommand::IssueCode {
            grant_id: "g".into(),
            application_id: "app".into(),
            subject: subject.clone(),
            scope: "openid".into(),
            nonce: Some("n".into()),
            code: code.clone(),
            now: 2,
        };
        let granted = OAuthGrantEvent::CodeGranted {
            grant_id: "g".into(),
            application_id: "app".into(),
            subject: subject.clone(),
            scope: "openid".into(),
            nonce: Some("n".into()),
            at: 2,
            code: code.clone(),
        };
        given::<OAuthGrant>(&[])
            .when(issue(), &())
            .then_expect_events(std::slice::from_ref(&granted));
        let grant = OAuthGrant::from_events(std::slice::from_ref(&granted));
        assert!(grant.started);
        assert_eq!(grant.application_id, "app");
        assert_eq!(grant.subject, Some(subject.clone()));
        assert_eq!(grant.scope, "openid");
        assert_eq!(grant.nonce.as_deref(), Some("n"));
        assert_eq!(grant.code, Some(code.clone()));
        given::<OAuthGrant>(std::slice::from_ref(&granted))
            .when(issue(), &())
            .then_expect_error(OAuthGrantError::AlreadyStarted);
        // Its code keeps what it was bound to: a wrong PKCE verifier is refused.
        let mut wrong_verifier = redeem(3);
        if let OAuthGrantCommand::RedeemCode {
            redirect_uri,
            code_verifier,
            ..
        } = &mut wrong_verifier
        {
            *redirect_uri = Some("https://rp/cb".into());
            *code_verifier = Some("wrong".into());
        }
        given::<OAuthGrant>(std::slice::from_ref(&granted))
            .when(wrong_verifier, &())
            .then_expect_error(OAuthGrantError::VerifierMismatch);
        // Exchanged, and presented again: a replay, which revokes the grant.
        let exchanged = OAuthGrantEvent::CodeExchanged {
            jti: "j".into(),
            application_id: "app".into(),
            user_id: Some("u".into()),
            scope: "openid".into(),
            issued_at: 3,
            expires_at: 63,
            refresh: None,
        };
        given::<OAuthGrant>(&[granted, exchanged])
            .when(redeem(4), &())
            .then_expect_events(&[
                OAuthGrantEvent::CodeReplayed { at: 4 },
                OAuthGrantEvent::Revoked {
                    reason: "code_replay".into(),
                    at: 4,
                },
            ]);
    }

    #[test]
    fn a_code_exchange_is_one_event() {
        let mut issued = redeemed();
        issued.pop();
        let exchanged = OAuthGrantEvent::CodeExchanged {
            jti: "j".into(),
            application_id: "app".into(),
            user_id: None,
            scope: "openid".into(),
            issued_at: 3,
            expires_at: 63,
            refresh: Some(RefreshGrant {
                refresh_hash: "r".into(),
                expires_at: 90,
            }),
        };
        let exchange = OAuthGrantCommand::RedeemCode {
            application_id: "app".into(),
            redirect_uri: None,
            code_verifier: None,
            access: AccessGrant {
                jti: "j".into(),
                expires_at: 63,
            },
            refresh: Some(RefreshGrant {
                refresh_hash: "r".into(),
                expires_at: 90,
            }),
            now: 3,
        };
        given::<OAuthGrant>(&issued)
            .when(exchange, &())
            .then_expect_events(std::slice::from_ref(&exchanged));
        issued.push(exchanged);
        let grant = OAuthGrant::from_events(&issued);
        assert!(grant.code_redeemed);
        assert_eq!(grant.tokens, ["j"]);
        assert_eq!(grant.refresh_hash.as_deref(), Some("r"));
        assert_eq!(grant.refresh_expires_at, 90);
        // Presented again, the code is a replay, as after the older three events.
        given::<OAuthGrant>(&issued)
            .when(redeem(4), &())
            .then_expect_events(&[
                OAuthGrantEvent::CodeReplayed { at: 4 },
                OAuthGrantEvent::Revoked {
                    reason: "code_replay".into(),
                    at: 4,
                },
            ]);
    }
}
