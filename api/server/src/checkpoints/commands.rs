//! `idaas audit export | checkpoint | rotate-key | keys` and `idaas verify --offline`
//! (ops/adr/0023). They connect without migrating, as `idaas backup` does: a newer command line
//! must not migrate a store an older server runs on.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{json, Value};
use store::checkpoints::{self, Checkpoint, ExportSummary, Problem, PublishedKey, Report};
use store::Database;
use usecases::clock::{Clock, SystemClock};
use usecases::config::Config;

/// The signed-checkpoint subcommands of `idaas audit`.
#[derive(Debug, clap::Subcommand)]
pub enum CheckpointCommand {
    /// Write the events with their signed checkpoints and the checkpoint public keys, as JSON
    /// lines (to --output, or stdout), for `idaas verify --offline`.
    Export {
        /// A new file (refused if it exists; readable by its owner only).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Only this tenant's events and checkpoints (default: every tenant).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Sign every tenant's chain head now (those with events after their last checkpoint).
    Checkpoint,
    /// Make a new checkpoint signing key; the previous keys sign no more but stay published.
    RotateKey,
    /// The checkpoint public keys, as GET /.well-known/idaas-checkpoint-keys serves them.
    Keys,
}

/// Runs a checkpoint subcommand.
pub async fn run(config: &Config, command: CheckpointCommand) -> anyhow::Result<()> {
    match command {
        CheckpointCommand::Export { output, tenant } => {
            let summary = export_to(config, output.as_deref(), tenant.as_deref()).await?;
            eprintln!(
                "exported {} event(s) up to position {}, {} checkpoint(s), {} key(s)",
                summary.events, summary.last_position, summary.checkpoints, summary.keys
            );
        }
        CheckpointCommand::Checkpoint => {
            for c in checkpoint_now(config).await? {
                println!(
                    "{}",
                    json!({"tenant_id": c.tenant_id, "position": c.position, "events": c.events})
                );
            }
        }
        CheckpointCommand::RotateKey => {
            let key = rotate_key(config).await?;
            println!("{}", serde_json::to_string(&key)?);
        }
        CheckpointCommand::Keys => {
            let db = connect(config).await?;
            println!("{}", serde_json::to_string_pretty(&key_set(&db).await?)?);
        }
    }
    Ok(())
}

/// The published keys as a JWK Set.
pub async fn key_set(db: &Database) -> anyhow::Result<Value> {
    Ok(json!({ "keys": checkpoints::published(db).await? }))
}

/// Connects to the configured store without migrating it (and without creating an empty SQLite
/// file where none is).
async fn connect(config: &Config) -> anyhow::Result<Database> {
    let default_file = config.data_dir.join("idaas.db");
    if config.database_url.is_none() && !default_file.exists() {
        anyhow::bail!(
            "no store at {}: set IDAAS_DATABASE_URL (or --database-url, or IDAAS_DATA_DIR)",
            default_file.display()
        );
    }
    let db = store::connect_with(&config.database_url()?, config.database_settings()?).await?;
    checkpoints::require_tables(&db).await?;
    Ok(db)
}

/// Writes the audit export of `tenant` (every tenant with `None`) to `output` (stdout with
/// `None`). A file is written under a temporary name and renamed once complete.
pub async fn export_to(
    config: &Config,
    output: Option<&Path>,
    tenant: Option<&str>,
) -> anyhow::Result<ExportSummary> {
    let db = connect(config).await?;
    let now = SystemClock.now_millis();
    let Some(file) = output else {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        return checkpoints::export(&db, tenant, now, &mut out).await;
    };
    if file.exists() {
        anyhow::bail!("{} exists already: choose a new name", file.display());
    }
    let mut partial = file.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let created =
        create_private(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let written = async {
        let mut out = std::io::BufWriter::new(created);
        let summary = checkpoints::export(&db, tenant, now, &mut out).await?;
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

/// A new file only its owner may read: an export holds request metadata (client addresses).
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Signs every tenant's chain head that has events after its last checkpoint.
pub async fn checkpoint_now(config: &Config) -> anyhow::Result<Vec<Checkpoint>> {
    let db = connect(config).await?;
    let keys = config.keys()?;
    store::db::check_master_key(&db, &keys).await?;
    let now = SystemClock.now_millis();
    let signer = checkpoints::signer(&db, &keys, now).await?;
    checkpoints::checkpoint_all(&db, &signer, now).await
}

/// A new checkpoint signing key.
pub async fn rotate_key(config: &Config) -> anyhow::Result<PublishedKey> {
    let db = connect(config).await?;
    let keys = config.keys()?;
    store::db::check_master_key(&db, &keys).await?;
    checkpoints::rotate(&db, &keys, SystemClock.now_millis()).await
}

/// Reads a key list: a JWK Set (`{"keys": […]}`, as the server publishes it) or an array.
pub fn read_keys(file: &Path) -> anyhow::Result<Vec<PublishedKey>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let list = value.get("keys").cloned().unwrap_or(value);
    let keys: Vec<PublishedKey> = serde_json::from_value(list)
        .with_context(|| format!("{} is not a list of Ed25519 JWKs", file.display()))?;
    if let Some(bad) = keys.iter().find(|k| !k.is_well_formed()) {
        anyhow::bail!(
            "{}: the key {} is not an Ed25519 key named by its RFC 7638 thumbprint",
            file.display(),
            bad.kid
        );
    }
    Ok(keys)
}

/// `idaas verify --offline EXPORT [--keys KEYS]`: checks an export without the database.
pub fn verify_offline(
    export: &Path,
    keys: Option<&Path>,
) -> anyhow::Result<Result<Report, Problem>> {
    let trusted = keys.map(read_keys).transpose()?;
    let file =
        std::fs::File::open(export).with_context(|| format!("opening {}", export.display()))?;
    let mut input = std::io::BufReader::new(file);
    checkpoints::verify_export(&mut input, trusted)
}

/// What a sound export holds, for a reader: counts, keys and what is under a signature.
pub fn describe(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let scope = match &report.tenant {
        Some(tenant) => format!("tenant {tenant}"),
        None => "every tenant".to_string(),
    };
    writeln!(
        out,
        "verified offline: {} event(s) of {scope} up to position {}; hash chains intact; {} \
         checkpoint(s) signed by {} key(s), each met by its chain",
        report.events,
        report.last_position,
        report.checkpoints,
        report.keys_used.len()
    )?;
    if report.keys_from_export {
        writeln!(
            out,
            "note: signatures were checked against the keys inside the export; pass --keys with \
             the keys the server publishes (GET /.well-known/idaas-checkpoint-keys) to rule out a \
             replaced key"
        )?;
    }
    for t in &report.tenants {
        let signed = match t.last_checkpoint {
            Some(position) => format!("last checkpoint at position {position}"),
            None => "no checkpoint".to_string(),
        };
        writeln!(
            out,
            "  tenant {}: {} event(s), head at position {}, {} checkpoint(s), {signed}; {} \
             event(s) after it covered by the hash chain only",
            t.tenant_id, t.events, t.head_position, t.checkpoints, t.after_last_checkpoint
        )?;
        if t.erased > 0 {
            writeln!(
                out,
                "  tenant {}: {} subject(s) erased (their personal data is unreadable)",
                t.tenant_id, t.erased
            )?;
        }
    }
    Ok(())
}
