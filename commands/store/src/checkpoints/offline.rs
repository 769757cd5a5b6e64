//! Verifying an audit export without the database (`idaas verify --offline`, ops/adr/0023):
//! every tenant's hash chain is recomputed from the exported rows, every checkpoint's signature
//! is checked against the trusted keys, and each chain must pass through each of its
//! checkpoints' head hashes at their positions with their event counts. The first problem is
//! reported by line, position, tenant and stream — never by a value of an event.
//!
//! The same check runs over the live store (`verify_stored`), against the keys it holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;

use anyhow::Context;
use sha2::{Digest, Sha256};

use super::export::{produce, Line, FORMAT, FORMAT_VERSION};
use super::{Checkpoint, PublishedKey};
use crate::db::Database;
use crate::store::{chain_hash, ChainedFields, StoredRow, GENESIS};

/// The first thing wrong with an export (or the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The export's line (counting from 1), when checking a file.
    pub line: Option<u64>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.what),
            None => f.write_str(&self.what),
        }
    }
}

/// One tenant's chain as verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSummary {
    pub tenant_id: String,
    pub events: i64,
    /// The position of its last event in the export.
    pub head_position: i64,
    pub checkpoints: usize,
    /// The position of its last checkpoint, if it has one.
    pub last_checkpoint: Option<i64>,
    /// Its events after the last checkpoint: covered by the hash chain only, not by a signature.
    pub after_last_checkpoint: i64,
    /// The subjects erased in it (`*.erased` events, ops/adr/0026): their sealed personal data
    /// can no longer be opened by anyone.
    pub erased: i64,
}

/// What a sound export holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The one tenant exported, or `None` for all.
    pub tenant: Option<String>,
    pub last_position: i64,
    pub events: i64,
    pub checkpoints: usize,
    /// The ids of the keys that signed the checkpoints.
    pub keys_used: Vec<String>,
    /// Whether the signatures were checked against the keys inside the export itself (no
    /// trusted key list was given).
    pub keys_from_export: bool,
    pub tenants: Vec<TenantSummary>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Header,
    Keys,
    Checkpoints,
    Events,
    Ended,
}

#[derive(Default)]
struct Chain {
    head: Option<String>,
    events: i64,
    head_position: i64,
    checkpoints: usize,
    last_checkpoint: Option<(i64, i64)>,
    erased: i64,
}

/// The checks, fed one line at a time.
pub struct Verifier {
    trusted: Option<HashMap<String, PublishedKey>>,
    keys: HashMap<String, PublishedKey>,
    /// The kind of the last line; `None` before the header.
    stage: Option<Stage>,
    scope: Option<String>,
    bound: i64,
    /// The checkpoints not yet met, by tenant and position.
    waiting: BTreeMap<(String, i64), Checkpoint>,
    checkpoints: usize,
    keys_used: BTreeSet<String>,
    chains: BTreeMap<String, Chain>,
    last_position: i64,
    events: i64,
    line: Option<u64>,
}

fn problem<T>(line: Option<u64>, what: impl Into<String>) -> Result<T, Problem> {
    Err(Problem {
        line,
        what: what.into(),
    })
}

fn describe(row: &StoredRow) -> String {
    format!(
        "position {} (tenant {}, {} {} version {})",
        row.position, row.tenant_id, row.stream_type, row.stream_id, row.version
    )
}

fn name(c: &Checkpoint) -> String {
    format!(
        "the checkpoint of tenant {} at position {} (signed at {} by key {})",
        c.tenant_id, c.position, c.signed_at, c.key_id
    )
}

impl Verifier {
    /// With `trusted`, signatures are checked against those keys only (as the server publishes
    /// them); without, against the keys the export carries.
    pub fn new(trusted: Option<Vec<PublishedKey>>) -> Self {
        Self {
            trusted: trusted.map(|keys| keys.into_iter().map(|k| (k.kid.clone(), k)).collect()),
            keys: HashMap::new(),
            stage: None,
            scope: None,
            bound: 0,
            waiting: BTreeMap::new(),
            checkpoints: 0,
            keys_used: BTreeSet::new(),
            chains: BTreeMap::new(),
            last_position: 0,
            events: 0,
            line: None,
        }
    }

