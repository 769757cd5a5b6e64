//! Opening the store and running the server; used by `idaas serve` and by the end-to-end tests.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use store::{ChangePoller, EventStore, Keys, StartupLock};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use usecases::clock::{Clock, SystemClock};
use usecases::config::Config;
use usecases::sms::{LogOnlySmsSender, SmsSender};
use usecases::tenants::{self, Credentials};
use usecases::AppState;

use crate::checkpoints::CheckpointWorker;

/// Connects, migrates and opens the event store with every inline projection, rebuilding the
/// projections once if an older version of the reducers wrote them.
pub async fn open_store(config: &Config) -> anyhow::Result<EventStore> {
    let (store, lock) = open_store_locked(config).await?;
    lock.release().await?;
    Ok(store)
}

/// Like `open_store`, returning the startup lock still held, so that the caller can bootstrap
/// under it before releasing it (several nodes may start together on an empty database).
pub async fn open_store_locked(config: &Config) -> anyhow::Result<(EventStore, StartupLock)> {
    let keys: Keys = config.keys()?;
    let db = store::connect_with(&config.database_url()?, config.database_settings()?).await?;
    let lock = StartupLock::take(&db).await?;
    store::migrate::migrate_locked(&db).await?;
    store::db::check_master_key(&db, &keys).await?;
    let store = EventStore::open(
        db,
        keys,
        projections::inline(),
        domain::upcast::registered(),
    );
    if let Some(events) = projections::rebuild::rebuild_if_outdated(&store).await? {
        tracing::info!(events, "projections rebuilt for the current reducers");
    }
    Ok((store, lock))
}

/// Connects and migrates the store a backup is to be restored into, without recording this
/// master key's fingerprint in it (a restore takes the backup's, after checking it is this key's),
/// and refuses to generate a master key: it must be the key the backup was made under.
pub async fn open_store_for_restore(config: &Config) -> anyhow::Result<EventStore> {
    let key_file = config.data_dir.join("master.key");
    if config.master_key.is_none() && !key_file.exists() {
        anyhow::bail!(
            "no master key: set IDAAS_MASTER_KEY (or master_key, or {}) to the key of the store \
             the backup was taken from",
            key_file.display()
        );
    }
    let keys: Keys = config.keys()?;
    let db = store::connect_with(&config.database_url()?, config.database_settings()?).await?;
    let lock = StartupLock::take(&db).await?;
    let migrated = store::migrate::migrate_locked(&db).await;
    lock.release().await?;
    migrated?;
    Ok(EventStore::open(
        db,
        keys,
        projections::inline(),
        domain::upcast::registered(),
    ))
}

pub struct RunningServer {
    pub addr: SocketAddr,
    /// The separate metrics listener's address (`IDAAS_METRICS_LISTEN`), if there is one.
    pub metrics_addr: Option<SocketAddr>,
    /// Serves the separate metrics listener; ends with the server.
    metrics_task: Option<JoinHandle<()>>,
    /// The management credential created at this start, if the store was empty.
    pub bootstrap: Option<Credentials>,
    pub store: EventStore,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    /// CAS single-logout deliveries and ticket expiry.
    worker: JoinHandle<()>,
    /// Signs each tenant's chain head at the configured interval; finished at a stop.
    checkpoints: Option<CheckpointWorker>,
    /// The export consumers (ops/adr/0024); finished at a stop.
    export: Option<usecases::export::ExportWorkers>,
    /// Applies the tenants' retention policies (ops/adr/0026); finished at a stop.
    retention: Option<usecases::retention::RetentionWorker>,
    /// Purges expired short-lived rows (ops/adr/0027); finished at a stop.
    purge: Option<crate::purge::PurgeWorker>,
    /// Tells the caches what other processes committed (ops/adr/0028); finished at a stop.
    changes: ChangePoller,
}

