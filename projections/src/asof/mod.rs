//! As-of answers (DESIGN.md "Audit and compliance", ops/adr/0025): the temporal history of the
//! facts that decide access, one row per fact and validity, with the event, time and actor that
//! opened and closed it. After every event that can change such a fact, the facts in the event's
//! scope as the other projections now hold them are compared with the open rows: rows no longer
//! true are closed at this event, new facts opened. The reducers of the live tables thus decide
//! what is true; this projection only remembers since when.

pub mod facts;
pub mod read;

use std::collections::BTreeSet;

use futures::future::BoxFuture;
use sqlx::AnyConnection;
use store::{Projector, RecordedEvent};

use facts::{Fact, Kind, Side};

pub struct AsOfProjection;

pub const TABLES: &[&str] = &["proj_asof"];

/// The facts an event of `stream_type` may change: (kind, side, id), the id taken from the
/// stream or the payload.
fn scopes(event: &RecordedEvent) -> Vec<(Kind, Side, String)> {
    let stream = event.stream_id.clone();
    let field = |name: &str| {
        event
            .payload
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match event.stream_type.as_str() {
        "user" => vec![
            (Kind::User, Side::Subject, stream.clone()),
            (Kind::Membership, Side::Subject, stream.clone()),
            (Kind::Account, Side::Subject, stream.clone()),
            (Kind::AppGrant, Side::Subject, stream.clone()),
            (Kind::UserRole, Side::Subject, stream),
        ],
        "organization" => vec![
            (Kind::OrgParent, Side::Subject, stream.clone()),
            (Kind::Membership, Side::Object, stream.clone()),
            (Kind::AppGrant, Side::Subject, stream.clone()),
            (Kind::OrgRole, Side::Subject, stream),
        ],
        "application" => {
            let mut scopes = vec![(Kind::Application, Side::Subject, stream.clone())];
            if event.event_type == "application.deleted" {
                for kind in [
                    Kind::Role,
                    Kind::Account,
                    Kind::AppGrant,
                    Kind::UserRole,
                    Kind::OrgRole,
                    Kind::RolePermission,
                ] {
                    scopes.push((kind, Side::Object, stream.clone()));
                }
            }
            scopes
        }
        "app_account" => vec![
            (Kind::Account, Side::Via, stream.clone()),
            (Kind::RoleMember, Side::Subject, stream),
        ],
        "app_grants" => field("application_id")
            .map(|app| vec![(Kind::AppGrant, Side::Object, app)])
            .unwrap_or_default(),
        "app_authorization" => field("application_id")
            .map(|app| {
                vec![
                    (Kind::UserRole, Side::Object, app.clone()),
                    (Kind::OrgRole, Side::Object, app.clone()),
                    (Kind::RolePermission, Side::Object, app),
                ]
            })
            .unwrap_or_default(),
        "app_role" => vec![
            (Kind::Role, Side::Subject, stream.clone()),
            (Kind::RoleMember, Side::Object, stream.clone()),
            (Kind::UserRole, Side::Via, stream.clone()),
            (Kind::OrgRole, Side::Via, stream.clone()),
            (Kind::RolePermission, Side::Subject, stream),
        ],
        "tenant" => vec![(Kind::GrantReach, Side::Subject, event.tenant_id.clone())],
        _ => Vec::new(),
    }
}

impl Projector for AsOfProjection {
    fn name(&self) -> &'static str {
        "asof"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for (kind, side, id) in scopes(event) {
                let live: BTreeSet<Fact> = facts::live(conn, &event.tenant_id, kind, side, &id)
                    .await?
                    .into_iter()
                    .collect();
                let open: BTreeSet<Fact> = read::open(conn, &event.tenant_id, kind, side, &id)
                    .await?
                    .into_iter()
                    .collect();
                for gone in open.difference(&live) {
                    close(conn, event, kind, gone).await?;
                }
                for new in live.difference(&open) {
                    insert(conn, event, kind, new).await?;
                }
            }
            Ok(())
        })
    }
}

async fn insert(
    conn: &mut AnyConnection,
    event: &RecordedEvent,
    kind: Kind,
    fact: &Fact,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO proj_asof (tenant_id, kind, subject_id, object_id, via_id, state, until_ms, \
         from_position, from_at, from_event, from_actor_kind, from_actor_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&event.tenant_id)
    .bind(kind.name())
    .bind(&fact.subject_id)
    .bind(&fact.object_id)
    .bind(&fact.via_id)
    .bind(&fact.state)
    .bind(fact.until_ms)
    .bind(event.position)
    .bind(&event.recorded_at)
    .bind(&event.event_type)
    .bind(event.metadata.actor_kind.clone())
    .bind(event.metadata.actor_id.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn close(
    conn: &mut AnyConnection,
    event: &RecordedEvent,
    kind: Kind,
    fact: &Fact,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE proj_asof SET to_position = $1, to_at = $2, to_event = $3, to_actor_kind = $4, \
         to_actor_id = $5 WHERE tenant_id = $6 AND kind = $7 AND subject_id = $8 \
         AND object_id = $9 AND via_id = $10 AND state = $11 AND to_position IS NULL",
    )
    .bind(event.position)
    .bind(&event.recorded_at)
    .bind(&event.event_type)
    .bind(event.metadata.actor_kind.clone())
    .bind(event.metadata.actor_id.clone())
    .bind(&event.tenant_id)
    .bind(kind.name())
    .bind(&fact.subject_id)
    .bind(&fact.object_id)
    .bind(&fact.via_id)
    .bind(&fact.state)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