    /// Checks the next line (numbered `number`, when reading a file).
    pub fn check(&mut self, line: Line, number: Option<u64>) -> Result<(), Problem> {
        self.line = number;
        let stage = match &line {
            Line::Header { .. } => Stage::Header,
            Line::Key(_) => Stage::Keys,
            Line::Checkpoint(_) => Stage::Checkpoints,
            Line::Event(_) => Stage::Events,
            Line::End { .. } => Stage::Ended,
        };
        match self.stage {
            None if stage != Stage::Header => {
                return problem(number, "the export does not start with its header");
            }
            Some(last) if stage == Stage::Header || stage < last => {
                return problem(
                    number,
                    "out of order: an export holds its header, the keys, the checkpoints, the \
                     events and its end, in that order",
                );
            }
            _ => {}
        }
        self.stage = Some(stage);
        match line {
            Line::Header {
                format,
                format_version,
                tenant,
                last_position,
                ..
            } => {
                if format != FORMAT {
                    return problem(number, "not an idaas audit export");
                }
                if format_version > FORMAT_VERSION {
                    return problem(
                        number,
                        format!(
                            "the export is in format {format_version}, newer than this release \
                             reads ({FORMAT_VERSION})"
                        ),
                    );
                }
                self.scope = tenant;
                self.bound = last_position;
                Ok(())
            }
            Line::Key(key) => self.key(key),
            Line::Checkpoint(checkpoint) => self.checkpoint(checkpoint),
            Line::Event(row) => self.event(&row),
            // The end line's count and hash are the reader's to check.
            Line::End { .. } => Ok(()),
        }
    }

    fn key(&mut self, key: PublishedKey) -> Result<(), Problem> {
        if !key.is_well_formed() {
            return problem(
                self.line,
                format!(
                    "the key {} is not an Ed25519 key named by its thumbprint",
                    key.kid
                ),
            );
        }
        if self.keys.insert(key.kid.clone(), key.clone()).is_some() {
            return problem(self.line, format!("the key {} is listed twice", key.kid));
        }
        Ok(())
    }

    fn checkpoint(&mut self, checkpoint: Checkpoint) -> Result<(), Problem> {
        let line = self.line;
        let what = name(&checkpoint);
        if self
            .scope
            .as_ref()
            .is_some_and(|t| *t != checkpoint.tenant_id)
        {
            return problem(line, format!("{what} is of a tenant this export is not of"));
        }
        if checkpoint.position < 1 || checkpoint.position > self.bound {
            return problem(
                line,
                format!("{what} is beyond the export's last position {}", self.bound),
            );
        }
        if checkpoint.events < 1 || checkpoint.events > checkpoint.position {
            return problem(
                line,
                format!("{what} counts an impossible number of events"),
            );
        }
        let (keys, whose) = match &self.trusted {
            Some(trusted) => (trusted, "the trusted keys"),
            None => (&self.keys, "the export's keys"),
        };
        let Some(key) = keys.get(&checkpoint.key_id) else {
            return problem(
                line,
                format!("{what} names a key that is not among {whose}"),
            );
        };
        if !key.verifies(&checkpoint) {
            return problem(
                line,
                format!("{what}: its signature does not verify with that key"),
            );
        }
        self.keys_used.insert(checkpoint.key_id.clone());
        self.checkpoints += 1;
        let at = (checkpoint.tenant_id.clone(), checkpoint.position);
        match self.waiting.get(&at) {
            Some(other)
                if other.head_hash != checkpoint.head_hash || other.events != checkpoint.events =>
            {
                problem(
                    line,
                    format!("{what} contradicts another checkpoint of the same position"),
                )
            }
            Some(_) => Ok(()),
            None => {
                self.waiting.insert(at, checkpoint);
                Ok(())
            }
        }
    }

    fn event(&mut self, row: &StoredRow) -> Result<(), Problem> {
        let line = self.line;
        if self.scope.as_ref().is_some_and(|t| *t != row.tenant_id) {
            return problem(
                line,
                format!(
                    "{}: an event of a tenant this export is not of",
                    describe(row)
                ),
            );
        }
        if row.position > self.bound {
            return problem(
                line,
                format!(
                    "{}: beyond the export's last position {}",
                    describe(row),
                    self.bound
                ),
            );
        }
        if self.scope.is_none() && row.position != self.last_position + 1 {
            return problem(
                line,
                format!(
                    "{}: position {} was expected (events are missing or out of order)",
                    describe(row),
                    self.last_position + 1
                ),
            );
        }
        if row.position <= self.last_position {
            return problem(
                line,
                format!(
                    "{}: it follows position {} (events are out of order)",
                    describe(row),
                    self.last_position
                ),
            );
        }
        let chain = self.chains.entry(row.tenant_id.clone()).or_default();
        let prev = chain.head.as_deref().unwrap_or(GENESIS);
        if row.prev_hash != prev {
            return problem(
                line,
                format!(
                    "{}: prev_hash is not the hash of the tenant's previous event (an event is \
                     missing, added or moved)",
                    describe(row)
                ),
            );
        }
        let fields = ChainedFields {
            position: row.position,
            tenant_id: &row.tenant_id,
            stream_type: &row.stream_type,
            stream_id: &row.stream_id,
            version: row.version,
            event_type: &row.event_type,
            schema_version: row.schema_version,
            payload: &row.payload,
            metadata: &row.metadata,
            recorded_at: &row.recorded_at,
        };
        if chain_hash(prev, &fields) != row.hash {
            return problem(
                line,
                format!(
                    "{}: the hash does not match the event's contents (the event was changed)",
                    describe(row)
                ),
            );
        }
        chain.head = Some(row.hash.clone());
        chain.events += 1;
        if row.event_type.ends_with(".erased") {
            chain.erased += 1;
        }
        chain.head_position = row.position;
        self.last_position = row.position;
        self.events += 1;
        if let Some(checkpoint) = self.waiting.remove(&(row.tenant_id.clone(), row.position)) {
            if checkpoint.head_hash != row.hash {
                return problem(
                    line,
                    format!(
                        "{}: the chain does not pass through {}: its hash there differs from the \
                         signed head (the history before it was rewritten)",
                        describe(row),
                        name(&checkpoint)
                    ),
                );
            }
            if checkpoint.events != chain.events {
                return problem(
                    line,
                    format!(
                        "{}: the tenant's chain holds {} event(s) here, {} says {}",
                        describe(row),
                        chain.events,
                        name(&checkpoint),
                        checkpoint.events
                    ),
                );
            }
            chain.checkpoints += 1;
            chain.last_checkpoint = Some((row.position, chain.events));
        }
        Ok(())
    }

