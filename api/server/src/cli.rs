//! The `idaas` subcommands other than `serve`: migrate, replay, verify, events export, backup,
//! restore, tenant create, audit grant and revoke.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use store::backup::Summary;
use usecases::clock::{Clock, SystemClock};
use usecases::config::Config;

use store::{CommandBus, EventStore};

use usecases::applications::{self, NewApplication, Registered};
use usecases::tenants::{self, Credentials};

/// What `idaas verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Sound { events: i64 },
    ChainBroken(String),
    ProjectionDiffers(String),
}

pub async fn verify(store: &EventStore) -> anyhow::Result<Verdict> {
    let events = match store.verify_chain().await? {
        Ok(events) => events,
        Err(b) => {
            return Ok(Verdict::ChainBroken(format!(
                "hash chain broken at position {} (tenant {}, {} {} version {}): {}",
                b.position, b.tenant_id, b.stream_type, b.stream_id, b.version, b.reason
            )))
        }
    };
    // The signed checkpoints (ops/adr/0023): each signed by a stored key and met by its chain.
    if let Err(problem) = store::checkpoints::verify_stored(store.database(), 0).await? {
        return Ok(Verdict::ChainBroken(format!(
            "signed checkpoints: {problem}"
        )));
    }
    if let Some(difference) = projections::rebuild::compare_with_rebuild(store).await? {
        return Ok(Verdict::ProjectionDiffers(difference));
    }
    Ok(Verdict::Sound { events })
}

/// Writes every stored event as one JSON object per line, in position order.
pub async fn export(store: &EventStore, out: &mut dyn Write) -> anyhow::Result<i64> {
    let mut after = 0;
    let mut count = 0;
    loop {
        let rows = store.read_raw(after, 1000).await?;
        if rows.is_empty() {
            out.flush()?;
            return Ok(count);
        }
        for row in rows {
            after = row.position;
            serde_json::to_writer(&mut *out, &row)?;
            out.write_all(b"\n")?;
            count += 1;
        }
    }
}

/// `idaas backup`: connects without migrating (a newer release's command line must not migrate
/// a store an older server is running on) and writes the backup to `file` (`-`: stdout). A file
/// is written under a temporary name and renamed once complete, so a failed backup leaves none.
pub async fn backup_to(config: &Config, file: &Path) -> anyhow::Result<Summary> {
    // Connecting would create an empty SQLite file where the store was expected.
    let default_file = config.data_dir.join("idaas.db");
    if config.database_url.is_none() && !default_file.exists() {
        anyhow::bail!(
            "no store at {}: set IDAAS_DATABASE_URL (or --database-url, or IDAAS_DATA_DIR) to the \
             store to back up",
            default_file.display()
        );
    }
    let db = store::connect_with(&config.database_url()?, config.database_settings()?).await?;
    if file.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        return store::backup::backup(&db, &mut out).await;
    }
    if file.exists() {
        anyhow::bail!("{} exists already: choose a new name", file.display());
    }
    let mut partial = file.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let created = create_private(&partial).with_context(|| {
        format!(
            "creating {} (if it is left from an interrupted backup, remove it)",
            partial.display()
        )
    })?;
    let written = async {
        let mut out = std::io::BufWriter::new(created);
        let summary = store::backup::backup(&db, &mut out).await?;
        out.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, file)
            .with_context(|| format!("renaming {} to {}", partial.display(), file.display()))?;
        anyhow::Ok(summary)
    }
    .await;
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// A new file only its owner may read (a backup holds sealed personal data and wrapped keys);
/// refused if it exists.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// `idaas restore`: restores the backup in `file` (`-`: stdin) into the empty `store` (opened by
/// `open_store_for_restore`), rebuilds every projection from the restored events, and verifies
/// the result.
pub async fn restore_from(store: &EventStore, file: &Path) -> anyhow::Result<(Summary, Verdict)> {
    let summary = if file.as_os_str() == "-" {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        store::backup::restore(store, &mut input).await?
    } else {
        let opened =
            std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
        let mut input = std::io::BufReader::new(opened);
        store::backup::restore(store, &mut input).await?
    };
    projections::rebuild::replay(store)
        .await
        .context("rebuilding the projections from the restored events (run `idaas replay`)")?;
    Ok((summary, verify(store).await?))
}

