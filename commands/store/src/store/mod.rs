//! The event store (DESIGN.md "The event store"): one `events` table on SQLite or PostgreSQL,
//! global gap-free positions, per-stream versions with expected-version appends, a per-tenant
//! hash chain, unique claims and sealed personal data, written by a group-commit writer task
//! together with the inline projections.

mod append;
mod batch;
mod chain;
mod read;
pub mod request_metadata;
mod seal;
mod sync;
mod types;
mod writer;

use std::sync::Arc;

use futures::future::BoxFuture;
use sqlx::AnyConnection;
use tokio::sync::{mpsc, oneshot};

pub use chain::{hash as chain_hash, ChainedFields, GENESIS};
pub(crate) use read::read_raw_on;
pub use read::{ChainBreak, ChainWalk, StoredRow};
pub use seal::{is_sealed, PERSONAL};
pub use types::{AppendError, AppendRequest, Appended, Guard, Metadata, NewEvent, RecordedEvent};

use crate::changes::ChangeFeed;
use crate::crypto::Keys;
use crate::db::Database;
use crate::statements::Statements;
use domain::upcast::Upcaster;
use seal::SubjectKeys;

/// A read model updated in the append transaction. It must depend only on the events it is given
/// (and its own tables), so that replay produces the same rows.
pub trait Projector: Send + Sync {
    fn name(&self) -> &'static str;

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>>;

    /// Whether the writer may hold this projection's events until the end of a batch and give
    /// them to `apply_all` together (ops/adr/0030): only for a projection whose tables nothing
    /// in the writer reads (a decision, another projection), except guards, before which the
    /// writer applies what it holds.
    fn batched(&self) -> bool {
        false
    }

    /// Applies `events` in their order (only for a `batched` projection): its statements go to
    /// `out`, which on SQLite gathers them with the rest of the batch (ops/adr/0035); a read
    /// takes `out.conn()`. By default one by one through `apply`.
    fn apply_all<'a, 'c: 'a>(
        &'a self,
        out: &'a mut Statements<'c>,
        events: &'a [RecordedEvent],
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let conn = out.conn().await?;
            for event in events {
                self.apply(conn, event).await?;
            }
            Ok(())
        })
    }
}

pub(crate) struct Shared {
    pub db: Database,
    pub keys: Keys,
    pub subject_keys: SubjectKeys,
    pub projectors: Vec<Arc<dyn Projector>>,
    pub upcasters: Vec<Box<dyn Upcaster>>,
    /// Told of every batch this process commits (ops/adr/0028).
    pub changes: Arc<ChangeFeed>,
    /// SQLite: the checkpoints run beside the writer (ops/adr/0035).
    pub checkpoints: Option<crate::wal::Checkpoints>,
}

#[derive(Clone)]
pub struct EventStore {
    shared: Arc<Shared>,
    writer: mpsc::Sender<writer::Job>,
}

impl EventStore {
    /// Opens the store over a migrated database and starts its writer task.
    pub fn open(
        db: Database,
        keys: Keys,
        projectors: Vec<Arc<dyn Projector>>,
        upcasters: Vec<Box<dyn Upcaster>>,
    ) -> Self {
        let checkpoints = match db.engine {
            crate::db::Engine::Sqlite => crate::wal::Checkpoints::start(db.pool.clone()),
            crate::db::Engine::Postgres => None,
        };
        let shared = Arc::new(Shared {
            checkpoints,
            db,
            keys,
            subject_keys: SubjectKeys::default(),
            projectors,
            upcasters,
            changes: Arc::default(),
        });
        let (sender, receiver) = mpsc::channel(4 * writer::MAX_BATCH);
        writer::start(shared.clone(), receiver);
        Self {
            shared,
            writer: sender,
        }
    }

    pub fn database(&self) -> &Database {
        &self.shared.db
    }

    pub fn keys(&self) -> &Keys {
        &self.shared.keys
    }

    pub fn projectors(&self) -> &[Arc<dyn Projector>] {
        &self.shared.projectors
    }

    /// What committed events changed, for the caches of hot reads (ops/adr/0028): this
    /// process's commits as they happen, other processes' through a `ChangePoller`.
    pub fn changes(&self) -> &Arc<ChangeFeed> {
        &self.shared.changes
    }

    /// Appends events (with their claims and inline projections) if the stream is still at
    /// `expected_version`. Answers after the batch it joined has committed.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, AppendError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(writer::Job {
                request,
                reply,
                caller: tracing::Span::current(),
            })
            .await
            .map_err(|_| anyhow::anyhow!("the event store writer has stopped"))?;
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the event store writer dropped an append"))?
    }

    /// Forgets a subject's data key: its sealed data can no longer be opened.
    ///
    /// Low level, outside any append: erasure itself (`usecases::erasure`) forgets the key in
    /// the append transaction of its `user.erased` (ops/adr/0026). Other processes keep a cached
    /// key until they restart.
    /// What a retention run would forget of a tenant's request metadata recorded before `cutoff`
    /// (`recorded_at` form): the last such position and the number of rows up to it.
    pub async fn request_metadata_due(
        &self,
        tenant_id: &str,
        cutoff: &str,
    ) -> anyhow::Result<Option<(i64, i64)>> {
        let mut conn = self.shared.db.pool.acquire().await?;
        request_metadata::due(&mut conn, tenant_id, cutoff).await
    }

    pub async fn erase_subject(&self, tenant_id: &str, subject_id: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2")
            .bind(tenant_id)
            .bind(subject_id)
            .execute(&self.shared.db.pool)
            .await?;
        self.shared.subject_keys.forget(tenant_id, subject_id);
        Ok(())
    }
}