    /// Ends the check: every checkpoint must have been met, and a whole-store export must reach
    /// its last position.
    pub fn finish(self) -> Result<Report, Problem> {
        if let Some(((tenant, position), checkpoint)) = self.waiting.into_iter().next() {
            return problem(
                None,
                format!(
                    "{} is not met: the export holds no event of tenant {tenant} at position \
                     {position} (events were removed, or the export was cut short)",
                    name(&checkpoint)
                ),
            );
        }
        if self.scope.is_none() && self.last_position != self.bound {
            return problem(
                None,
                format!(
                    "the events end at position {}, but the export says it holds every event up \
                     to position {}",
                    self.last_position, self.bound
                ),
            );
        }
        let tenants = self
            .chains
            .into_iter()
            .map(|(tenant_id, chain)| TenantSummary {
                tenant_id,
                events: chain.events,
                head_position: chain.head_position,
                checkpoints: chain.checkpoints,
                last_checkpoint: chain.last_checkpoint.map(|(p, _)| p),
                after_last_checkpoint: chain.events
                    - chain.last_checkpoint.map_or(0, |(_, events)| events),
                erased: chain.erased,
            })
            .collect();
        Ok(Report {
            tenant: self.scope,
            last_position: self.bound,
            events: self.events,
            checkpoints: self.checkpoints,
            keys_used: self.keys_used.into_iter().collect(),
            keys_from_export: self.trusted.is_none(),
            tenants,
        })
    }
}

/// Verifies the export read from `input`. An error is a failure to read; a `Problem` is what is
/// wrong with the export.
pub fn verify_export(
    input: &mut dyn BufRead,
    trusted: Option<Vec<PublishedKey>>,
) -> anyhow::Result<Result<Report, Problem>> {
    let mut verifier = Verifier::new(trusted);
    let mut hash = Sha256::new();
    let mut count: u64 = 0;
    let mut ended = false;
    let mut text = Vec::new();
    loop {
        text.clear();
        let read = input
            .read_until(b'\n', &mut text)
            .context("reading the export")?;
        if read == 0 {
            break;
        }
        let number = Some(count + 1);
        if ended {
            return Ok(problem(number, "the export goes on after its end line"));
        }
        let line: Line = match serde_json::from_slice(&text) {
            Ok(line) => line,
            Err(_) => return Ok(problem(number, "not a line of an idaas audit export")),
        };
        if let Line::End { lines, sha256 } = &line {
            if *lines != count || *sha256 != hex::encode(hash.clone().finalize()) {
                return Ok(problem(
                    number,
                    format!(
                        "the end line does not match the {count} line(s) before it (the file \
                         was damaged or edited)"
                    ),
                ));
            }
            ended = true;
        }
        if let Err(found) = verifier.check(line, number) {
            return Ok(Err(found));
        }
        hash.update(&text);
        count += 1;
    }
    if !ended {
        return Ok(problem(
            None,
            format!("the export stops after {count} line(s) without its end line (cut short)"),
        ));
    }
    Ok(verifier.finish())
}

/// The same checks over the live store, against the keys it holds: every stored checkpoint is
/// signed by one of them and met by the chain.
pub async fn verify_stored(db: &Database, now_ms: i64) -> anyhow::Result<Result<Report, Problem>> {
    let mut verifier = Verifier::new(None);
    let mut found = None;
    produce(db, None, now_ms, &mut |line| {
        if found.is_none() {
            if let Err(problem) = verifier.check(line, None) {
                found = Some(problem);
            }
        }
        Ok(())
    })
    .await?;
    Ok(match found {
        Some(problem) => Err(problem),
        None => verifier.finish(),
    })
}
