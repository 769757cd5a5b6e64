//! Rebuilding the projections while writes go on (ops/adr/0020, issue 18 item 3): the reducers
//! run on a connection of their own against temporary tables of the same names (a session's
//! temporary tables come first in name resolution on both engines), so that the long replay from
//! position 0 takes no lock. Only the last step — the events appended meanwhile, then the swap of
//! the rebuilt rows into the live tables (or their comparison, for verify) — runs under the append
//! lock.

use sqlx::{AnyConnection, ConnectOptions, Connection, Executor};
use store::{Engine, EventStore};

use crate::rebuild::{lock_appends, mark_current, tables, BATCH};

/// The projection tables rebuilt beside the live ones, on one connection of their own.
pub struct Shadow {
    conn: AnyConnection,
    engine: Engine,
    /// The schema of the live tables (`main` on SQLite).
    live: String,
    /// The last position applied to the shadow tables.
    pub after: i64,
    /// Events applied so far.
    pub count: i64,
}

impl Shadow {
    /// A new connection (no statement prepared before the shadow tables existed) with an empty
    /// temporary copy of every projection table: same columns, keys and indexes.
    pub async fn create(store: &EventStore) -> anyhow::Result<Self> {
        let db = store.database();
        let mut conn = db.pool.connect_options().connect().await?;
        let live = match db.engine {
            Engine::Sqlite => {
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                "main".to_string()
            }
            Engine::Postgres => {
                let (schema,): (String,) = sqlx::query_as("SELECT CAST(current_schema() AS TEXT)")
                    .fetch_one(&mut conn)
                    .await?;
                schema
            }
        };
        for table in tables() {
            create_like(&mut conn, db.engine, &live, table).await?;
        }
        Ok(Self {
            conn,
            engine: db.engine,
            live,
            after: 0,
            count: 0,
        })
    }

    /// Applies committed events to the shadow tables, a batch per transaction, without any lock,
    /// until a batch comes back short: the rest is left to `finish`.
    pub async fn catch_up(&mut self, store: &EventStore) -> anyhow::Result<()> {
        loop {
            let mut tx = self.conn.begin().await?;
            let applied = apply_batch(store, &mut tx, &mut self.after).await?;
            tx.commit().await?;
            self.count += applied;
            if applied < BATCH {
                return Ok(());
            }
        }
    }

    /// Under the append lock, in `tx` on the shadow connection: the events appended since
    /// `catch_up`, so that the shadow tables stand where the live ones do.
    async fn last_events(
        store: &EventStore,
        tx: &mut AnyConnection,
        after: &mut i64,
    ) -> anyhow::Result<i64> {
        lock_appends(tx).await?;
        let mut count = 0;
        loop {
            let applied = apply_batch(store, tx, after).await?;
            count += applied;
            if applied < BATCH {
                return Ok(count);
            }
        }
    }

    /// Catches up under the append lock and replaces the live rows with the rebuilt ones in the
    /// same transaction; returns the events replayed in all.
    pub async fn swap(mut self, store: &EventStore) -> anyhow::Result<i64> {
        let mut tx = self.conn.begin().await?;
        let mut after = self.after;
        let last = Self::last_events(store, &mut tx, &mut after).await?;
        // The rows the live tables lost to the last purge (ops/adr/0027), on the shadow tables.
        crate::expiry::apply_stored(&mut tx).await?;
        for table in tables() {
            let live = qualified(&self.live, table);
            sqlx::query(&format!("DELETE FROM {live}"))
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!(
                "INSERT INTO {live} SELECT * FROM {}",
                qualified(temp_schema(self.engine), table)
            ))
            .execute(&mut *tx)
            .await?;
        }
        mark_current(&mut tx).await?;
        tx.commit().await?;
        let total = self.count + last;
        self.conn.close().await?;
        Ok(total)
    }

    /// Catches up under the append lock and hands `compare` the transaction (the shadow tables
    /// current, the live ones still), then rolls it back.
    pub async fn compare<T>(
        mut self,
        store: &EventStore,
        compare: impl for<'c> FnOnce(
            &'c mut AnyConnection,
            Names,
        ) -> futures::future::BoxFuture<'c, anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        let names = Names {
            live: self.live.clone(),
            shadow: temp_schema(self.engine).to_string(),
        };
        let mut tx = self.conn.begin().await?;
        let mut after = self.after;
        Self::last_events(store, &mut tx, &mut after).await?;
        crate::expiry::apply_stored(&mut tx).await?;
        let answer = compare(&mut tx, names).await;
        tx.rollback().await?;
        self.conn.close().await?;
        answer
    }
}

/// The schemas of the live and of the shadow tables, for qualified names.
#[derive(Debug, Clone)]
pub struct Names {
    pub live: String,
    pub shadow: String,
}

impl Names {
    pub fn live(&self, table: &str) -> String {
        qualified(&self.live, table)
    }

    pub fn shadow(&self, table: &str) -> String {
        qualified(&self.shadow, table)
    }
}

fn qualified(schema: &str, table: &str) -> String {
    format!("{schema}.{table}")
}

fn temp_schema(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "temp",
        Engine::Postgres => "pg_temp",
    }
}

/// Reads the next batch after `after` and applies it to every projection on `conn`.
async fn apply_batch(
    store: &EventStore,
    conn: &mut AnyConnection,
    after: &mut i64,
) -> anyhow::Result<i64> {
    let events = store.read_from(conn, *after, BATCH).await?;
    for event in &events {
        for projector in store.projectors() {
            projector.apply(conn, event).await?;
        }
        *after = event.position;
    }
    Ok(events.len() as i64)
}

/// A temporary table like the live `table`, with its keys and indexes.
async fn create_like(
    conn: &mut AnyConnection,
    engine: Engine,
    live: &str,
    table: &str,
) -> anyhow::Result<()> {
    match engine {
        Engine::Postgres => {
            sqlx::query(&format!(
                "CREATE TEMP TABLE {table} (LIKE {live}.{table} INCLUDING ALL)"
            ))
            .execute(&mut *conn)
            .await?;
        }
        Engine::Sqlite => {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT type, sql FROM main.sqlite_master WHERE tbl_name = $1 \
                 AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?;
            for (kind, sql) in rows {
                let sql = if kind == "table" {
                    sql.replacen("CREATE TABLE ", "CREATE TEMP TABLE ", 1)
                } else if let Some(rest) = sql.strip_prefix("CREATE UNIQUE INDEX ") {
                    format!("CREATE UNIQUE INDEX temp.{rest}")
                } else if let Some(rest) = sql.strip_prefix("CREATE INDEX ") {
                    format!("CREATE INDEX temp.{rest}")
                } else {
                    anyhow::bail!("{table}: an index of unknown shape: {sql}");
                };
                sqlx::query(&sql).execute(&mut *conn).await?;
            }
        }
    }
    Ok(())
}
