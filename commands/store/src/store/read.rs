//! Reading the store: a stream for a decision, every event in position order for replay, the
//! stored rows as they are for export, and the walk of the hash chain.

use std::collections::HashMap;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::chain::{self, ChainedFields};
use super::request_metadata;
use super::seal::{is_sealed, open_payload};
use super::types::RecordedEvent;
use super::EventStore;
use crate::db::Engine;

/// An event row exactly as stored (sealed payload, hashes), e.g. for `idaas events export`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRow {
    pub position: i64,
    pub tenant_id: String,
    pub stream_type: String,
    pub stream_id: String,
    pub version: i64,
    pub event_type: String,
    pub schema_version: i64,
    pub payload: String,
    pub metadata: String,
    pub recorded_at: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredRow {
    /// The `events` table's columns, in the order `bind` binds them.
    pub(crate) const COLUMNS: [&'static str; 12] = [
        "position",
        "tenant_id",
        "stream_type",
        "stream_id",
        "version",
        "event_type",
        "schema_version",
        "payload",
        "metadata",
        "recorded_at",
        "prev_hash",
        "hash",
    ];

    /// Binds the row's values to an insert, in the order of the `events` table's columns.
    pub(crate) fn bind<'v>(&self, insert: crate::rows::Insert<'v>) -> crate::rows::Insert<'v> {
        insert
            .bind(self.position)
            .bind(self.tenant_id.clone())
            .bind(self.stream_type.clone())
            .bind(self.stream_id.clone())
            .bind(self.version)
            .bind(self.event_type.clone())
            .bind(self.schema_version)
            .bind(self.payload.clone())
            .bind(self.metadata.clone())
            .bind(self.recorded_at.clone())
            .bind(self.prev_hash.clone())
            .bind(self.hash.clone())
    }

    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            position: row.try_get(0)?,
            tenant_id: row.try_get(1)?,
            stream_type: row.try_get(2)?,
            stream_id: row.try_get(3)?,
            version: row.try_get(4)?,
            event_type: row.try_get(5)?,
            schema_version: row.try_get(6)?,
            payload: row.try_get(7)?,
            metadata: row.try_get(8)?,
            recorded_at: row.try_get(9)?,
            prev_hash: row.try_get(10)?,
            hash: row.try_get(11)?,
        })
    }
}

/// Up to `limit` stored rows after `after_position` on a connection the caller holds (a backup
/// reads them inside its snapshot).
pub(crate) async fn read_raw_on(
    conn: &mut AnyConnection,
    after_position: i64,
    limit: i64,
) -> anyhow::Result<Vec<StoredRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"
    ))
    .bind(after_position)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
    .context("reading events")?;
    rows.iter()
        .map(|r| StoredRow::from_row(r).map_err(Into::into))
        .collect()
}

const COLUMNS: &str = "position, tenant_id, stream_type, stream_id, version, event_type, \
                       schema_version, payload, metadata, recorded_at, prev_hash, hash";

/// The first event whose stored hash does not follow from the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub position: i64,
    pub tenant_id: String,
    pub stream_type: String,
    pub stream_id: String,
    pub version: i64,
    pub reason: String,
}

impl EventStore {
    /// The events of one stream, opened and upcast, in version order; their metadata as hashed
    /// (the request metadata kept beside the chain is joined by `load_positions` only: a
    /// decision never needs it).
    pub async fn load(
        &self,
        tenant_id: &str,
        stream_type: &str,
        stream_id: &str,
    ) -> anyhow::Result<Vec<RecordedEvent>> {
        self.load_after(tenant_id, stream_type, stream_id, 0).await
    }