impl RunningServer {
    /// Stops accepting, finishes in-flight requests, and returns.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.worker.abort();
        if let Some(task) = &self.metrics_task {
            task.abort();
        }
        self.task.await.context("server task")?.context("server")?;
        if let Some(retention) = self.retention {
            retention.finish().await;
        }
        if let Some(purge) = self.purge {
            purge.finish().await;
        }
        if let Some(export) = self.export {
            export.finish().await;
        }
        if let Some(checkpoints) = self.checkpoints {
            checkpoints.finish().await;
        }
        self.changes.finish().await;
        checkpoint(&self.store).await;
        Ok(())
    }

    /// Serves until the process is told to stop (SIGTERM, as systemd sends, or SIGINT/Ctrl-C):
    /// then stops accepting, lets requests in flight finish (at most `DRAIN`), and checkpoints
    /// SQLite's write-ahead log, so that the process exits 0 with one database file.
    pub async fn wait(self) -> anyhow::Result<()> {
        let RunningServer {
            shutdown,
            mut task,
            worker,
            store,
            metrics_task,
            checkpoints,
            export,
            retention,
            purge,
            changes,
            ..
        } = self;
        let _worker = AbortOnDrop(worker);
        let _metrics = metrics_task.map(AbortOnDrop);
        tokio::select! {
            result = &mut task => { result.context("server task")?.context("server")?; }
            signal = stop_signal() => {
                tracing::info!(signal, "stopping: draining requests in flight");
                let _ = shutdown.send(());
                task.await.context("server task")?.context("server")?;
            }
        }
        if let Some(retention) = retention {
            retention.finish().await;
        }
        if let Some(purge) = purge {
            purge.finish().await;
        }
        if let Some(export) = export {
            export.finish().await;
        }
        if let Some(checkpoints) = checkpoints {
            checkpoints.finish().await;
        }
        changes.finish().await;
        checkpoint(&store).await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Opens the store, bootstraps an empty one, and serves on `listener`. SMS codes go to the
/// log-only sender.
pub async fn start(config: Config, listener: TcpListener) -> anyhow::Result<RunningServer> {
    start_with_sms(config, listener, Arc::new(LogOnlySmsSender)).await
}

/// Like `start`, with SMS verification codes sent through `sms`.
pub async fn start_with_sms(
    config: Config,
    listener: TcpListener,
    sms: Arc<dyn SmsSender>,
) -> anyhow::Result<RunningServer> {
    let wiring = Wiring {
        sms,
        ..Wiring::default()
    };
    start_wired(config, listener, wiring).await
}

/// What a server is given from outside besides its configuration: where SMS codes go and what
/// time it is (tests pass a `MovableClock` and move time instead of sleeping).
pub struct Wiring {
    pub sms: Arc<dyn SmsSender>,
    pub clock: Arc<dyn Clock>,
}

impl Default for Wiring {
    fn default() -> Self {
        Self {
            sms: Arc::new(LogOnlySmsSender),
            clock: Arc::new(SystemClock),
        }
    }
}

/// Like `start`, with the given SMS sender and clock.
pub async fn start_wired(
    config: Config,
    listener: TcpListener,
    wiring: Wiring,
) -> anyhow::Result<RunningServer> {
    crate::memory::no_huge_pages();
    let config = with_public_url(config, listener.local_addr()?);
    let (store, lock) = open_store_locked(&config).await?;
    let state = AppState::new(store.clone(), config.clone())
        .with_sms(wiring.sms)
        .with_clock(wiring.clock);
    let fixed = config.bootstrap_credentials();
    let bootstrap = tenants::bootstrap(&state.bus, fixed, state.now())
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap failed: {e}"))?;
    lock.release().await?;
    let addr = listener.local_addr()?;
    let changes = ChangePoller::spawn(&store, config.cache.coherence());
    let worker = usecases::cas_outbox::spawn(state.clone());
    let export =
        usecases::export::ExportWorkers::spawn(&store, &config.export, state.clock.clone()).await?;
    let checkpoints = CheckpointWorker::spawn(
        store.clone(),
        config.checkpoints.clone(),
        state.clock.clone(),
    );
    let retention = usecases::retention::RetentionWorker::spawn(
        state.bus.clone(),
        &config.retention,
        state.clock.clone(),
    );
    let purge =
        crate::purge::PurgeWorker::spawn(store.clone(), &config.retention, state.clock.clone());
    let limits = config.limits.clone();
    crate::metrics::handle();
    let metrics = crate::metrics::MetricsSettings::from_config(&config.metrics)?;
    let metrics_listener = match metrics.listen {
        Some(at) => Some(TcpListener::bind(at).await.with_context(|| {
            format!("binding the metrics listener {at} (IDAAS_METRICS_LISTEN)")
        })?),
        None => None,
    };
    let metrics_addr = metrics_listener
        .as_ref()
        .map(|l| l.local_addr())
        .transpose()?;
    let metrics_task = metrics_listener.map(|listener| {
        let limits = limits.clone();
        tokio::spawn(async move {
            let router = crate::metrics::separate_router();
            let forever = std::future::pending::<()>();
            if let Err(e) = crate::listen::serve(listener, router, &limits, forever, DRAIN).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        })
    });
    let on_main = metrics.listen.is_none().then_some(metrics.allow);
    let app = crate::app::router(state, on_main);
    store.database().close_idle().await;
    crate::memory::give_back_freed();
    let (shutdown, signal) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let signal = async {
            let _ = signal.await;
        };
        crate::listen::serve(listener, app, &limits, signal, DRAIN).await
    });
    Ok(RunningServer {
        addr,
        metrics_addr,
        metrics_task,
        bootstrap,
        store,
        shutdown,
        task,
        worker,
        checkpoints,
        export,
        retention,
        purge,
        changes,
    })
}

/// The configuration with its public URL: the configured one, or the listening address. Listening
/// on every interface without one, issued URLs follow the request's host name (development only).
fn with_public_url(mut config: Config, addr: SocketAddr) -> Config {
    if config.public_url.is_none() {
        if addr.ip().is_unspecified() {
            tracing::warn!(
                "IDAAS_PUBLIC_URL is not set and the server listens on every interface: issued \
                 URLs follow the request's Host header; set IDAAS_PUBLIC_URL in production"
            );
        } else {
            let scheme = if config.public_https { "https" } else { "http" };
            config.public_url = Some(format!("{scheme}://{addr}"));
        }
    }
    config
}

/// The first of SIGTERM and SIGINT, by name.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}

/// Checkpoints the store after a stop (a failure is logged: the log still holds the data).
async fn checkpoint(store: &EventStore) {
    if let Err(e) = store.database().checkpoint().await {
        tracing::warn!(error = %format!("{e:#}"), "checkpointing the database after the stop");
    }
}

/// How long requests in flight may take to finish once the server is told to stop.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Stops a background task when dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
