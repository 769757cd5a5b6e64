//! Replay and verification: every projection is rebuilt from position 0 by the same reducers
//! that keep it live, and a rebuild can be compared with the live tables.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};

use futures::TryStreamExt;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Column, Row};
use store::EventStore;

use crate::shadow::{Names, Shadow};

pub(crate) const BATCH: i64 = 1000;

/// The shape of the rows the reducers write. Raise it when they write different rows for the
/// same events (2: canonical attribute names in profiles, settings and audit summaries, ADR
/// 0009; 3: the account lockout row keeps a lock through failures and ignores familiar
/// devices, ADR 0012; 4: application authorities, ADR 0014; 5: organisation details; 6: user
/// account details and the left state; 7: application details and types, dictionaries; 8:
/// uploaded files; 13: the audit trail's correlation ids and subjects, ADR 0022; 14: the as-of
/// history of access, ADR 0025; 15: erasure, deleted users awaiting retention, ADR 0026): a store
/// whose projections are older is rebuilt once when it is opened.
pub const VERSION: &str = "15";

/// Every projection table, in the order they are cleared.
pub fn tables() -> Vec<&'static str> {
    [
        crate::tenants::TABLES,
        crate::applications::TABLES,
        crate::management_tokens::TABLES,
        crate::organizations::TABLES,
        crate::users::TABLES,
        crate::user_types::TABLES,
        crate::dictionaries::TABLES,
        crate::app_types::TABLES,
        crate::groups::TABLES,
        crate::extended_fields::TABLES,
        crate::field_values::TABLES,
        crate::files::TABLES,
        crate::access_keys::TABLES,
        crate::app_grants::TABLES,
        crate::app_accounts::TABLES,
        crate::app_orgs::TABLES,
        crate::app_roles::TABLES,
        crate::privileges::TABLES,
        crate::sessions::TABLES,
        crate::sso_tickets::TABLES,
        crate::oauth::TABLES,
        crate::cas::TABLES,
        crate::saml::TABLES,
        crate::asof::TABLES,
        crate::audit_trail::TABLES,
    ]
    .concat()
}

/// Takes the append lock (the position counter row) so that no writer appends while a rebuild
/// runs: a live server's appends wait for it instead of racing it.
pub(crate) async fn lock_appends(conn: &mut AnyConnection) -> anyhow::Result<()> {
    sqlx::query("UPDATE event_position SET last_position = last_position WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn clear_and_replay(store: &EventStore, conn: &mut AnyConnection) -> anyhow::Result<i64> {
    for table in tables() {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    let mut after = 0;
    let mut count = 0;
    loop {
        let events = store.read_from(conn, after, BATCH).await?;
        if events.is_empty() {
            return Ok(count);
        }
        for event in &events {
            for projector in store.projectors() {
                projector.apply(conn, event).await?;
            }
            after = event.position;
            count += 1;
        }
    }
}

pub(crate) async fn mark_current(conn: &mut AnyConnection) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO store_settings (name, value) VALUES ('projections_version', $1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(VERSION)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rebuilds every projection from position 0 while writes go on: into shadow tables without a
/// lock, then, under the append lock, the events appended meanwhile and the swap into the live
/// tables (`crate::shadow`); returns the events replayed.
pub async fn replay(store: &EventStore) -> anyhow::Result<i64> {
    let mut shadow = Shadow::create(store).await?;
    shadow.catch_up(store).await?;
    shadow.swap(store).await
}

/// Rebuilds every projection if they were written by reducers older than `VERSION` (an upgraded
/// store); the number of events replayed, or `None` when they are current. Under the append lock,
/// so that nodes starting together rebuild once.
pub async fn rebuild_if_outdated(store: &EventStore) -> anyhow::Result<Option<i64>> {
    let mut tx = store.database().pool.begin().await?;
    lock_appends(&mut tx).await?;
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT value FROM store_settings WHERE name = 'projections_version'")
            .fetch_optional(&mut *tx)
            .await?;
    if stored.is_some_and(|(version,)| version == VERSION) {
        tx.rollback().await?;
        return Ok(None);
    }
    let count = clear_and_replay(store, &mut tx).await?;
    crate::expiry::apply_stored(&mut tx).await?;
    mark_current(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(count))
}

/// The first difference between the live tables and a fresh rebuild, if any. The rebuild runs
/// into shadow tables while writes go on; only its last events and the comparison hold the
/// append lock, in a transaction that is rolled back. The difference is told by table, the row's
/// ids and the names of the columns that differ, never by values that may be personal data (ADR
/// 0016).
///
/// Linear in the rows (ADR 0020): each live table is streamed into a count of row digests, its
/// shadow streamed against those counts, and only the rows that do not match are kept; the live
/// row a difference names is found by streaming its table again.
pub async fn compare_with_rebuild(store: &EventStore) -> anyhow::Result<Option<String>> {
    let mut shadow = Shadow::create(store).await?;
    shadow.catch_up(store).await?;
    shadow
        .compare(store, |tx, names| Box::pin(compare_tables(tx, names)))
        .await
}

async fn compare_tables(tx: &mut AnyConnection, names: Names) -> anyhow::Result<Option<String>> {
    let digests = RowDigests::new();
    for table in tables() {
        let mut unmatched = HashMap::new();
        let live = format!("SELECT * FROM {}", names.live(table));
        let mut rows = sqlx::query(&live).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            *unmatched
                .entry(digests.of(&row_values(&row)))
                .or_insert(0u32) += 1;
        }
        drop(rows);
        let mut produced_only = Vec::new();
        let rebuilt = format!("SELECT * FROM {}", names.shadow(table));
        let mut rows = sqlx::query(&rebuilt).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            let values = row_values(&row);
            let digest = digests.of(&values);
            match unmatched.get_mut(&digest) {
                Some(n) if *n > 1 => *n -= 1,
                Some(_) => {
                    unmatched.remove(&digest);
                }
                None => produced_only.push(values),
            }
        }
        drop(rows);
        if unmatched.is_empty() && produced_only.is_empty() {
            continue;
        }
        let mut live_only = None;
        if !unmatched.is_empty() {
            let mut rows = sqlx::query(&live).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                let values = row_values(&row);
                if unmatched.contains_key(&digests.of(&values)) {
                    live_only = Some(values);
                    break;
                }
            }
        }
        let difference = describe(live_only.as_ref(), &produced_only)
            .ok_or_else(|| anyhow::anyhow!("{table}: a live row changed while verifying"))?;
        return Ok(Some(format!("{table}: {difference}")));
    }
    Ok(None)
}

