//! `idaas export status | replay | dead-letters` (ops/adr/0024, docs/operations.md "Export"):
//! the export consumers' checkpoints, setting one back to a position, and the events they gave
//! up on. They connect without migrating and work while servers run: a worker notices a replay
//! at its next move (the checkpoint's epoch changed) and delivers again from there.

use serde_json::json;
use store::{export, Database};
use usecases::clock::{Clock, SystemClock};
use usecases::config::Config;

/// The export subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Each consumer's checkpoint, how far behind the log it is, and its dead letters' count.
    Status,
    /// Deliver again from a position: the consumer's next delivery is its first wanted event at
    /// or after POSITION; its dead letters from there on are attempted again.
    Replay {
        #[arg(long)]
        consumer: String,
        /// A global position (`idaasposition` in the CloudEvents, `position` in the dead letters).
        #[arg(long)]
        from: i64,
    },
    /// The events a consumer gave up on, in position order (every consumer's without --consumer).
    DeadLetters {
        #[arg(long)]
        consumer: Option<String>,
    },
}

/// Runs an export subcommand, printing one JSON object per line.
pub async fn run(config: &Config, command: ExportCommand) -> anyhow::Result<()> {
    let db = store::connect_with(&config.database_url()?, config.database_settings()?).await?;
    match command {
        ExportCommand::Status => {
            for line in status(&db, config).await? {
                println!("{line}");
            }
        }
        ExportCommand::Replay { consumer, from } => {
            let was_at = replay(&db, &consumer, from).await?;
            println!(
                "{}",
                json!({"consumer": consumer, "from": from, "was_at": was_at})
            );
        }
        ExportCommand::DeadLetters { consumer } => {
            for letter in export::dead_letters(&db, consumer.as_deref()).await? {
                println!("{}", serde_json::to_string(&letter)?);
            }
        }
    }
    Ok(())
}

/// Sets consumer `name` back so that it delivers again from position `from`; where it was.
pub async fn replay(db: &Database, name: &str, from: i64) -> anyhow::Result<i64> {
    let now = usecases::cas::iso_millis(SystemClock.now_millis());
    export::replay(db, name, from, &now).await
}

/// One line per consumer with a checkpoint, and one per configured consumer that has not run yet.
pub async fn status(db: &Database, config: &Config) -> anyhow::Result<Vec<serde_json::Value>> {
    let last = export::last_position(db).await?;
    let letters = export::dead_letters(db, None).await?;
    let checkpoints = export::checkpoints(db).await?;
    let mut lines: Vec<serde_json::Value> = checkpoints
        .iter()
        .map(|c| {
            let dead = letters.iter().filter(|l| l.consumer == c.name).count();
            json!({
                "consumer": c.name,
                "kind": c.kind,
                "position": c.position,
                "behind": last - c.position,
                "delivered": c.delivered,
                "dead_letters": dead,
                "configured": config.export.consumers.iter().any(|s| s.name == c.name),
                "updated_at": c.updated_at,
            })
        })
        .collect();
    for consumer in &config.export.consumers {
        if !checkpoints.iter().any(|c| c.name == consumer.name) {
            lines.push(json!({
                "consumer": consumer.name,
                "kind": consumer.kind.as_str(),
                "position": null,
                "configured": true,
            }));
        }
    }
    Ok(lines)
}
