//! `idaas`: serve, migrate, replay, verify (also --offline), events export, tenant create, audit
//! grant, export and checkpoints, export consumers, user erase, retention run.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use domain::application::{ProtocolSettings, SamlServiceProvider};
use idaas_server::cli::{self, Verdict};
use idaas_server::{open_store, Config};
use usecases::applications::NewApplication;

#[derive(Parser)]
#[command(name = "idaas", version, about = "An event-sourced identity platform")]
struct Args {
    /// A TOML configuration file (also IDAAS_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// sqlite://… or postgres://… (also IDAAS_DATABASE_URL); SQLite under ./data by default.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (also IDAAS_LISTEN); default 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply database migrations.
    Migrate,
    /// Rebuild every projection from position 0.
    Replay,
    /// Walk the hash chain, check the signed checkpoints and compare the projections with a
    /// fresh rebuild; with --offline, check an audit export instead, without the database.
    Verify {
        /// An export written by `idaas audit export`.
        #[arg(long, value_name = "EXPORT")]
        offline: Option<PathBuf>,
        /// The trusted checkpoint keys: a JWK Set as GET /.well-known/idaas-checkpoint-keys
        /// serves it (without it, the keys inside the export are trusted).
        #[arg(long, value_name = "KEYS", requires = "offline")]
        keys: Option<PathBuf>,
    },
    /// Write a backup of the store (online: a running server may go on serving) to FILE, or to
    /// stdout with `-`. Restorable into an empty store of either engine with `idaas restore`.
    Backup {
        /// Where to write it; refused if it exists.
        file: PathBuf,
    },
    /// Restore a backup (FILE, or stdin with `-`) into an empty store, check its hash chain,
    /// rebuild the projections and verify them. Needs the master key the backup was made under.
    Restore { file: PathBuf },
    /// Stored events.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// Tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Applications.
    App {
        #[command(subcommand)]
        command: AppCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Who may read the audit API (/audit/v1); the signed checkpoints of the hash chains.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The tenants' retention policies (ops/adr/0026).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// The export consumers: their checkpoints, a replay from a position, their dead letters.
    Export {
        #[command(subcommand)]
        command: idaas_server::export::ExportCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Let an application's credential read the audit API: `events` (personal values masked) or
    /// `personal` (with them); audited as application.audit_reading_changed.
    Grant {
        /// The tenant (default: the default tenant).
        #[arg(long, default_value = "default")]
        tenant: String,
        #[arg(long)]
        application: String,
        #[arg(long, value_parser = ["events", "personal"])]
        reading: String,
    },
    /// Withdraw an application's grant of audit reading (an auditor still reads the events).
    Revoke {
        #[arg(long, default_value = "default")]
        tenant: String,
        #[arg(long)]
        application: String,
    },
    /// Signed checkpoints of the hash chains (ops/adr/0023).
    #[command(flatten)]
    Checkpoints(idaas_server::checkpoints::CheckpointCommand),
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Apply the retention policies now (every tenant's, or one's): erase users deleted more than
    /// the policy's days ago and forget older request metadata; prints what each tenant's run did
    /// (recorded as tenant.retention_applied).
    Run {
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Erase a user (ops/adr/0026): deleted if it was not, its personal data made unreadable for
    /// good (recorded as user.erased).
    Erase {
        user_id: String,
        /// The tenant (default: the default tenant).
        #[arg(long, default_value = "default")]
        tenant: String,
    },
    /// Lift a user's sign-in lockout and clear the failure counts (audited as login.unlocked).
    Unlock {
        /// The tenant (default: the default tenant).
        #[arg(long, default_value = "default")]
        tenant: String,
        #[arg(
            long,
            conflicts_with = "user_name",
            required_unless_present = "user_name"
        )]
        user_id: Option<String>,
        #[arg(long)]
        user_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum AppCommand {
    /// Register an application; prints {"application_id", "client_id", "client_secret"} as JSON.
    Create {
        #[arg(long)]
        name: String,
        /// The tenant (default: the default tenant).
        #[arg(long, default_value = "default")]
        tenant: String,
        /// Grant the built-in API product (management API access).
        #[arg(long)]
        api_product: bool,
        /// Enable application organisations.
        #[arg(long)]
        app_orgs: bool,
        /// Enable application roles.
        #[arg(long)]
        app_roles: bool,
        /// An OAuth 2.0 / OIDC redirect URI (repeatable).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// A CAS service URL (repeatable).
        #[arg(long = "cas-service")]
        cas_services: Vec<String>,
        /// The SAML service provider's entity id (with --saml-acs-url).
        #[arg(long, requires = "saml_acs_url")]
        saml_entity_id: Option<String>,
        /// The SAML service provider's assertion consumer service URL.
        #[arg(long, requires = "saml_entity_id")]
        saml_acs_url: Option<String>,
        /// An extension attribute of the application's account model (repeatable).
        #[arg(long = "account-extension")]
        account_extensions: Vec<String>,
    },
    /// A tenant's applications as JSON (no secrets).
    List {
        #[arg(long, default_value = "default")]
        tenant: String,
    },
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Every event as JSON Lines, in position order (to stdout or --output).
    Export {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant answering on HOST; prints its management credential as JSON.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long = "domain")]
        domains: Vec<String>,
    },
    /// A tenant's host names as JSON.
    Domains {
        #[arg(long)]
        tenant: String,
    },
    /// Claim another host name for a tenant (refused when another tenant holds it).
    AddDomain {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        domain: String,
    },
    /// Give up one of a tenant's host names (a tenant keeps at least one).
    RemoveDomain {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        domain: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(code) => code,
        // `idaas events export | head`: the reader has what it wanted.
        Err(error) if broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether writing to stdout failed because its reader went away.
fn broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().map(|e| e.kind());
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(|e| e.io_error_kind());
        io.or(json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(args.config.as_deref())?;
    // Traces only from a serving process: a command's spans would end with it unflushed.
    let traces = match args.command {
        Command::Serve { .. } => idaas_server::logging::init_serving(config.log_format)?,
        _ => idaas_server::logging::init(config.log_format).map(|()| None)?,
    };
    if let Some(url) = args.database_url {
        config.database_url = Some(url);
    }
    match args.command {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("binding {}", config.listen))?;
            let server = idaas_server::start(config, listener).await?;
            println!("idaas listening on http://{}", server.addr);
            match &server.bootstrap {
                Some(credentials) => {
                    println!("bootstrap management credential for the default tenant (shown once):");
                    println!("  client_id:     {}", credentials.client_id);
                    println!("  client_secret: {}", credentials.client_secret);
                }
                None => println!(
                    "store already initialised: use the management credential printed at first start"
                ),
            }
            if let Some(at) = server.metrics_addr {
                println!("metrics on http://{at}/metrics");
            }
            let stopped = server.wait().await;
            if let Some(traces) = traces {
                traces.shutdown().await;
            }
            stopped?;
        }
        Command::Export { command } => idaas_server::export::run(&config, command).await?,
        Command::Migrate => {
            let db =
                store::connect_with(&config.database_url()?, config.database_settings()?).await?;
            let applied = store::migrate(&db).await?;
            println!(
                "applied {} migration(s): {}",
                applied.len(),
                applied.join(", ")
            );
        }
        Command::Replay => {
            let store = open_store(&config).await?;
            let count = projections::rebuild::replay(&store).await?;
            println!("replayed {count} event(s) into every projection");
        }
        Command::Verify {
            offline: Some(export),
            keys,
        } => match idaas_server::checkpoints::verify_offline(&export, keys.as_deref())? {
            Ok(report) => idaas_server::checkpoints::describe(&report, &mut std::io::stdout())?,
            Err(problem) => {
                eprintln!("offline verify failed: {problem}");
                return Ok(ExitCode::FAILURE);
            }
        },
        Command::Verify { offline: None, .. } => {
            let store = open_store(&config).await?;
            match cli::verify(&store).await? {
                Verdict::Sound { events } => {
                    println!("verified: hash chain intact over {events} event(s); projections match a rebuild")
                }
                Verdict::ChainBroken(what) | Verdict::ProjectionDiffers(what) => {
                    eprintln!("verify failed: {what}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Backup { file } => {
            let summary = cli::backup_to(&config, &file).await?;
            eprintln!(
                "backed up {} event(s) at migration level {}{}",
                summary.events,
                summary.migration_level,
                if file.as_os_str() == "-" {
                    String::new()
                } else {
                    format!(" to {}", file.display())
                }
            );
        }
        Command::Restore { file } => {
            if file.as_os_str() != "-" {
                std::fs::metadata(&file).with_context(|| format!("opening {}", file.display()))?;
            }
            let store = idaas_server::open_store_for_restore(&config).await?;
            let (summary, verdict) = cli::restore_from(&store, &file).await?;
            match verdict {
                Verdict::Sound { events } => println!(
                    "restored {} event(s) from migration level {}; verified: hash chain intact \
                     over {events} event(s), projections rebuilt and matching",
                    summary.events, summary.migration_level
                ),
                Verdict::ChainBroken(what) | Verdict::ProjectionDiffers(what) => {
                    eprintln!("restored, but verify failed: {what}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Events {
            command: EventsCommand::Export { output },
        } => {
            let store = open_store(&config).await?;
            let count = match output {
                Some(path) => {
                    let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
                    cli::export(&store, &mut file).await?
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = std::io::BufWriter::new(stdout.lock());
                    cli::export(&store, &mut lock).await?
                }
            };
            eprintln!("exported {count} event(s)");
        }
        Command::User {
            command:
                UserCommand::Unlock {
                    tenant,
                    user_id,
                    user_name,
                },
        } => {
            let store = open_store(&config).await?;
            let who = match (user_id, user_name) {
                (Some(id), _) => cli::Who::Id(id),
                (None, Some(name)) => cli::Who::Name(name),
                (None, None) => anyhow::bail!("--user-id or --user-name is required"),
            };
            let unlocked = cli::unlock_user(&store, &tenant, who).await?;
            println!(
                "{}",
                serde_json::json!({ "user_id": unlocked.user_id, "unlocked": unlocked.changed })
            );
        }
        Command::User {
            command: UserCommand::Erase { user_id, tenant },
        } => {
            let store = open_store(&config).await?;
            let clock = usecases::clock::SystemClock;
            idaas_server::erasure::erase_user(&store, &tenant, &user_id, &clock).await?;
            println!(
                "{}",
                serde_json::json!({ "user_id": user_id, "erased": true })
            );
        }
        Command::Retention {
            command: RetentionCommand::Run { tenant },
        } => {
            let store = open_store(&config).await?;
            let clock = usecases::clock::SystemClock;
            let applied =
                idaas_server::erasure::run_retention(&store, tenant.as_deref(), &clock).await?;
            for done in applied {
                println!(
                    "{}",
                    serde_json::json!({
                        "tenant_id": done.tenant_id,
                        "users_erased": done.run.users_erased.len(),
                        "request_metadata_removed": done.run.request_metadata_removed,
                    })
                );
            }
        }
        Command::Tenant {
            command: TenantCommand::Create { name, domains },
        } => {
            let store = open_store(&config).await?;
            let reserved = usecases::tenant_hosts::reserved_hosts(&config);
            let credentials = cli::create_tenant(&store, &name, domains, &reserved).await?;
            println!("{}", serde_json::to_string(&credentials)?);
        }
        Command::Tenant {
            command: TenantCommand::Domains { tenant },
        } => {
            let store = open_store(&config).await?;
            let domains = cli::tenant_domains(&store, &tenant).await?;
            println!(
                "{}",
                serde_json::json!({ "tenant_id": tenant, "domains": domains })
            );
        }
        Command::Tenant {
            command: TenantCommand::AddDomain { tenant, domain },
        } => {
            let store = open_store(&config).await?;
            let reserved = usecases::tenant_hosts::reserved_hosts(&config);
            let domains = cli::change_domain(&store, &tenant, &domain, Some(&reserved)).await?;
            println!(
                "{}",
                serde_json::json!({ "tenant_id": tenant, "domains": domains })
            );
        }
        Command::Tenant {
            command: TenantCommand::RemoveDomain { tenant, domain },
        } => {
            let store = open_store(&config).await?;
            let domains = cli::change_domain(&store, &tenant, &domain, None).await?;
            println!(
                "{}",
                serde_json::json!({ "tenant_id": tenant, "domains": domains })
            );
        }
        Command::Audit { command } => {
            let (tenant, application, reading) = match command {
                AuditCommand::Checkpoints(command) => {
                    idaas_server::checkpoints::run(&config, command).await?;
                    return Ok(ExitCode::SUCCESS);
                }
                AuditCommand::Grant {
                    tenant,
                    application,
                    reading,
                } => (
                    tenant,
                    application,
                    domain::authority::AuditReading::parse(&reading),
                ),
                AuditCommand::Revoke {
                    tenant,
                    application,
                } => (tenant, application, None),
            };
            let store = open_store(&config).await?;
            let reads = cli::set_audit_reading(&store, &tenant, &application, reading).await?;
            println!(
                "{}",
                serde_json::json!({
                    "application_id": application,
                    "audit_reading": reads.map(|r| r.as_str()),
                })
            );
        }
        Command::App { command } => {
            let store = open_store(&config).await?;
            match command {
                AppCommand::Create {
                    name,
                    tenant,
                    api_product,
                    app_orgs,
                    app_roles,
                    redirect_uris,
                    cas_services,
                    saml_entity_id,
                    saml_acs_url,
                    account_extensions,
                } => {
                    let saml = saml_entity_id
                        .zip(saml_acs_url)
                        .map(|(entity_id, acs_url)| SamlServiceProvider::new(entity_id, acs_url));
                    let app = NewApplication {
                        name,
                        api_product,
                        app_orgs,
                        app_roles,
                        protocols: ProtocolSettings {
                            redirect_uris,
                            cas_services,
                            saml,
                            ..Default::default()
                        },
                        account_extensions,
                        ..Default::default()
                    };
                    let registered = cli::create_app(&store, &tenant, app).await?;
                    println!(
                        "{}",
                        serde_json::json!({
                            "application_id": registered.application_id,
                            "client_id": registered.client_id,
                            "client_secret": registered.client_secret,
                        })
                    );
                }
                AppCommand::List { tenant } => {
                    let apps = cli::list_apps(&store, &tenant).await?;
                    println!("{}", serde_json::to_string_pretty(&apps)?);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::broken_pipe;
    use std::io::{Error, ErrorKind, Write};

    /// A writer whose reader has gone (`idaas events export | head`).
    struct Gone;

    impl Write for Gone {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(Error::from(ErrorKind::BrokenPipe))
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_reader_that_went_away_is_told_from_a_failure() {
        let io = anyhow::Error::from(Gone.write_all(b"{}").unwrap_err()).context("exporting");
        assert!(broken_pipe(&io));
        let json = serde_json::to_writer(Gone, &serde_json::json!({"a": 1})).unwrap_err();
        assert!(broken_pipe(&anyhow::Error::from(json)));
        let full = anyhow::Error::from(Error::from(ErrorKind::StorageFull));
        assert!(!broken_pipe(&full));
        assert!(!broken_pipe(&anyhow::anyhow!("broken pipe")));
    }
}