/// A row as (column, value) pairs in column order.
type Values = Vec<(String, String)>;

/// A 128-bit digest of a row's columns and values, keyed at random for each verification (two
/// SipHash keys), so that a row cannot be crafted to collide with another.
struct RowDigests(RandomState, RandomState);

impl RowDigests {
    fn new() -> Self {
        Self(RandomState::new(), RandomState::new())
    }

    fn of(&self, values: &Values) -> u128 {
        (u128::from(self.0.hash_one(values)) << 64) | u128::from(self.1.hash_one(values))
    }
}

/// Columns that identify a row and hold no personal data: ids (but not an external system's
/// id, which may be an employee number), positions and versions.
fn is_identifying(column: &str) -> bool {
    (column == "id" || column.ends_with("_id") || column == "position" || column == "version")
        && column != "external_id"
}

/// The row's identifying columns with their values, e.g. `tenant_id=default, user_id=u1`.
fn ids_of(row: &Values) -> String {
    let ids: Vec<String> = row
        .iter()
        .filter(|(column, _)| is_identifying(column))
        .map(|(column, value)| format!("{column}={value}"))
        .collect();
    if ids.is_empty() {
        "(no id columns)".to_string()
    } else {
        ids.join(", ")
    }
}

fn same_ids(a: &Values, b: &Values) -> bool {
    let ids = |row: &Values| -> Vec<(String, String)> {
        row.iter()
            .filter(|(column, _)| is_identifying(column))
            .cloned()
            .collect()
    };
    ids(a) == ids(b)
}

/// The first live row that a rebuild does not produce (paired, by its ids, with the rebuilt row
/// that replaces it), or else the first rebuilt row missing from the live table; described by
/// ids and column names only.
fn describe(live_only: Option<&Values>, produced_only: &[Values]) -> Option<String> {
    if let Some(row) = live_only {
        return Some(
            match produced_only.iter().find(|other| same_ids(row, other)) {
                Some(other) => format!(
                    "the live row ({}) differs from a rebuild in column(s) {}",
                    ids_of(row),
                    differing_columns(row, other)
                ),
                None => format!(
                    "the live row ({}) is not produced by a rebuild",
                    ids_of(row)
                ),
            },
        );
    }
    produced_only.first().map(|row| {
        format!(
            "a rebuild produces a row ({}) missing from the live table",
            ids_of(row)
        )
    })
}

fn differing_columns(a: &Values, b: &Values) -> String {
    let names: Vec<&str> = a
        .iter()
        .filter(|(column, value)| {
            b.iter()
                .find(|(other, _)| other == column)
                .is_none_or(|(_, other_value)| other_value != value)
        })
        .map(|(column, _)| column.as_str())
        .collect();
    names.join(", ")
}

/// Every row of every projection table, as sorted text, for comparison.
pub async fn snapshot(
    conn: &mut AnyConnection,
) -> anyhow::Result<BTreeMap<&'static str, Vec<String>>> {
    let mut out = BTreeMap::new();
    for table in tables() {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&mut *conn)
            .await?;
        let mut texts: Vec<String> = rows.iter().map(row_text).collect();
        texts.sort();
        out.insert(table, texts);
    }
    Ok(out)
}

/// A binary column (an uploaded file's bytes) as hex, so that its content is compared too.
fn bytes_text(row: &AnyRow, i: usize) -> Option<String> {
    let bytes = row.try_get::<Option<Vec<u8>>, _>(i).ok().flatten()?;
    let mut text = String::with_capacity(2 * bytes.len() + 2);
    text.push_str("0x");
    for b in bytes {
        use std::fmt::Write;
        let _ = write!(text, "{b:02x}");
    }
    Some(text)
}

fn row_values(row: &AnyRow) -> Values {
    row.columns()
        .iter()
        .map(|column| {
            let i = column.ordinal();
            let value = match row.try_get::<Option<String>, _>(i) {
                Ok(v) => v,
                Err(_) => row
                    .try_get::<Option<i64>, _>(i)
                    .ok()
                    .flatten()
                    .map(|n| n.to_string())
                    .or_else(|| bytes_text(row, i)),
            };
            (
                column.name().to_string(),
                value.unwrap_or_else(|| "NULL".into()),
            )
        })
        .collect()
}

fn row_text(row: &AnyRow) -> String {
    row_values(row)
        .iter()
        .map(|(column, value)| format!("{column}={value}"))
        .collect::<Vec<_>>()
        .join(" | ")
}
