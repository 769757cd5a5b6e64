//! One append inside a batch (see `writer`): its guards, claims and version check, its events
//! chained, sealed and inserted, its inline projections, and what it forgets.

use anyhow::Context;
use sqlx::AnyConnection;
use tracing::Instrument;

use super::chain::{self, ChainedFields};
use super::read::StoredRow;
use super::request_metadata;
use super::seal::{has_personal, seal_payload};
use super::types::{AppendError, AppendRequest, Appended, RecordedEvent};
use super::writer::{flush, Follows, Held, Pending};
use super::Shared;
use crate::changes::Change;
use domain::Forget;

pub(super) async fn append_one(
    shared: &Shared,
    conn: &mut AnyConnection,
    request: &AppendRequest,
    batch: &Pending,
    pending: &mut Pending,
    held: &mut Held,
    hold_events: bool,
) -> Result<Appended, AppendError> {
    if !request.guards.is_empty() || !request.forget.is_empty() || request.events.is_empty() {
        // A guard may read what is held (the audit trail), a forgetting deletes request
        // metadata, a version check reads the events: each sees every earlier append of the
        // batch.
        flush(shared, conn, held).await?;
    }
    for guard in &request.guards {
        let holds = guard
            .holds(conn, &request.tenant_id)
            .await
            .with_context(|| format!("checking {}", guard.name()))?;
        if !holds {
            return Err(AppendError::GuardFailed(guard.name()));
        }
    }
    if request.events.is_empty() {
        check_version(conn, request).await?;
        write_claims(shared, conn, request).await?;
        forget(shared, conn, request, pending, held).await?;
        return Ok(None);
    }
    write_claims(shared, conn, request).await?;
    let tenant = &request.tenant_id;
    let known = batch.heads.get(tenant).or(batch.known_heads.get(tenant));
    let mut prev_hash = match known {
        Some(hash) => hash.clone(),
        None => chain_head(conn, tenant).await?,
    };
    // The client address and user agent stay out of the hashed bytes (ops/adr/0026).
    let personal = request_metadata::personal(&request.metadata);
    let chained = request_metadata::chained(&request.metadata);
    let metadata = serde_json::to_string(&chained).context("metadata")?;
    let recorded_at = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    for (index, event) in request.events.iter().enumerate() {
        let version = request.expected_version + index as i64 + 1;
        let position = pending.last_position + 1;
        let stored = if has_personal(&event.payload) {
            // A subject whose key an earlier append of this batch destroyed gets a new key, not
            // the cached one (the cache forgets only once the batch commits).
            let subject = (tenant.clone(), request.stream_id.clone());
            if batch.forgotten.contains(&subject) || pending.forgotten.contains(&subject) {
                shared.subject_keys.drop_cached(tenant, &request.stream_id);
            }
            let key = shared
                .subject_keys
                .for_writing(
                    conn,
                    &shared.keys,
                    tenant,
                    &request.stream_id,
                    &mut pending.new_keys,
                )
                .await?;
            seal_payload(&event.payload, &key)?
        } else {
            event.payload.clone()
        };
        let payload = serde_json::to_string(&stored).context("payload")?;
        let fields = ChainedFields {
            position,
            tenant_id: tenant,
            stream_type: &request.stream_type,
            stream_id: &request.stream_id,
            version,
            event_type: &event.event_type,
            schema_version: i64::from(event.schema_version),
            payload: &payload,
            metadata: &metadata,
            recorded_at: &recorded_at,
        };
        let hash = chain::hash(&prev_hash, &fields);
        if hold_events {
            // The events are inserted with the batch's others at its end (ops/adr/0030, 0034):
            // the stream's key refuses a version another append wrote first, and an append to a
            // stream that exists is checked to follow on from the version it expected.
            if index == 0 && request.expected_version > 0 {
                held.follows.push(Follows {
                    tenant_id: tenant.clone(),
                    stream_type: request.stream_type.clone(),
                    stream_id: request.stream_id.clone(),
                    version: request.expected_version,
                });
            }
            held.inserts.push(StoredRow {
                position,
                tenant_id: tenant.clone(),
                stream_type: request.stream_type.clone(),
                stream_id: request.stream_id.clone(),
                version,
                event_type: event.event_type.clone(),
                schema_version: i64::from(event.schema_version),
                payload,
                metadata: metadata.clone(),
                recorded_at: recorded_at.clone(),
                prev_hash: std::mem::take(&mut prev_hash),
                hash: hash.clone(),
            });
        } else {
            // The first insert carries the expected-version check.
            let expected = (index == 0).then_some(request.expected_version);
            if !insert_event(conn, &fields, (&prev_hash, &hash), expected).await? {
                flush(shared, conn, held).await?;
                check_version(conn, request).await?;
                return Err(anyhow::anyhow!("the guarded insert wrote nothing").into());
            }
        }
        // Projections see what a reader loading the event would see: an older shape appended
        // by a tool or an import is upcast first, so live rows equal a replay's.
        let (schema_version, payload) = domain::upcast::upcast(
            &shared.upcasters,
            &event.event_type,
            event.schema_version,
            event.payload.clone(),
        );
        let recorded = RecordedEvent {
            position,
            tenant_id: tenant.clone(),
            stream_type: request.stream_type.clone(),
            stream_id: request.stream_id.clone(),
            version,
            event_type: event.event_type.clone(),
            schema_version,
            payload,
            // What a replay will read: projections never see the request metadata kept beside.
            metadata: chained.clone(),
            recorded_at: recorded_at.clone(),
        };
        if let Some(personal) = &personal {
            held.metadata
                .push(request_metadata::Kept::of(&recorded, personal));
        }
        project(shared, conn, &recorded).await?;
        if shared.projectors.iter().any(|p| p.batched()) {
            held.events.push(recorded.clone());
        }
        pending.changes.push(Change {
            position,
            tenant_id: recorded.tenant_id,
            stream_type: recorded.stream_type,
            stream_id: recorded.stream_id,
            event_type: recorded.event_type,
        });
        prev_hash = hash;
        pending.last_position = position;
    }
    pending.heads.insert(tenant.clone(), prev_hash);
    forget(shared, conn, request, pending, held).await?;
    Ok(Some(pending.last_position))
}

