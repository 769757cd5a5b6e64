//! The audit export (`idaas audit export`, ops/adr/0023): JSON lines, each an object whose `kind`
//! says what it is, in this order:
//! - `header`: `format` (`idaas-audit-export`), `format_version`, `exported_at`, `tenant` (the one
//!   tenant exported, or null for all), `last_position` (the export holds every event of its scope
//!   up to this position);
//! - `key`: every checkpoint key ever used, as a JWK (RFC 8037) with `created_at`/`retired_at`;
//! - `checkpoint`: every checkpoint of the scope, in position order;
//! - `event`: every event row of the scope exactly as stored (payloads sealed, hashes), in
//!   position order;
//! - `end`: `lines` (how many came before it) and `sha256` (of those lines, each with its
//!   newline): a copy cut short or damaged is told from a whole one.
//!
//! Nothing in it needs a key to check: the chain hashes the stored (sealed) payloads.

use std::io::Write;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{keys, timestamp, write::last_position, Checkpoint, PublishedKey};
use crate::db::Database;
use crate::store::StoredRow;

pub const FORMAT: &str = "idaas-audit-export";
/// The version of this file format; a verifier refuses a newer one.
pub const FORMAT_VERSION: u32 = 1;

pub(super) const BATCH: i64 = 1000;

/// One line of an audit export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    Header {
        format: String,
        format_version: u32,
        exported_at: String,
        tenant: Option<String>,
        last_position: i64,
    },
    Key(PublishedKey),
    Checkpoint(Checkpoint),
    Event(StoredRow),
    End {
        lines: u64,
        sha256: String,
    },
}

/// What an export carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportSummary {
    pub keys: usize,
    pub checkpoints: usize,
    pub events: i64,
    pub last_position: i64,
}

/// Writes the export of `tenant` (every tenant with `None`) to `out`.
pub async fn export(
    db: &Database,
    tenant: Option<&str>,
    now_ms: i64,
    out: &mut dyn Write,
) -> anyhow::Result<ExportSummary> {
    let mut hash = Sha256::new();
    let mut lines: u64 = 0;
    let mut write = |line: Line| -> anyhow::Result<()> {
        let mut text = serde_json::to_vec(&line)?;
        text.push(b'\n');
        out.write_all(&text).context("writing the export")?;
        hash.update(&text);
        lines += 1;
        Ok(())
    };
    let summary = produce(db, tenant, now_ms, &mut write).await?;
    let end = Line::End {
        lines,
        sha256: hex::encode(hash.finalize()),
    };
    let mut text = serde_json::to_vec(&end)?;
    text.push(b'\n');
    out.write_all(&text).context("writing the export")?;
    out.flush().context("writing the export")?;
    Ok(summary)
}

/// Hands every line but the end to `sink`, in the export's order. No snapshot is needed: the
/// checkpoints are read first and the position bound after them, so every event a checkpoint
/// names is within the bound, and events below a committed position never change.
pub(super) async fn produce(
    db: &Database,
    tenant: Option<&str>,
    now_ms: i64,
    sink: &mut dyn FnMut(Line) -> anyhow::Result<()>,
) -> anyhow::Result<ExportSummary> {
    let checkpoints = read_checkpoints(db, tenant).await?;
    let keys = keys::published(db).await?;
    let last_position = last_position(db).await?;
    sink(Line::Header {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        exported_at: timestamp(now_ms),
        tenant: tenant.map(str::to_string),
        last_position,
    })?;
    let mut summary = ExportSummary {
        keys: keys.len(),
        checkpoints: checkpoints.len(),
        events: 0,
        last_position,
    };
    for key in keys {
        sink(Line::Key(key))?;
    }
    for checkpoint in checkpoints {
        sink(Line::Checkpoint(checkpoint))?;
    }
    let mut after = 0;
    loop {
        let rows = read_events(db, tenant, after, last_position).await?;
        if rows.is_empty() {
            return Ok(summary);
        }
        for row in rows {
            after = row.position;
            summary.events += 1;
            sink(Line::Event(row))?;
        }
    }
}

pub(super) async fn read_checkpoints(
    db: &Database,
    tenant: Option<&str>,
) -> anyhow::Result<Vec<Checkpoint>> {
    type Row = (String, i64, i64, String, String, String, String);
    const SELECT: &str = "SELECT tenant_id, position, events, head_hash, signed_at, key_id, \
                          signature FROM checkpoints";
    let sql = match tenant {
        Some(_) => format!("{SELECT} WHERE tenant_id = $1 ORDER BY position"),
        None => format!("{SELECT} ORDER BY position, tenant_id"),
    };
    let mut query = sqlx::query_as::<_, Row>(&sql);
    if let Some(tenant) = tenant {
        query = query.bind(tenant);
    }
    let rows = query
        .fetch_all(&db.pool)
        .await
        .context("reading the checkpoints")?;
    Ok(rows
        .into_iter()
        .map(
            |(tenant_id, position, events, head_hash, signed_at, key_id, signature)| Checkpoint {
                tenant_id,
                position,
                events,
                head_hash,
                signed_at,
                key_id,
                signature,
            },
        )
        .collect())
}

/// Up to `BATCH` stored rows of the scope after `after`, up to `upto`, in position order.
pub(super) async fn read_events(
    db: &Database,
    tenant: Option<&str>,
    after: i64,
    upto: i64,
) -> anyhow::Result<Vec<StoredRow>> {
    const COLUMNS: &str = "position, tenant_id, stream_type, stream_id, version, event_type, \
                           schema_version, payload, metadata, recorded_at, prev_hash, hash";
    let scope = if tenant.is_some() {
        "tenant_id = $3 AND "
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM events WHERE {scope}position > $1 AND position <= $2 \
         ORDER BY position LIMIT {BATCH}"
    );
    let mut query = sqlx::query_as::<_, EventRow>(&sql).bind(after).bind(upto);
    if let Some(tenant) = tenant {
        query = query.bind(tenant);
    }
    let rows = query.fetch_all(&db.pool).await.context("reading events")?;
    Ok(rows.into_iter().map(row).collect())
}

/// An event row's columns, in the order of `COLUMNS`.
type EventRow = (
    i64,
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
);

fn row(
    (
        position,
        tenant_id,
        stream_type,
        stream_id,
        version,
        event_type,
        schema_version,
        payload,
        metadata,
        recorded_at,
        prev_hash,
        hash,
    ): EventRow,
) -> StoredRow {
    StoredRow {
        position,
        tenant_id,
        stream_type,
        stream_id,
        version,
        event_type,
        schema_version,
        payload,
        metadata,
        recorded_at,
        prev_hash,
        hash,
    }
}
