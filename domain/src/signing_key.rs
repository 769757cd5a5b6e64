//! A token signing key of a tenant (RS256 or ES256): created by command, its private half sealed in
//! the event store under `personal`, published in JWKS. A new key of an algorithm supersedes the
//! previous one, which stays published until the tokens it signed have expired.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

pub const ALGORITHMS: &[&str] = &["RS256", "ES256"];

/// The most keys of one algorithm a tenant may have published at once: the current key and the
/// superseded ones still in JWKS (ADR 0005, "Keys"). Superseded keys stay published for 366
/// days, so six lets a tenant rotate every quarter (five published before each rotation) while
/// a loop of rotations cannot grow the JWK Set without bound.
pub const MAX_PUBLISHED_PER_ALGORITHM: usize = 6;

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

#[derive(Debug, Default, Clone)]
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
        /// Until when each earlier superseded key of the algorithm is published, for those still
        /// published at `now`: with the key it supersedes, they count against
        /// [`MAX_PUBLISHED_PER_ALGORITHM`].
        retired_until: Vec<i64>,
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
    /// A rotation would publish more than [`MAX_PUBLISHED_PER_ALGORITHM`] keys of the algorithm.
    #[error(
        "{algorithm} already has {published} published signing keys, the most a tenant may have; \
         it can be rotated again from {possible_from} (epoch milliseconds), when the oldest \
         superseded key stops being published"
    )]
    TooManyPublished {
        algorithm: String,
        published: usize,
        possible_from: i64,
    },
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
                retired_until,
                now,
            } => {
                if self.created {
                    return Err(SigningKeyError::AlreadyCreated);
                }
                if !ALGORITHMS.contains(&algorithm.as_str()) {
                    return Err(SigningKeyError::UnsupportedAlgorithm(algorithm));
                }
                if supersedes.is_some() {
                    published_below_bound(&algorithm, &retired_until, now)?;
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

/// Refuses a rotation when the current key and the superseded keys still published at `now`
/// already reach [`MAX_PUBLISHED_PER_ALGORITHM`].
fn published_below_bound(
    algorithm: &str,
    retired_until: &[i64],
    now: i64,
) -> Result<(), SigningKeyError> {
    let still_published: Vec<i64> = retired_until.iter().copied().filter(|u| *u > now).collect();
    let published = still_published.len() + 1;
    if published < MAX_PUBLISHED_PER_ALGORITHM {
        return Ok(());
    }
    let mut until = still_published;
    until.sort_unstable();
    Err(SigningKeyError::TooManyPublished {
        algorithm: algorithm.to_string(),
        published,
        // The oldest that must go for one more key to fit.
        possible_from: until[published - MAX_PUBLISHED_PER_ALGORITHM],
    })
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
            retired_until: vec![],
            now: 5,
        }
    }

    fn rotate(retired_until: Vec<i64>) -> SigningKeyCommand {
        SigningKeyCommand::Create {
            key_id: "k1".into(),
            algorithm: "RS256".into(),
            public_key: "pub".into(),
            private_key: "priv".into(),
            supersedes: Some(Superseded {
                key_id: "k0".into(),
                publish_until: 5 + 1000,
            }),
            retired_until,
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

    #[test]
    fn a_rotation_is_refused_once_the_algorithm_has_its_most_published_keys() {
        let rotated = SigningKeyEvent::Created {
            key_id: "k1".into(),
            algorithm: "RS256".into(),
            public_key: "pub".into(),
            supersedes: Some(Superseded {
                key_id: "k0".into(),
                publish_until: 5 + 1000,
            }),
            created_at: 5,
            personal: PrivateKey {
                private_key: "priv".into(),
            },
        };
        let under = vec![100; MAX_PUBLISHED_PER_ALGORITHM - 2];
        given_no_events::<SigningKey>()
            .when(rotate(under.clone()), &())
            .then_expect_events(std::slice::from_ref(&rotated));

        let mut full = under;
        full.push(30);
        given_no_events::<SigningKey>()
            .when(rotate(full.clone()), &())
            .then_expect_error(SigningKeyError::TooManyPublished {
                algorithm: "RS256".into(),
                published: MAX_PUBLISHED_PER_ALGORITHM,
                possible_from: 30,
            });

        // Over the bound (keys rotated before it existed): the next one fits once two have gone.
        let mut over = full.clone();
        over.push(40);
        given_no_events::<SigningKey>()
            .when(rotate(over), &())
            .then_expect_error(SigningKeyError::TooManyPublished {
                algorithm: "RS256".into(),
                published: MAX_PUBLISHED_PER_ALGORITHM + 1,
                possible_from: 40,
            });

        // A key whose publication ended at or before `now` does not count.
        let last = full.len() - 1;
        full[last] = 5;
        given_no_events::<SigningKey>()
            .when(rotate(full), &())
            .then_expect_events(&[rotated]);
    }
}
