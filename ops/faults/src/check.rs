//! Reading everything back after recovery and judging it against the ledger: a missing entity
//! whose create was acknowledged is lost (with each of its acknowledged writes); a value older
//! than the last acknowledged one, or one never written, is wrong; the create or a later update
//! that was not acknowledged but is there is `unacknowledged_applied` (allowed). Every
//! acknowledged management token must still authorise a read.

use std::collections::HashMap;

use anyhow::Context as _;
use futures::stream::{self, StreamExt};
use reqwest::StatusCode;

use crate::client::Api;
use crate::ledger::{Entity, Kind, Ledger};

/// How many examples of lost or wrong writes a check keeps for the failure message.
const EXAMPLES: usize = 5;
/// Reads in flight at once while checking.
const PARALLEL_READS: usize = 8;

#[derive(Debug, Default, Clone)]
pub struct Check {
    pub creates_acked: usize,
    pub updates_acked: usize,
    /// Acknowledged creates and updates whose entity is gone.
    pub writes_lost: usize,
    pub wrong: usize,
    pub unacknowledged_applied: usize,
    pub tokens_acked: usize,
    pub tokens_lost: usize,
    pub examples: Vec<String>,
}

impl Check {
    /// Lost writes of every kind: creates, updates and tokens.
    pub fn lost(&self) -> usize {
        self.writes_lost + self.tokens_lost
    }

    fn example(&mut self, text: String) {
        if self.examples.len() < EXAMPLES {
            self.examples.push(text);
        }
    }
}

/// How an entity read back compares with what was written to it.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// There, with the last acknowledged value.
    Sound,
    /// Not there, although `n` writes to it were acknowledged.
    Lost(usize),
    /// There with a value older than the last acknowledged one, or never written, or a
    /// different id.
    Wrong(String),
    /// There, with a value whose write was not acknowledged (allowed).
    UnacknowledgedApplied,
    /// Not there, and its create was not acknowledged.
    Absent,
}

/// Judges `found` (`(id, value)`, or `None` when the entity does not exist) against `entity`.
pub fn judge(entity: &Entity, found: Option<(&str, &str)>) -> Verdict {
    let acked = entity.attempts.iter().filter(|a| a.answer.acked()).count();
    let last_acked = entity.attempts.iter().rposition(|a| a.answer.acked());
    let Some((id, value)) = found else {
        return if entity.id.is_some() {
            Verdict::Lost(acked)
        } else {
            Verdict::Absent
        };
    };
    if let Some(known) = entity.id.as_deref().filter(|known| *known != id) {
        return Verdict::Wrong(format!("id {id}, acknowledged as {known}"));
    }
    let Some(position) = entity.attempts.iter().rposition(|a| a.value == value) else {
        return Verdict::Wrong(format!("value {value:?} was never written"));
    };
    match last_acked {
        Some(last) if position == last => Verdict::Sound,
        Some(last) if position < last => Verdict::Wrong(format!(
            "value {value:?}, but {:?} was acknowledged after it",
            entity.attempts[last].value
        )),
        _ => Verdict::UnacknowledgedApplied,
    }
}

/// Reads back every entity and token of `ledger` through the server at `base`.
pub async fn check(api: &Api, base: &str, token: &str, ledger: &Ledger) -> anyhow::Result<Check> {
    let mut result = Check::default();
    let orgs: HashMap<String, (String, String)> = api
        .root_orgs(base, token)
        .await
        .context("listing organisations to check them")?
        .into_iter()
        .map(|(id, code, name)| (code, (id, name)))
        .collect();
    let found: Vec<anyhow::Result<Option<(String, String)>>> = stream::iter(&ledger.entities)
        .map(|entity| read(api, base, token, entity, &orgs))
        .buffered(PARALLEL_READS)
        .collect()
        .await;
    for (entity, found) in ledger.entities.iter().zip(found) {
        let found = found?;
        for (i, attempt) in entity.attempts.iter().enumerate() {
            if attempt.answer.acked() {
                if i == 0 {
                    result.creates_acked += 1;
                } else {
                    result.updates_acked += 1;
                }
            }
        }
        let found = found
            .as_ref()
            .map(|(id, value)| (id.as_str(), value.as_str()));
        match judge(entity, found) {
            Verdict::Sound | Verdict::Absent => {}
            Verdict::UnacknowledgedApplied => result.unacknowledged_applied += 1,
            Verdict::Lost(n) => {
                result.writes_lost += n;
                let acked_at = entity.attempts.iter().rev().find(|a| a.answer.acked());
                let at = acked_at.map_or(0, |a| ledger.offset_ms(a.at));
                result.example(format!(
                    "{:?} {} lost ({n} acknowledged write(s), the last at +{at} ms)",
                    entity.kind, entity.key
                ));
            }
            Verdict::Wrong(why) => {
                result.wrong += 1;
                let acked_at = entity.attempts.iter().rev().find(|a| a.answer.acked());
                let at = acked_at.map_or(0, |a| ledger.offset_ms(a.at));
                result.example(format!(
                    "{:?} {} wrong: {why} (the last acknowledgement at +{at} ms)",
                    entity.kind, entity.key
                ));
            }
        }
    }
    result.tokens_acked = ledger.tokens.len();
    let valid: Vec<anyhow::Result<bool>> = stream::iter(&ledger.tokens)
        .map(|token| token_works(api, base, token))
        .buffered(PARALLEL_READS)
        .collect()
        .await;
    for valid in valid {
        if !valid? {
            result.tokens_lost += 1;
        }
    }
    if result.tokens_lost > 0 {
        result.example(format!(
            "{} acknowledged token(s) refused",
            result.tokens_lost
        ));
    }
    Ok(result)
}

