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

/// The facts an event may change: (kind, side, id), the id taken from the stream or the payload.
/// An event type that cannot change a kind (a password change, a new organisation's members) is
/// not looked at for it; an event type not named here is looked at for every kind of its stream.
fn scopes(event: &RecordedEvent) -> Vec<(Kind, Side, String)> {
    let stream = event.stream_id.clone();
    let field = |name: &str| {
        event
            .payload
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let of = |kinds: &[(Kind, Side)], id: &str| -> Vec<(Kind, Side, String)> {
        kinds
            .iter()
            .map(|(k, s)| (*k, *s, id.to_string()))
            .collect()
    };
    let event_type = event.event_type.as_str();
    match event.stream_type.as_str() {
        "user" => match event_type {
            "user.password_changed" => Vec::new(),
            "user.enabled" | "user.disabled" | "user.left" => {
                of(&[(Kind::User, Side::Subject)], &stream)
            }
            "user.created" | "user.updated" => of(
                &[
                    (Kind::User, Side::Subject),
                    (Kind::Membership, Side::Subject),
                ],
                &stream,
            ),
            _ => of(
                &[
                    (Kind::User, Side::Subject),
                    (Kind::Membership, Side::Subject),
                    (Kind::Account, Side::Subject),
                    (Kind::AppGrant, Side::Subject),
                    (Kind::UserRole, Side::Subject),
                ],
                &stream,
            ),
        },
        "organization" => match event_type {
            "organization.created" | "organization.updated" | "organization.status_changed" => {
                of(&[(Kind::OrgParent, Side::Subject)], &stream)
            }
            _ => of(
                &[
                    (Kind::OrgParent, Side::Subject),
                    (Kind::Membership, Side::Object),
                    (Kind::AppGrant, Side::Subject),
                    (Kind::OrgRole, Side::Subject),
                ],
                &stream,
            ),
        },
        "application" => match event_type {
            "application.registered" | "application.enabled" | "application.disabled" => {
                of(&[(Kind::Application, Side::Subject)], &stream)
            }
            "application.deleted" => of(
                &[
                    (Kind::Application, Side::Subject),
                    (Kind::Role, Side::Object),
                    (Kind::Account, Side::Object),
                    (Kind::AppGrant, Side::Object),
                    (Kind::UserRole, Side::Object),
                    (Kind::OrgRole, Side::Object),
                    (Kind::RolePermission, Side::Object),
                ],
                &stream,
            ),
            _ => Vec::new(),
        },
        "app_account" => match event_type {
            "app_account.password_changed" => Vec::new(),
            _ => of(
                &[
                    (Kind::Account, Side::Via),
                    (Kind::RoleMember, Side::Subject),
                ],
                &stream,
            ),
        },
        "app_grants" => field("application_id")
            .map(|app| of(&[(Kind::AppGrant, Side::Object)], &app))
            .unwrap_or_default(),
        "app_authorization" => field("application_id")
            .map(|app| {
                of(
                    &[
                        (Kind::UserRole, Side::Object),
                        (Kind::OrgRole, Side::Object),
                        (Kind::RolePermission, Side::Object),
                    ],
                    &app,
                )
            })
            .unwrap_or_default(),
        "app_role" => of(
            &[
                (Kind::Role, Side::Subject),
                (Kind::RoleMember, Side::Object),
                (Kind::UserRole, Side::Via),
                (Kind::OrgRole, Side::Via),
                (Kind::RolePermission, Side::Subject),
            ],
            &stream,
        ),
        "tenant" => match event_type {
            "tenant.created" | "tenant.organization_policy_changed" => {
                of(&[(Kind::GrantReach, Side::Subject)], &event.tenant_id)
            }
            _ => Vec::new(),
        },
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
