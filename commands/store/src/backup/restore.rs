//! Restoring a backup: into an empty store only, in one transaction that commits once the
//! file is whole, its hash chain holds and it was made under this store's master key.

use std::collections::HashSet;
use std::io::BufRead;

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};

use super::{Line, Summary, FORMAT, FORMAT_VERSION, LOCAL_SETTINGS};
use crate::db::Engine;
use crate::store::{ChainWalk, StoredRow};
use crate::EventStore;

/// Restores a backup read from `input` into `store`, which must hold no events yet. Every line
/// goes in inside one transaction that commits only when the file is whole (its trailer's count
/// and hash match), its hash chain holds, and it was made under this store's master key; on any
/// refusal nothing is written. Projections are not touched: rebuild them afterwards.
pub async fn restore(store: &EventStore, input: &mut dyn BufRead) -> anyhow::Result<Summary> {
    let db = store.database();
    let mut conn = db
        .pool
        .acquire()
        .await
        .context("connecting for a restore")?;
    let mut tx = match db.engine {
        Engine::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Engine::Postgres => conn.begin().await?,
    };
    // The append lock first: a server writing to this store meanwhile waits, then finds events.
    sqlx::query("UPDATE event_position SET last_position = last_position WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    refuse_unless_empty(&mut tx).await?;
    let summary = insert_lines(store, &mut tx, input).await?;
    match store.walk_chain(&mut tx).await? {
        Ok(_) => {}
        Err(b) => anyhow::bail!(
            "the restored events do not form an unbroken hash chain at position {} (tenant {}): \
             {}; nothing was restored",
            b.position,
            b.tenant_id,
            b.reason
        ),
    }
    tx.commit().await.context("committing the restore")?;
    Ok(summary)
}

async fn refuse_unless_empty(conn: &mut AnyConnection) -> anyhow::Result<()> {
    for table in [
        "events",
        "chain_heads",
        "unique_claims",
        "subject_keys",
        "checkpoint_keys",
        "checkpoints",
        "request_metadata",
    ] {
        let (rows,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *conn)
            .await?;
        if rows > 0 {
            anyhow::bail!(
                "the target store is not empty ({table} holds {rows} row(s)): restore into a new, \
                 empty database that no server has started on; nothing was restored"
            );
        }
    }
    Ok(())
}

/// Reads and inserts every line, checking the header, the chain as it goes, and the trailer.
async fn insert_lines(
    store: &EventStore,
    conn: &mut AnyConnection,
    input: &mut dyn BufRead,
) -> anyhow::Result<Summary> {
    let mut hash = Sha256::new();
    let mut count: u64 = 0;
    let mut walk = ChainWalk::default();
    let mut heads: Vec<(String, String)> = Vec::new();
    let mut migration_level = None;
    let mut events = 0;
    let mut ended = false;
    let mut seen_settings = HashSet::new();
    let mut text = Vec::new();
    loop {
        text.clear();
        let read = input
            .read_until(b'\n', &mut text)
            .context("reading the backup")?;
        if read == 0 {
            break;
        }
        let number = count + 1;
        if ended {
            anyhow::bail!("the backup goes on after its last line (line {number}): it is damaged");
        }
        let line: Line = serde_json::from_slice(&text).map_err(|e| {
            anyhow::anyhow!("line {number} of the backup is not a backup record ({e}): is this an idaas backup?")
        })?;
        if migration_level.is_none() && !matches!(line, Line::Header { .. }) {
            anyhow::bail!("the backup does not start with its header: is this an idaas backup?");
        }
        match line {
            Line::Header {
                format,
                format_version,
                migration_level: level,
                ..
            } => {
                if migration_level.is_some() || format != FORMAT {
                    anyhow::bail!("line {number}: not an idaas backup header");
                }
                if format_version > FORMAT_VERSION {
                    anyhow::bail!(
                        "the backup is in format {format_version}, newer than this release reads \
                         ({FORMAT_VERSION}): restore it with the release that made it"
                    );
                }
                let latest = crate::migrate::latest_version();
                if level > latest {
                    anyhow::bail!(
                        "the backup comes from migration level {level}, newer than this release's \
                         {latest}: restore it with that release or a later one"
                    );
                }
                migration_level = Some(level);
            }
            Line::Event(row) => {
                if let Err(b) = walk.step(&row) {
                    anyhow::bail!(
                        "the backup's hash chain is broken at position {} (tenant {}, {} {} \
                         version {}): {}; nothing was restored",
                        b.position,
                        b.tenant_id,
                        b.stream_type,
                        b.stream_id,
                        b.version,
                        b.reason
                    );
                }
                insert_event(conn, &row).await?;
                events += 1;
            }
            Line::ChainHead {
                tenant_id,
                last_hash,
            } => {
                sqlx::query("INSERT INTO chain_heads (tenant_id, last_hash) VALUES ($1, $2)")
                    .bind(&tenant_id)
                    .bind(&last_hash)
                    .execute(&mut *conn)
                    .await
                    .context("restoring a chain head")?;
                heads.push((tenant_id, last_hash));
            }
            Line::Claim {
                tenant_id,
                claim_kind,
                claim_key,
                owner,
            } => {
                sqlx::query(
                    "INSERT INTO unique_claims (tenant_id, kind, claim_key, owner) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(tenant_id)
                .bind(claim_kind)
                .bind(claim_key)
                .bind(owner)
                .execute(&mut *conn)
                .await
                .context("restoring a unique claim")?;
            }
            Line::SubjectKey {
                tenant_id,
                subject_id,
                wrapped_key,
            } => {
                sqlx::query(
                    "INSERT INTO subject_keys (tenant_id, subject_id, wrapped_key) \
                     VALUES ($1, $2, $3)",
                )
                .bind(tenant_id)
                .bind(subject_id)
                .bind(wrapped_key)
                .execute(&mut *conn)
                .await
                .context("restoring a subject key")?;
            }
            Line::CheckpointKey {
                key_id,
                generation,
                algorithm,
                public_key,
                wrapped_key,
                created_at,
                retired_at,
            } => {
                sqlx::query(
                    "INSERT INTO checkpoint_keys (key_id, generation, algorithm, public_key, \
                     wrapped_key, created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(key_id)
                .bind(generation)
                .bind(algorithm)
                .bind(public_key)
                .bind(wrapped_key)
                .bind(created_at)
                .bind(retired_at)
                .execute(&mut *conn)
                .await
                .context("restoring a checkpoint key")?;
            }
            Line::Checkpoint(c) => {
                sqlx::query(
                    "INSERT INTO checkpoints (tenant_id, position, events, head_hash, signed_at, \
                     key_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(c.tenant_id)
                .bind(c.position)
                .bind(c.events)
                .bind(c.head_hash)
                .bind(c.signed_at)
                .bind(c.key_id)
                .bind(c.signature)
                .execute(&mut *conn)
                .await
                .context("restoring a checkpoint")?;
            }
            Line::RequestMetadata {
                tenant_id,
                position,
                stream_id,
                subject_id,
                client_ip,
                user_agent,
                recorded_at,
            } => {
                sqlx::query(
                    "INSERT INTO request_metadata (tenant_id, position, stream_id, subject_id, \
                     client_ip, user_agent, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(tenant_id)
                .bind(position)
                .bind(stream_id)
                .bind(subject_id)
                .bind(client_ip)
                .bind(user_agent)
                .bind(recorded_at)
                .execute(&mut *conn)
                .await
                .context("restoring request metadata")?;
            }
            Line::Setting { name, value } => {
                if !seen_settings.insert(name.clone()) {
                    anyhow::bail!("line {number}: the setting {name} appears twice");
                }
                restore_setting(store, conn, &name, &value).await?;
            }
            Line::End { lines, sha256 } => {
                let computed = hex::encode(hash.clone().finalize());
                if lines != count || sha256 != computed {
                    anyhow::bail!(
                        "the backup is damaged: its last line does not match what came before it \
                         ({count} line(s) read, {lines} announced); nothing was restored"
                    );
                }
                ended = true;
            }
        }
        hash.update(&text);
        count += 1;
    }
    if !seen_settings.contains("key_check") {
        key_opens_subject_keys(store, conn).await?;
    }
    if !ended {
        anyhow::bail!(
            "the backup is incomplete: it stops after {count} line(s) without its last line; \
             nothing was restored"
        );
    }
    if let Err(b) = walk.finish(heads) {
        anyhow::bail!(
            "the backup's hash chain does not reach its recorded head (tenant {}): {}; nothing \
             was restored",
            b.tenant_id,
            b.reason
        );
    }
    // The walk saw positions 1, 2, … without a gap: the last one is the number of events.
    sqlx::query("UPDATE event_position SET last_position = $1 WHERE id = 1")
        .bind(events)
        .execute(&mut *conn)
        .await?;
    Ok(Summary {
        events,
        migration_level: migration_level.unwrap_or_default(),
    })
}

async fn insert_event(conn: &mut AnyConnection, row: &StoredRow) -> anyhow::Result<()> {
    let rows = std::slice::from_ref(row);
    let mut out = crate::statements::Statements::on(conn);
    crate::rows::insert_all(&mut out, "events", &StoredRow::COLUMNS, rows, |q, r| {
        r.bind(q)
    })
    .await?;
    out.send()
        .await
        .with_context(|| format!("restoring the event at position {}", row.position))
}

/// A backup from a store older than the key fingerprint: the key must open its subject keys.
async fn key_opens_subject_keys(
    store: &EventStore,
    conn: &mut AnyConnection,
) -> anyhow::Result<()> {
    let wrapped: Option<(String,)> = sqlx::query_as("SELECT wrapped_key FROM subject_keys LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    if let Some((wrapped,)) = wrapped {
        if store.keys().unwrap_key(&wrapped).is_err() {
            anyhow::bail!(ANOTHER_KEY);
        }
    }
    Ok(())
}

const ANOTHER_KEY: &str = "the backup was made under another master key: set IDAAS_MASTER_KEY \
                           (or master_key, or data_dir/master.key) to the key of the store it was \
                           taken from; nothing was restored";

/// A setting from the backup. The master key's fingerprint must be this store's: subject keys,
/// claims and secret hashes in the backup are keyed by the key it was made under. It replaces
/// the fingerprint an empty target may hold from an earlier attempt under another key.
async fn restore_setting(
    store: &EventStore,
    conn: &mut AnyConnection,
    name: &str,
    value: &str,
) -> anyhow::Result<()> {
    if LOCAL_SETTINGS.contains(&name) {
        return Ok(());
    }
    if name == "key_check" && value != store.keys().key_check() {
        anyhow::bail!(ANOTHER_KEY);
    }
    sqlx::query(
        "INSERT INTO store_settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("restoring the setting {name}"))?;
    Ok(())
}
