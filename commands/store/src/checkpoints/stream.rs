//! The audit export as a stream of chunks (`GET /audit/v1/export`, ops/adr/0023): the same lines
//! as `export::export` — header, keys, checkpoints, events a batch at a time, end with the line
//! count and digest — produced as the reader takes them, so a large store is never held whole.

use futures::stream::{self, Stream};
use sha2::{Digest, Sha256};

use super::export::{read_checkpoints, read_events, Line, BATCH, FORMAT, FORMAT_VERSION};
use super::{keys, timestamp, write::last_position};
use crate::db::Database;

enum Phase {
    Start,
    Events { after: i64, upto: i64 },
    Done,
}

struct State {
    db: Database,
    tenant: Option<String>,
    now_ms: i64,
    phase: Phase,
    hash: Sha256,
    lines: u64,
}

impl State {
    fn push(&mut self, out: &mut Vec<u8>, line: &Line) -> anyhow::Result<()> {
        let start = out.len();
        serde_json::to_writer(&mut *out, line)?;
        out.push(b'\n');
        self.hash.update(&out[start..]);
        self.lines += 1;
        Ok(())
    }

    /// The next chunk, or `None` after the end line.
    async fn next(&mut self) -> anyhow::Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Start => {
                let tenant = self.tenant.as_deref();
                let checkpoints = read_checkpoints(&self.db, tenant).await?;
                let keys = keys::published(&self.db).await?;
                let upto = last_position(&self.db).await?;
                let header = Line::Header {
                    format: FORMAT.into(),
                    format_version: FORMAT_VERSION,
                    exported_at: timestamp(self.now_ms),
                    tenant: self.tenant.clone(),
                    last_position: upto,
                };
                self.push(&mut out, &header)?;
                for key in keys {
                    self.push(&mut out, &Line::Key(key))?;
                }
                for checkpoint in checkpoints {
                    self.push(&mut out, &Line::Checkpoint(checkpoint))?;
                }
                self.phase = Phase::Events { after: 0, upto };
            }
            Phase::Events { after, upto } => {
                let rows = read_events(&self.db, self.tenant.as_deref(), after, upto).await?;
                let done = (rows.len() as i64) < BATCH;
                let mut last = after;
                for row in rows {
                    last = row.position;
                    self.push(&mut out, &Line::Event(row))?;
                }
                if done {
                    let end = Line::End {
                        lines: self.lines,
                        sha256: hex::encode(self.hash.clone().finalize()),
                    };
                    serde_json::to_writer(&mut out, &end)?;
                    out.push(b'\n');
                    self.phase = Phase::Done;
                } else {
                    self.phase = Phase::Events { after: last, upto };
                }
            }
            Phase::Done => return Ok(None),
        }
        Ok(Some(out))
    }
}

/// The export of `tenant` (every tenant with `None`), chunk by chunk; an error ends the stream
/// (the reader then holds no end line: a cut export is told from a whole one).
pub fn export_stream(
    db: Database,
    tenant: Option<String>,
    now_ms: i64,
) -> impl Stream<Item = anyhow::Result<Vec<u8>>> + Send {
    let state = State {
        db,
        tenant,
        now_ms,
        phase: Phase::Start,
        hash: Sha256::new(),
        lines: 0,
    };
    stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        match state.next().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(state))),
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// Whether any event of `tenant` keeps a personal value inside its hashed metadata — a client
/// address or user agent (events written before request metadata moved beside the chain, ADR
/// 0026), or the person an application acted for (`on_behalf_of`): an export of such a chain
/// carries personal values that cannot be masked without breaking it.
pub async fn chain_holds_request_metadata(db: &Database, tenant: &str) -> anyhow::Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT position FROM events WHERE tenant_id = $1 \
         AND (metadata LIKE '%\"client_ip\":\"%' OR metadata LIKE '%\"user_agent\":\"%' \
         OR metadata LIKE '%\"on_behalf_of\":\"%') LIMIT 1",
    )
    .bind(tenant)
    .fetch_optional(&db.pool)
    .await?;
    Ok(found.is_some())
}
