//! `idaas backup` and `idaas restore` (ops/adr/0017): the store's own records in one portable
//! file of JSON lines, read in one snapshot of a running store, restorable into an empty store
//! of either engine. Projections are not in it: they are rebuilt from the events.
//!
//! The file holds a header (format, migration level), the store's settings (the master key's
//! fingerprint among them), every event row as stored (payloads still sealed), the chain heads,
//! the unique claims and the wrapped subject keys, then a trailer with the number of lines and a SHA-256 of everything before it.
//! It is useless without the master key, which it does not contain.

mod restore;

use std::io::Write;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};

use crate::db::{Database, Engine};
use crate::store::{read_raw_on, StoredRow};

pub use restore::restore;

/// What the header's `format` says.
pub const FORMAT: &str = "idaas-backup";
/// The version of this file format; a restore refuses a newer one.
pub const FORMAT_VERSION: u32 = 1;

/// Settings that belong to one database and are not carried over: the write probe's scratch
/// value and the projections' version (a restore rebuilds them).
const LOCAL_SETTINGS: &[&str] = &["write_probe", "projections_version"];

const BATCH: i64 = 1000;

/// One line of a backup file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    Header {
        format: String,
        format_version: u32,
        /// The migration level of the store it was taken from.
        migration_level: i64,
        /// `sqlite` or `postgres`, for the reader's information only.
        engine: String,
        created_at: String,
    },
    Event(StoredRow),
    ChainHead {
        tenant_id: String,
        last_hash: String,
    },
    Claim {
        tenant_id: String,
        claim_kind: String,
        claim_key: String,
        owner: String,
    },
    SubjectKey {
        tenant_id: String,
        subject_id: String,
        wrapped_key: String,
    },
    Setting {
        name: String,
        value: String,
    },
    /// A checkpoint signing key (ops/adr/0023), its private half wrapped by the master key.
    CheckpointKey {
        key_id: String,
        generation: i64,
        algorithm: String,
        public_key: String,
        wrapped_key: String,
        created_at: String,
        retired_at: Option<String>,
    },
    /// A signed checkpoint of a tenant's hash chain.
    Checkpoint(crate::checkpoints::Checkpoint),
    /// An event's request metadata, kept beside the chain (ops/adr/0026).
    RequestMetadata {
        tenant_id: String,
        position: i64,
        stream_id: String,
        subject_id: String,
        client_ip: Option<String>,
        user_agent: Option<String>,
        recorded_at: String,
    },
    /// The last line: how many lines came before it and their SHA-256 (hex), each with its
    /// newline.
    End {
        lines: u64,
        sha256: String,
    },
}

/// What a backup or a restore carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub events: i64,
    pub migration_level: i64,
}

/// Writes lines and keeps the count and hash of what was written.
struct Writer<'a> {
    out: &'a mut dyn Write,
    hash: Sha256,
    lines: u64,
}

impl Writer<'_> {
    fn line(&mut self, line: &Line) -> anyhow::Result<()> {
        let mut text = serde_json::to_vec(line)?;
        text.push(b'\n');
        self.out.write_all(&text).context("writing the backup")?;
        self.hash.update(&text);
        self.lines += 1;
        Ok(())
    }
}

/// Writes a backup of the store in `db` to `out`, read in one snapshot (a read transaction on
/// SQLite, REPEATABLE READ on PostgreSQL), so a running server may go on writing meanwhile.
pub async fn backup(db: &Database, out: &mut dyn Write) -> anyhow::Result<Summary> {
    let mut conn = db.pool.acquire().await.context("connecting for a backup")?;
    let mut tx = conn.begin().await?;
    if db.engine == Engine::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let summary = write_snapshot(db.engine, &mut tx, out).await;
    tx.rollback().await?;
    summary
}

