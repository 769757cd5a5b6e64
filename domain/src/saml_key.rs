//! A tenant's SAML signing key (RSA-2048 with a self-signed X.509 certificate): created by
//! command, its private half sealed in the event store under `personal`, its certificate
//! published in the IdP metadata. A key signs from `active_from`; a newer key published ahead of
//! its activation lets service providers learn it before it signs ("next"), and the key it
//! replaces stays published for a while after ("previous").

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::signing_key::PrivateKey;

/// How long a replaced key stays in the metadata after its successor starts signing.
pub const RETIRED_KEY_PUBLISHED_MS: i64 = 30 * 24 * 3600 * 1000;

/// The most keys the metadata may publish at once (the signer, one ahead, recently replaced
/// ones): a rotation that would publish more is refused (ops/adr/0012).
pub const MAX_PUBLISHED: usize = 4;

/// The furthest ahead a new key may be dated (90 days): a key published long before it signs
/// would sit in the metadata all that time.
pub const MAX_ACTIVATION_DELAY_MS: i64 = 90 * 24 * 3600 * 1000;

/// When the earliest of the published keys that have been replaced leaves the metadata, if any.
pub fn next_unpublished(keys: &[PublishedKey], now: i64) -> Option<i64> {
    let (signer, published) = signer_and_published(keys, now);
    let mut sorted: Vec<&PublishedKey> = keys.iter().collect();
    sorted.sort_by(|a, b| {
        a.active_from
            .cmp(&b.active_from)
            .then(a.key_id.cmp(&b.key_id))
    });
    published
        .iter()
        .filter(|k| Some(**k) != signer)
        .filter_map(|k| {
            let i = sorted.iter().position(|s| s.key_id == k.key_id)?;
            let successor = sorted.get(i + 1)?;
            (successor.active_from <= now)
                .then_some(successor.active_from + RETIRED_KEY_PUBLISHED_MS)
        })
        .min()
}

#[derive(Debug, Default, Clone)]
pub struct SamlKey {
    pub created: bool,
}

#[derive(Debug, Clone)]
pub enum SamlKeyCommand {
    Create {
        key_id: String,
        /// DER, base64.
        certificate: String,
        /// PKCS#8 DER, base64.
        private_key: String,
        active_from: i64,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SamlKeyEvent {
    #[serde(rename = "saml_key.created")]
    Created {
        key_id: String,
        certificate: String,
        active_from: i64,
        created_at: i64,
        personal: PrivateKey,
    },
}

impl DomainEvent for SamlKeyEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "saml_key.created",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamlKeyError {
    #[error("key already created")]
    AlreadyCreated,
    #[error("a key cannot start signing before it is created")]
    ActiveBeforeCreated,
}

impl Aggregate for SamlKey {
    type Command = SamlKeyCommand;
    type Event = SamlKeyEvent;
    type Error = SamlKeyError;
    type Services = ();
    const STREAM_TYPE: &'static str = "saml_key";

    fn apply(&mut self, event: &SamlKeyEvent) {
        match event {
            SamlKeyEvent::Created { .. } => self.created = true,
        }
    }

    fn decide(
        &self,
        command: SamlKeyCommand,
        _: &(),
    ) -> Result<Decision<SamlKeyEvent>, SamlKeyError> {
        match command {
            SamlKeyCommand::Create {
                key_id,
                certificate,
                private_key,
                active_from,
                now,
            } => {
                if self.created {
                    return Err(SamlKeyError::AlreadyCreated);
                }
                if active_from < now {
                    return Err(SamlKeyError::ActiveBeforeCreated);
                }
                Ok(Decision::event(SamlKeyEvent::Created {
                    key_id,
                    certificate,
                    active_from,
                    created_at: now,
                    personal: PrivateKey { private_key },
                }))
            }
        }
    }
}

/// A published key as the metadata and the signer see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    pub key_id: String,
    pub active_from: i64,
}

/// Of a tenant's keys (any order): the one that signs at `now` (the newest already active), and
/// those to publish: the signer, every key not yet active, and replaced keys for
/// `RETIRED_KEY_PUBLISHED_MS` after their successor became active.
pub fn signer_and_published(
    keys: &[PublishedKey],
    now: i64,
) -> (Option<&PublishedKey>, Vec<&PublishedKey>) {
    let mut sorted: Vec<&PublishedKey> = keys.iter().collect();
    sorted.sort_by(|a, b| {
        a.active_from
            .cmp(&b.active_from)
            .then(a.key_id.cmp(&b.key_id))
    });
    let signer = sorted.iter().rev().find(|k| k.active_from <= now).copied();
    let published = sorted
        .iter()
        .enumerate()
        .filter(|(i, key)| {
            let successor_active = sorted
                .get(i + 1)
                .map(|next| next.active_from)
                .filter(|from| *from <= now);
            match successor_active {
                None => true,
                Some(from) => Some(**key) == signer || now < from + RETIRED_KEY_PUBLISHED_MS,
            }
        })
        .map(|(_, key)| *key)
        .collect();
    (signer, published)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn key(id: &str, active_from: i64) -> PublishedKey {
        PublishedKey {
            key_id: id.into(),
            active_from,
        }
    }

    #[test]
    fn a_key_is_created_once_and_not_active_in_the_past() {
        let create = |active_from| SamlKeyCommand::Create {
            key_id: "k1".into(),
            certificate: "cert".into(),
            private_key: "secret".into(),
            active_from,
            now: 10,
        };
        let created = SamlKeyEvent::Created {
            key_id: "k1".into(),
            certificate: "cert".into(),
            active_from: 10,
            created_at: 10,
            personal: PrivateKey {
                private_key: "secret".into(),
            },
        };
        given_no_events::<SamlKey>()
            .when(create(10), &())
            .then_expect_events(std::slice::from_ref(&created));
        given::<SamlKey>(&[created])
            .when(create(10), &())
            .then_expect_error(SamlKeyError::AlreadyCreated);
        given_no_events::<SamlKey>()
            .when(create(9), &())
            .then_expect_error(SamlKeyError::ActiveBeforeCreated);
    }

    #[test]
    fn the_next_key_is_published_before_it_signs_and_the_old_one_after() {
        let keys = [key("old", 0), key("next", 100)];
        let (signer, published) = signer_and_published(&keys, 50);
        assert_eq!(signer.map(|k| k.key_id.as_str()), Some("old"));
        assert_eq!(published.len(), 2);
        let (signer, published) = signer_and_published(&keys, 100);
        assert_eq!(signer.map(|k| k.key_id.as_str()), Some("next"));
        assert_eq!(published.len(), 2);
        let later = 100 + RETIRED_KEY_PUBLISHED_MS;
        let (signer, published) = signer_and_published(&keys, later);
        assert_eq!(signer.map(|k| k.key_id.as_str()), Some("next"));
        assert_eq!(published, [&keys[1]]);
        assert_eq!(signer_and_published(&[], 0).0, None);
    }
}
