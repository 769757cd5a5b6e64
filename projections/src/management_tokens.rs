//! The management tokens issued to applications (specs/oneaccess.md §2.1 #1), by keyed hash.
//! Only the token's lookup reads this table, never the writer, so the writer gives this
//! projection a batch's tokens together (`batched`, ops/adr/0030) and they are inserted many
//! rows to a statement.

use domain::management_token::{ManagementToken, ManagementTokenEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::AnyConnection;
use store::statements::Statements;
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct ManagementTokensProjection;

pub const TABLES: &[&str] = &["proj_management_tokens"];

const COLUMNS: [&str; 7] = [
    "token_hash",
    "tenant_id",
    "token_id",
    "application_id",
    "scope",
    "issued_at",
    "expires_at",
];

impl Projector for ManagementTokensProjection {
    fn name(&self) -> &'static str {
        "management_tokens"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut out = Statements::on(conn);
            write(&mut out, std::slice::from_ref(event)).await?;
            out.send().await
        })
    }

    fn batched(&self) -> bool {
        true
    }

    fn apply_all<'a, 'c: 'a>(
        &'a self,
        out: &'a mut Statements<'c>,
        events: &'a [RecordedEvent],
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(write(out, events))
    }
}

/// One row of the table, from a `management_token.issued` event.
struct Issued {
    tenant_id: String,
    event: ManagementTokenEvent,
}

async fn write(out: &mut Statements<'_>, events: &[RecordedEvent]) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for event in events {
        if event.stream_type == ManagementToken::STREAM_TYPE {
            let tenant_id = event.tenant_id.clone();
            rows.push(Issued {
                tenant_id,
                event: typed::<ManagementTokenEvent>(event)?,
            });
        }
    }
    store::rows::insert_all(
        out,
        "proj_management_tokens",
        &COLUMNS,
        &rows,
        |insert, row| {
            let ManagementTokenEvent::ManagementTokenIssued {
                token_id,
                application_id,
                token_hash,
                scope,
                issued_at,
                expires_at,
            } = &row.event;
            insert
                .bind(token_hash.clone())
                .bind(row.tenant_id.clone())
                .bind(token_id.clone())
                .bind(application_id.clone())
                .bind(scope.clone())
                .bind(*issued_at)
                .bind(*expires_at)
        },
    )
    .await
}