/// Inserts one event; with `expected`, only if its stream is at that version (whether it was
/// inserted is the answer).
async fn insert_event(
    conn: &mut AnyConnection,
    fields: &ChainedFields<'_>,
    (prev_hash, hash): (&str, &str),
    expected: Option<i64>,
) -> anyhow::Result<bool> {
    let sql = if expected.is_some() {
        "INSERT INTO events (position, tenant_id, stream_type, stream_id, version, event_type, \
         schema_version, payload, metadata, recorded_at, prev_hash, hash) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 \
         WHERE (SELECT COALESCE(MAX(version), 0) FROM events \
                WHERE tenant_id = $2 AND stream_type = $3 AND stream_id = $4) = $13"
    } else {
        "INSERT INTO events (position, tenant_id, stream_type, stream_id, version, event_type, \
         schema_version, payload, metadata, recorded_at, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    };
    let mut insert = sqlx::query(sql)
        .bind(fields.position)
        .bind(fields.tenant_id)
        .bind(fields.stream_type)
        .bind(fields.stream_id)
        .bind(fields.version)
        .bind(fields.event_type)
        .bind(fields.schema_version)
        .bind(fields.payload)
        .bind(fields.metadata)
        .bind(fields.recorded_at)
        .bind(prev_hash)
        .bind(hash);
    if let Some(expected) = expected {
        insert = insert.bind(expected);
    }
    let inserted = insert
        .execute(&mut *conn)
        .await
        .context("inserting an event")?;
    Ok(inserted.rows_affected() > 0)
}

/// Applies one event to every inline projection but the batched ones, in the append's
/// transaction: one span and one latency sample per event (a span per projection would be a
/// score of spans per event).
async fn project(
    shared: &Shared,
    conn: &mut AnyConnection,
    recorded: &RecordedEvent,
) -> anyhow::Result<()> {
    let span = tracing::info_span!(
        target: "idaas::trace",
        "projection",
        event_type = %recorded.event_type
    );
    let started = std::time::Instant::now();
    async {
        for projector in shared.projectors.iter().filter(|p| !p.batched()) {
            projector
                .apply(conn, recorded)
                .await
                .with_context(|| format!("projecting {}", recorded.event_type))?;
        }
        anyhow::Ok(())
    }
    .instrument(span)
    .await?;
    metrics::histogram!("idaas_projection_seconds").record(started.elapsed().as_secs_f64());
    Ok(())
}

/// Forgets what the request says, after its events (ops/adr/0026): a subject's data key and
/// request metadata, or the tenant's request metadata up to a position.
async fn forget(
    shared: &Shared,
    conn: &mut AnyConnection,
    request: &AppendRequest,
    pending: &mut Pending,
    held: &mut Held,
) -> anyhow::Result<()> {
    if request.forget.is_empty() {
        return Ok(());
    }
    // The append's own request metadata is forgotten with the rest.
    flush(shared, conn, held).await?;
    let tenant = &request.tenant_id;
    for forget in &request.forget {
        match forget {
            Forget::Subject(subject) => {
                sqlx::query("DELETE FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2")
                    .bind(tenant)
                    .bind(subject)
                    .execute(&mut *conn)
                    .await
                    .context("destroying a subject key")?;
                request_metadata::forget_subject(conn, tenant, subject).await?;
                pending.forgotten.push((tenant.clone(), subject.clone()));
            }
            Forget::RequestMetadataUpTo(position) => {
                request_metadata::forget_up_to(conn, tenant, *position).await?;
            }
        }
    }
    Ok(())
}

/// A conflict unless the stream is at the version the decision was made on.
async fn check_version(
    conn: &mut AnyConnection,
    request: &AppendRequest,
) -> Result<(), AppendError> {
    let (actual,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(version), 0) FROM events \
         WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3",
    )
    .bind(&request.tenant_id)
    .bind(&request.stream_type)
    .bind(&request.stream_id)
    .fetch_one(&mut *conn)
    .await
    .context("reading the stream version")?;
    if actual != request.expected_version {
        return Err(AppendError::Conflict {
            expected: request.expected_version,
            actual,
        });
    }
    Ok(())
}