/// The entity's `(id, value)` as the server has it now, or `None` when it does not exist.
async fn read(
    api: &Api,
    base: &str,
    token: &str,
    entity: &Entity,
    orgs: &HashMap<String, (String, String)>,
) -> anyhow::Result<Option<(String, String)>> {
    match entity.kind {
        Kind::User => api.user_by_name(base, token, &entity.key).await,
        Kind::Org => match &entity.id {
            // Acknowledged: read it directly, and cross-check the code.
            Some(id) => Ok(api.org(base, token, id).await?.map(|(code, name)| {
                let name = if code == entity.key {
                    name
                } else {
                    format!("code {code} instead of {}", entity.key)
                };
                (id.clone(), name)
            })),
            // Never acknowledged: found only by its code in the list.
            None => Ok(orgs.get(&entity.key).cloned()),
        },
    }
}

/// Whether a management token still authorises a read (200; 401 means it is unknown).
async fn token_works(api: &Api, base: &str, token: &str) -> anyhow::Result<bool> {
    let (status, body) = api
        .get(
            base,
            token,
            "/api/v2/tenant/users?org_id=&offset=0&limit=10",
        )
        .await
        .context("reading with an acknowledged token")?;
    match status {
        StatusCode::OK => Ok(true),
        StatusCode::UNAUTHORIZED => Ok(false),
        _ => anyhow::bail!("reading with an acknowledged token: {status} {body}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Answer;
    use crate::ledger::Attempt;

    fn entity(acks: &[bool]) -> Entity {
        let attempts = acks
            .iter()
            .enumerate()
            .map(|(i, acked)| Attempt {
                value: format!("v{i}"),
                at: std::time::Instant::now(),
                answer: if *acked {
                    Answer::Acked("id1".into())
                } else {
                    Answer::Refused {
                        status: 503,
                        retry_after: true,
                    }
                },
            })
            .collect();
        Entity {
            kind: Kind::User,
            key: "u1".into(),
            id: acks[0].then(|| "id1".to_string()),
            attempts,
            retired: false,
        }
    }

    #[test]
    fn the_last_acknowledged_value_is_sound_and_an_older_one_is_wrong() {
        let e = entity(&[true, true, false]);
        assert_eq!(judge(&e, Some(("id1", "v1"))), Verdict::Sound);
        assert!(matches!(judge(&e, Some(("id1", "v0"))), Verdict::Wrong(_)));
        assert_eq!(
            judge(&e, Some(("id1", "v2"))),
            Verdict::UnacknowledgedApplied
        );
        assert!(matches!(judge(&e, Some(("id1", "v9"))), Verdict::Wrong(_)));
        assert!(matches!(judge(&e, Some(("id2", "v1"))), Verdict::Wrong(_)));
    }

    #[test]
    fn a_missing_entity_loses_each_acknowledged_write_unless_its_create_failed() {
        assert_eq!(judge(&entity(&[true, true, false]), None), Verdict::Lost(2));
        assert_eq!(judge(&entity(&[false]), None), Verdict::Absent);
        assert_eq!(
            judge(&entity(&[false]), Some(("idx", "v0"))),
            Verdict::UnacknowledgedApplied
        );
    }
}