    /// The events of one stream after `version` (its tail past a state already folded), opened
    /// and upcast, in version order.
    pub async fn load_after(
        &self,
        tenant_id: &str,
        stream_type: &str,
        stream_id: &str,
        version: i64,
    ) -> anyhow::Result<Vec<RecordedEvent>> {
        let mut conn = self.shared.db.pool.acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM events WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3 \
             AND version > $4 ORDER BY version"
        ))
        .bind(tenant_id)
        .bind(stream_type)
        .bind(stream_id)
        .bind(version)
        .fetch_all(&mut *conn)
        .await
        .context("loading a stream")?;
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            events.push(self.open_row(&mut conn, StoredRow::from_row(row)?).await?);
        }
        Ok(events)
    }

    /// The tenant's events at `positions` (at most 1000), opened and upcast, in position order,
    /// with the request metadata kept beside them; positions of other tenants are left out.
    pub async fn load_positions(
        &self,
        tenant_id: &str,
        positions: &[i64],
    ) -> anyhow::Result<Vec<RecordedEvent>> {
        anyhow::ensure!(positions.len() <= 1000, "at most 1000 positions at once");
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        let list = (0..positions.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE tenant_id = $1 AND position IN ({list}) \
             ORDER BY position"
        );
        let mut query = sqlx::query(&sql).bind(tenant_id);
        for position in positions {
            query = query.bind(*position);
        }
        let mut conn = self.shared.db.pool.acquire().await?;
        let rows = query
            .fetch_all(&mut *conn)
            .await
            .context("reading events by position")?;
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            events.push(self.open_row(&mut conn, StoredRow::from_row(row)?).await?);
        }
        request_metadata::attach(&mut conn, tenant_id, &mut events).await?;
        Ok(events)
    }

    /// Up to `limit` stored rows after `after_position`, in position order.
    pub async fn read_raw(
        &self,
        after_position: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<StoredRow>> {
        let mut conn = self.shared.db.pool.acquire().await?;
        read_raw_on(&mut conn, after_position, limit).await
    }

    /// Up to `limit` events after `after_position`, opened and upcast, in position order.
    pub async fn read_from(
        &self,
        conn: &mut AnyConnection,
        after_position: i64,
        limit: i64,
    ) -> anyhow::Result<Vec<RecordedEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2"
        ))
        .bind(after_position)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .context("reading events")?;
        let mut events = Vec::with_capacity(rows.len());
        for row in &rows {
            events.push(self.open_row(conn, StoredRow::from_row(row)?).await?);
        }
        Ok(events)
    }

    async fn open_row(
        &self,
        conn: &mut AnyConnection,
        row: StoredRow,
    ) -> anyhow::Result<RecordedEvent> {
        let mut payload: serde_json::Value =
            serde_json::from_str(&row.payload).context("a stored payload is not JSON")?;
        if is_sealed(&payload) {
            let key = self
                .shared
                .subject_keys
                .for_reading(conn, &self.shared.keys, &row.tenant_id, &row.stream_id)
                .await?;
            open_payload(&mut payload, key.as_ref())?;
        }
        let (schema_version, payload) = domain::upcast::upcast(
            &self.shared.upcasters,
            &row.event_type,
            row.schema_version as u32,
            payload,
        );
        Ok(RecordedEvent {
            position: row.position,
            tenant_id: row.tenant_id,
            stream_type: row.stream_type,
            stream_id: row.stream_id,
            version: row.version,
            event_type: row.event_type,
            schema_version,
            payload,
            metadata: serde_json::from_str(&row.metadata).unwrap_or_default(),
            recorded_at: row.recorded_at,
        })
    }

    /// Walks every tenant's hash chain in position order; returns the number of events checked,
    /// or the first broken link.
    ///
    /// The walk and the chain heads are read in one snapshot, so appends running meanwhile
    /// (a live server) are neither half-seen nor mistaken for tampering.
    pub async fn verify_chain(&self) -> anyhow::Result<Result<i64, ChainBreak>> {
        let mut tx = self.shared.db.pool.begin().await?;
        if self.shared.db.engine == Engine::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *tx)
                .await?;
        }
        let verdict = self.walk_chain(&mut tx).await;
        tx.rollback().await?;
        verdict
    }

    /// The chain walk of `verify_chain` on a connection the caller holds (a restore walks the
    /// rows it inserted inside its transaction, before committing them).
    pub(crate) async fn walk_chain(
        &self,
        conn: &mut AnyConnection,
    ) -> anyhow::Result<Result<i64, ChainBreak>> {
        let mut walk = ChainWalk::default();
        let mut after = 0;
        loop {
            let rows = read_raw_on(conn, after, 1000).await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                if let Err(broken) = walk.step(&row) {
                    return Ok(Err(broken));
                }
                after = row.position;
            }
        }
        let recorded: Vec<(String, String)> =
            sqlx::query_as("SELECT tenant_id, last_hash FROM chain_heads ORDER BY tenant_id")
                .fetch_all(&mut *conn)
                .await?;
        Ok(walk.finish(recorded))
    }
}

/// A walk of every tenant's hash chain over the events in position order: the one check behind
/// `idaas verify`, a restore, and the check of a backup file.
#[derive(Debug, Default)]
pub struct ChainWalk {
    heads: HashMap<String, String>,
    last_position: i64,
}

impl ChainWalk {
    /// Checks the next event: its position follows the last one, its `prev_hash` is its tenant's
    /// last hash, and its hash follows from its contents.
    pub fn step(&mut self, row: &StoredRow) -> Result<(), ChainBreak> {
        let expected_position = self.last_position + 1;
        let prev = self
            .heads
            .get(&row.tenant_id)
            .map_or(chain::GENESIS, String::as_str);
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
        let reason = if row.position != expected_position {
            Some(format!("position {expected_position} is missing"))
        } else if row.prev_hash != prev {
            Some("prev_hash does not match the previous event of the tenant".to_string())
        } else if chain::hash(prev, &fields) != row.hash {
            Some("hash does not match the event's contents".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(ChainBreak {
                position: row.position,
                tenant_id: row.tenant_id.clone(),
                stream_type: row.stream_type.clone(),
                stream_id: row.stream_id.clone(),
                version: row.version,
                reason,
            });
        }
        self.heads.insert(row.tenant_id.clone(), row.hash.clone());
        self.last_position = row.position;
        Ok(())
    }

    /// Ends the walk against the recorded chain heads (tenant, last hash): a head that differs
    /// from the last event walked means events were cut off the end. The number of events walked.
    pub fn finish(
        self,
        recorded: impl IntoIterator<Item = (String, String)>,
    ) -> Result<i64, ChainBreak> {
        for (tenant_id, last_hash) in recorded {
            if self.heads.get(&tenant_id) != Some(&last_hash) {
                return Err(ChainBreak {
                    position: self.last_position + 1,
                    tenant_id,
                    stream_type: String::new(),
                    stream_id: String::new(),
                    version: 0,
                    reason: "the tenant's last events are missing (chain head not reached)"
                        .to_string(),
                });
            }
        }
        Ok(self.last_position)
    }

    /// The last hash of each tenant walked so far.
    pub fn heads(&self) -> &HashMap<String, String> {
        &self.heads
    }
}
