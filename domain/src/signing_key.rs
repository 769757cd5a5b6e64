//! A token signing key of a tenant (RS256 or ES256): created by command, its private half sealed in
//! the event store under `personal`, published in JWKS. A new key of an algorithm supersedes the
//! previous one, which stays published until the tokens it signed have expired.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

pub const ALGORITHMS: &[&str] = &["RS256", "ES256"];

/// The private key, sealed at rest with the key's own data key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateKey {
    /// PKCS#8 DER, base64.
    pub private_key: String,
}

/// The key this one replaces and until when it is still published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Superseded {
    pub key_id: String,
    pub publish_until: i64,
}

#[derive(Debug, Default)]
pub struct SigningKey {
    pub created: bool,
}

#[derive(Debug, Clone)]
pub enum SigningKeyCommand {
    Create {
        key_id: String,
        algorithm: String,
        /// SubjectPublicKeyInfo DER, base64.
        public_key: String,
        private_key: String,
        supersedes: Option<Superseded>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SigningKeyEvent {
    #[serde(rename = "signing_key.created")]
    Created {
        key_id: String,
        algorithm: String,
        public_key: String,
        supersedes: Option<Superseded>,
        created_at: i64,
        personal: PrivateKey,
    },
}

impl DomainEvent for SigningKeyEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "signing_key.created",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningKeyError {
    #[error("key already created")]
    AlreadyCreated,
    #[error("unsupported signing algorithm {0}")]
    UnsupportedAlgorithm(String),
}

impl Aggregate for SigningKey {
    type Command = SigningKeyCommand;
    type Event = SigningKeyEvent;
    type Error = SigningKeyError;
    type Services = ();
    const STREAM_TYPE: &'static str = "signing_key";

    fn apply(&mut self, event: &SigningKeyEvent) {
        match event {
            SigningKeyEvent::Created { .. } => self.created = true,
        }
    }

    fn decide(
        &self,
        command: SigningKeyCommand,
        _: &(),
    ) -> Result<Decision<SigningKeyEvent>, SigningKeyError> {
        match command {
            SigningKeyCommand::Create {
                key_id,
                algorithm,
                public_key,
                private_key,
                supersedes,
                now,
            } => {
                if self.created {
                    return Err(SigningKeyError::AlreadyCreated);
                }
                if !ALGORITHMS.contains(&algorithm.as_str()) {
                    return Err(SigningKeyError::UnsupportedAlgorithm(algorithm));
                }
                Ok(Decision::event(SigningKeyEvent::Created {
                    key_id,
                    algorithm,
                    public_key,
                    supersedes,
                    created_at: now,
                    personal: PrivateKey { private_key },
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn create(algorithm: &str) -> SigningKeyCommand {
        SigningKeyCommand::Create {
            key_id: "k1".into(),
            algorithm: algorithm.into(),
            public_key: "pub".into(),
            private_key: "priv".into(),
            supersedes: None,
            now: 5,
        }
    }

    #[test]
    fn a_key_is_created_once_with_a_known_algorithm() {
        let created = SigningKeyEvent::Created {
            key_id: "k1".into(),
            algorithm: "RS256".into(),
            public_key: "pub".into(),
            supersedes: None,
            created_at: 5,
            personal: PrivateKey {
                private_key: "priv".into(),
            },
        };
        given_no_events::<SigningKey>()
            .when(create("RS256"), &())
            .then_expect_events(std::slice::from_ref(&created));
        given::<SigningKey>(&[created])
            .when(create("RS256"), &())
            .then_expect_error(SigningKeyError::AlreadyCreated);
        given_no_events::<SigningKey>()
            .when(create("HS256"), &())
            .then_expect_error(SigningKeyError::UnsupportedAlgorithm("HS256".into()));
    }
}