pub async fn create_tenant(
    store: &EventStore,
    name: &str,
    domains: Vec<String>,
    reserved: &[String],
) -> anyhow::Result<Credentials> {
    let bus = CommandBus::new(store.clone());
    // The CLI runs without an application state: the system clock.
    let now = SystemClock.now_millis();
    tenants::create_with_management_app(&bus, name, domains, reserved, (None, None), "cli", now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// `idaas app create`: registers an application in a tenant and returns its credential.
pub async fn create_app(
    store: &EventStore,
    tenant_id: &str,
    app: NewApplication,
) -> anyhow::Result<Registered> {
    if projections::tenants::get(&store.database().pool, tenant_id)
        .await?
        .is_none()
    {
        anyhow::bail!("tenant {tenant_id} does not exist");
    }
    let bus = CommandBus::new(store.clone());
    let ctx = usecases::Context {
        tenant_id: tenant_id.to_string(),
        metadata: usecases::Metadata {
            actor_kind: Some("admin".into()),
            actor_id: Some("cli".into()),
            surface: Some("cli".into()),
            ..Default::default()
        },
    };
    applications::register(&bus, &ctx, app, Vec::new(), SystemClock.now_millis())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// `idaas tenant domains`: a tenant's host names.
pub async fn tenant_domains(store: &EventStore, tenant_id: &str) -> anyhow::Result<Vec<String>> {
    let bus = CommandBus::new(store.clone());
    usecases::tenant_hosts::domains(&bus, tenant_id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("tenant {tenant_id} does not exist"))
}

/// `idaas tenant add-domain` (with the reserved host names) or `remove-domain` (without): the
/// tenant's host names afterwards. Recorded with the CLI as actor.
pub async fn change_domain(
    store: &EventStore,
    tenant_id: &str,
    domain: &str,
    add_with_reserved: Option<&[String]>,
) -> anyhow::Result<Vec<String>> {
    let bus = CommandBus::new(store.clone());
    let ctx = usecases::Context {
        tenant_id: tenant_id.to_string(),
        metadata: usecases::Metadata {
            actor_kind: Some("admin".into()),
            actor_id: Some("cli".into()),
            surface: Some("cli".into()),
            ..Default::default()
        },
    };
    let changed = match add_with_reserved {
        Some(reserved) => usecases::tenant_hosts::add_domain(&bus, &ctx, domain, reserved).await,
        None => usecases::tenant_hosts::remove_domain(&bus, &ctx, domain).await,
    };
    changed.map_err(|e| anyhow::anyhow!("{e}"))?;
    tenant_domains(store, tenant_id).await
}

/// A user named by id or by username.
pub enum Who {
    Id(String),
    Name(String),
}

/// `idaas user unlock`: lifts a user's sign-in lockout, recorded with the CLI as its actor.
pub async fn unlock_user(
    store: &EventStore,
    tenant_id: &str,
    who: Who,
) -> anyhow::Result<usecases::signin::Unlocked> {
    let bus = CommandBus::new(store.clone());
    let user_id = match who {
        Who::Id(id) => id,
        Who::Name(name) => usecases::signin::user_id_of(&bus, tenant_id, &name)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no user {name:?} in tenant {tenant_id}"))?,
    };
    let ctx = usecases::Context {
        tenant_id: tenant_id.to_string(),
        metadata: usecases::Metadata {
            actor_kind: Some("admin".into()),
            actor_id: Some("cli".into()),
            surface: Some("cli".into()),
            ..Default::default()
        },
    };
    usecases::signin::unlock(&bus, &ctx, &user_id, SystemClock.now_millis())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("no user {user_id} in tenant {tenant_id}"))
}

/// `idaas app list`: a tenant's applications as JSON values, without any secret.
pub async fn list_apps(
    store: &EventStore,
    tenant_id: &str,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let apps = projections::applications::list(&store.database().pool, tenant_id).await?;
    Ok(apps
        .into_iter()
        .map(|a| {
            serde_json::json!({
                "application_id": a.application_id,
                "name": a.name,
                "client_id": a.client_id,
                "enabled": a.enabled,
                "api_product": a.api_product,
                "app_orgs": a.app_orgs,
                "app_roles": a.app_roles,
                "protocols": a.protocols,
                "account_extensions": a.account_extensions,
            })
        })
        .collect())
}

/// `idaas audit grant` / `idaas audit revoke` (ops/adr/0022): what an application's credential may
/// read of the audit API — `events` (personal values masked), `personal`, or nothing (`None`).
/// Recorded as `application.audit_reading_changed` with the CLI as actor. Answers what the
/// credential reads afterwards (an auditor reads the events even without a grant).
pub async fn set_audit_reading(
    store: &EventStore,
    tenant_id: &str,
    application_id: &str,
    reading: Option<domain::authority::AuditReading>,
) -> anyhow::Result<Option<domain::authority::AuditReading>> {
    let bus = CommandBus::new(store.clone());
    let ctx = usecases::Context {
        tenant_id: tenant_id.to_string(),
        metadata: usecases::Metadata {
            actor_kind: Some("admin".into()),
            actor_id: Some("cli".into()),
            surface: Some("cli".into()),
            ..Default::default()
        },
    };
    let now = SystemClock.now_millis();
    usecases::audit::grant(&bus, &ctx, None, application_id, reading, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .map_err(|refused| anyhow::anyhow!("{refused}"))?;
    let app = projections::applications::get(&store.database().pool, tenant_id, application_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("application {application_id} does not exist"))?;
    Ok(app.reads_audit())
}