async fn write_snapshot(
    engine: Engine,
    conn: &mut AnyConnection,
    out: &mut dyn Write,
) -> anyhow::Result<Summary> {
    let level: Result<(i64,), _> =
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await;
    let migration_level = match level {
        Ok((level,)) if level > 0 => level,
        _ => anyhow::bail!("the database holds no idaas store (no migrations applied)"),
    };
    let mut w = Writer {
        out,
        hash: Sha256::new(),
        lines: 0,
    };
    w.line(&Line::Header {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        migration_level,
        engine: match engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
        .into(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })?;
    // The settings first: the master key's fingerprint is checked before any event goes in.
    let settings: Vec<(String, String)> =
        sqlx::query_as("SELECT name, value FROM store_settings ORDER BY name")
            .fetch_all(&mut *conn)
            .await?;
    for (name, value) in settings {
        if !LOCAL_SETTINGS.contains(&name.as_str()) {
            w.line(&Line::Setting { name, value })?;
        }
    }
    let mut after = 0;
    let mut events = 0;
    loop {
        let rows = read_raw_on(conn, after, BATCH).await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            after = row.position;
            events += 1;
            w.line(&Line::Event(row))?;
        }
    }
    let heads: Vec<(String, String)> =
        sqlx::query_as("SELECT tenant_id, last_hash FROM chain_heads ORDER BY tenant_id")
            .fetch_all(&mut *conn)
            .await?;
    for (tenant_id, last_hash) in heads {
        w.line(&Line::ChainHead {
            tenant_id,
            last_hash,
        })?;
    }
    let claims: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT tenant_id, kind, claim_key, owner FROM unique_claims \
         ORDER BY tenant_id, kind, claim_key",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (tenant_id, claim_kind, claim_key, owner) in claims {
        w.line(&Line::Claim {
            tenant_id,
            claim_kind,
            claim_key,
            owner,
        })?;
    }
    let keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT tenant_id, subject_id, wrapped_key FROM subject_keys ORDER BY tenant_id, subject_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (tenant_id, subject_id, wrapped_key) in keys {
        w.line(&Line::SubjectKey {
            tenant_id,
            subject_id,
            wrapped_key,
        })?;
    }
    if migration_level >= crate::checkpoints::MIGRATION {
        write_checkpoints(conn, &mut w).await?;
    }
    if migration_level >= REQUEST_METADATA_MIGRATION {
        write_request_metadata(conn, &mut w).await?;
    }
    let end = Line::End {
        lines: w.lines,
        sha256: hex::encode(w.hash.clone().finalize()),
    };
    let mut text = serde_json::to_vec(&end)?;
    text.push(b'\n');
    w.out.write_all(&text).context("writing the backup")?;
    w.out.flush().context("writing the backup")?;
    Ok(Summary {
        events,
        migration_level,
    })
}

/// The migration that keeps request metadata beside the chain (ops/adr/0026).
const REQUEST_METADATA_MIGRATION: i64 = 35;

/// The request metadata kept beside the chain, in position order.
async fn write_request_metadata(
    conn: &mut AnyConnection,
    w: &mut Writer<'_>,
) -> anyhow::Result<()> {
    type Row = (
        String,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT tenant_id, position, stream_id, subject_id, client_ip, user_agent, recorded_at \
         FROM request_metadata ORDER BY position",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (tenant_id, position, stream_id, subject_id, client_ip, user_agent, recorded_at) in rows {
        w.line(&Line::RequestMetadata {
            tenant_id,
            position,
            stream_id,
            subject_id,
            client_ip,
            user_agent,
            recorded_at,
        })?;
    }
    Ok(())
}

/// The checkpoint keys, oldest first, and the checkpoints in position order.
async fn write_checkpoints(conn: &mut AnyConnection, w: &mut Writer<'_>) -> anyhow::Result<()> {
    type KeyRow = (String, i64, String, String, String, String, Option<String>);
    let keys: Vec<KeyRow> = sqlx::query_as(
        "SELECT key_id, generation, algorithm, public_key, wrapped_key, created_at, retired_at \
         FROM checkpoint_keys ORDER BY generation",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (key_id, generation, algorithm, public_key, wrapped_key, created_at, retired_at) in keys {
        w.line(&Line::CheckpointKey {
            key_id,
            generation,
            algorithm,
            public_key,
            wrapped_key,
            created_at,
            retired_at,
        })?;
    }
    type CheckpointRow = (String, i64, i64, String, String, String, String);
    let checkpoints: Vec<CheckpointRow> = sqlx::query_as(
        "SELECT tenant_id, position, events, head_hash, signed_at, key_id, signature \
         FROM checkpoints ORDER BY position, tenant_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (tenant_id, position, events, head_hash, signed_at, key_id, signature) in checkpoints {
        w.line(&Line::Checkpoint(crate::checkpoints::Checkpoint {
            tenant_id,
            position,
            events,
            head_hash,
            signed_at,
            key_id,
            signature,
        }))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_with_their_kind() {
        let line = Line::Claim {
            tenant_id: "t".into(),
            claim_kind: "user_name".into(),
            claim_key: "k".into(),
            owner: "o".into(),
        };
        let text = serde_json::to_string(&line).unwrap();
        assert!(text.starts_with(r#"{"kind":"claim""#), "{text}");
        assert_eq!(serde_json::from_str::<Line>(&text).unwrap(), line);
    }
}