async fn chain_head(conn: &mut AnyConnection, tenant: &str) -> anyhow::Result<String> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT last_hash FROM chain_heads WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row
        .map(|(h,)| h)
        .unwrap_or_else(|| chain::GENESIS.to_string()))
}

/// Releases first (so a value can move between attributes of one owner), then takes claims;
/// a claim held by another owner fails the append with the claim's kind.
async fn write_claims(
    shared: &Shared,
    conn: &mut AnyConnection,
    request: &AppendRequest,
) -> Result<(), AppendError> {
    let owner = &request.stream_id;
    for claim in &request.releases {
        let tenant = if claim.global {
            "*"
        } else {
            &request.tenant_id
        };
        let kind = claim.kind.as_str();
        sqlx::query(
            "DELETE FROM unique_claims WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3 AND owner = $4",
        )
        .bind(tenant)
        .bind(kind.as_ref())
        .bind(shared.keys.claim_key(&kind, &claim.value))
        .bind(owner)
        .execute(&mut *conn)
        .await
        .context("releasing a claim")?;
    }
    for claim in &request.claims {
        let tenant = if claim.global {
            "*"
        } else {
            &request.tenant_id
        };
        let kind = claim.kind.as_str();
        let key = shared.keys.claim_key(&kind, &claim.value);
        let holder: Option<(String,)> = sqlx::query_as(
            "SELECT owner FROM unique_claims WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3",
        )
        .bind(tenant)
        .bind(kind.as_ref())
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a claim")?;
        match holder {
            Some((holder,)) if holder == *owner => {}
            Some(_) => {
                return Err(AppendError::Claimed {
                    kind: claim.kind.clone(),
                })
            }
            None => {
                sqlx::query(
                    "INSERT INTO unique_claims (tenant_id, kind, claim_key, owner) VALUES ($1, $2, $3, $4)",
                )
                .bind(tenant)
                .bind(kind.as_ref())
                .bind(&key)
                .bind(owner)
                .execute(&mut *conn)
                .await
                .context("taking a claim")?;
            }
        }
    }
    Ok(())
}
