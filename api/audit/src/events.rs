//! `GET /audit/v1/events`: the tenant's events matching every filter given (actor, subject,
//! stream, event type, surface, time range, correlation id), oldest first, a page at a time by an
//! opaque cursor on the global position, as JSON or CSV (ops/adr/0022).

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use projections::audit_search::EventFilter;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use usecases::audit::search::{self, EventRecord};
use utoipa::{IntoParams, ToSchema};

use crate::caller::AuditCaller;
use crate::csv;
use crate::error::{AuditError, ErrorBody};
use crate::query::{self, Format};
use usecases::AppState;

/// The filters and paging of an event search; every filter given must match.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The actor's id: an application, a user, `cli`, `system`.
    actor: Option<String>,
    /// The actor's kind: `application`, `user`, `admin`, `system`.
    actor_kind: Option<String>,
    /// An entity the event names: its stream's id or an id in its payload (a user, an
    /// organisation, an application…).
    subject: Option<String>,
    /// The aggregate type of the event's stream (`user`, `organization`, `application`…).
    stream_type: Option<String>,
    /// The id of the event's stream.
    stream_id: Option<String>,
    /// An event type (`user.updated`), or a prefix of one ending in `*` (`user.*`).
    event_type: Option<String>,
    /// The surface the command came through (`oneaccess`, `admin`, `inspur`, `hainan`, `cli`…).
    surface: Option<String>,
    /// Recorded at or after this RFC 3339 instant.
    from: Option<String>,
    /// Recorded before this RFC 3339 instant.
    to: Option<String>,
    /// The correlation id (the `X-Request-Id` of the request that made the event).
    correlation_id: Option<String>,
    /// Where to continue: the `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Events per page, 1 to 1000 (100 when absent).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `json` or `csv`; without it, `Accept: text/csv` asks for CSV.
    format: Option<String>,
}

/// A page of events, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventsAnswer {
    events: Vec<EventView>,
    /// The cursor of the next page; null on the last one.
    next_cursor: Option<String>,
}

/// One event: where it is, who made it through what, and its payload as the reader may see
/// it — secrets as `[secret]`, personal values as `[masked]` unless the credential is granted
/// them, an erased subject's data as `[erased]`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// The global position (gap-free, in commit order).
    position: i64,
    /// When it was recorded (RFC 3339, UTC).
    recorded_at: String,
    stream_type: String,
    stream_id: String,
    /// The event's place in its stream, from 1.
    version: i64,
    event_type: String,
    schema_version: u32,
    actor_kind: Option<String>,
    actor_id: Option<String>,
    surface: Option<String>,
    request_id: Option<String>,
    correlation_id: Option<String>,
    causation_id: Option<String>,
    /// Personal: masked unless granted; null once its subject is erased or the tenant's
    /// retention period has passed (ops/adr/0026).
    client_ip: Option<String>,
    /// Personal: masked unless granted; null once its subject is erased or the tenant's
    /// retention period has passed.
    user_agent: Option<String>,
    /// The person the calling application said it acted for (personal: masked unless granted).
    on_behalf_of: Option<String>,
    /// What happened, in one line without personal data.
    summary: String,
    #[schema(value_type = Object)]
    payload: Value,
}

impl From<EventRecord> for EventView {
    fn from(e: EventRecord) -> Self {
        Self {
            position: e.position,
            recorded_at: e.recorded_at,
            stream_type: e.stream_type,
            stream_id: e.stream_id,
            version: e.version,
            event_type: e.event_type,
            schema_version: e.schema_version,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            surface: e.surface,
            request_id: e.request_id,
            correlation_id: e.correlation_id,
            causation_id: e.causation_id,
            client_ip: e.client_ip,
            user_agent: e.user_agent,
            on_behalf_of: e.on_behalf_of,
            summary: e.summary,
            payload: e.payload,
        }
    }
}

const CSV_HEADER: [&str; 18] = [
    "position",
    "recorded_at",
    "stream_type",
    "stream_id",
    "version",
    "event_type",
    "schema_version",
    "actor_kind",
    "actor_id",
    "surface",
    "request_id",
    "correlation_id",
    "causation_id",
    "client_ip",
    "user_agent",
    "on_behalf_of",
    "summary",
    "payload",
];

fn csv_row(e: &EventView) -> Vec<String> {
    let o = csv::optional;
    vec![
        e.position.to_string(),
        e.recorded_at.clone(),
        e.stream_type.clone(),
        e.stream_id.clone(),
        e.version.to_string(),
        e.event_type.clone(),
        e.schema_version.to_string(),
        o(&e.actor_kind),
        o(&e.actor_id),
        o(&e.surface),
        o(&e.request_id),
        o(&e.correlation_id),
        o(&e.causation_id),
        o(&e.client_ip),
        o(&e.user_agent),
        o(&e.on_behalf_of),
        e.summary.clone(),
        e.payload.to_string(),
    ]
}

/// The filter a query asks for, checked.
fn filter(q: EventQuery) -> Result<(EventFilter, i64, i64), AuditError> {
    let instant = |name: &str, value| {
        query::instant(name, value)?
            .map(|ms| {
                search::recorded_form(ms)
                    .ok_or_else(|| AuditError::invalid(format!("{name} is out of range")))
            })
            .transpose()
    };
    let filter = EventFilter {
        actor: query::text("actor", q.actor)?,
        actor_kind: query::text("actor_kind", q.actor_kind)?,
        subject: query::text("subject", q.subject)?,
        stream_type: query::text("stream_type", q.stream_type)?,
        stream_id: query::text("stream_id", q.stream_id)?,
        event_type: query::text("event_type", q.event_type)?,
        surface: query::text("surface", q.surface)?,
        from: instant("from", q.from)?,
        to: instant("to", q.to)?,
        correlation_id: query::text("correlation_id", q.correlation_id)?,
    };
    if let (Some(from), Some(to)) = (&filter.from, &filter.to) {
        if from > to {
            return Err(AuditError::invalid("from is after to"));
        }
    }
    Ok((filter, query::after(q.cursor)?, query::limit(q.limit)?))
}

/// Searches the tenant's events.
#[utoipa::path(
    get,
    path = "/events",
    tag = "events",
    params(EventQuery),
    responses(
        (status = 200, description = "A page of events, oldest first (CSV: one row per event, the next cursor in X-Next-Cursor).",
            content((EventsAnswer = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter, a bad instant, cursor, limit or format.", body = ErrorBody),
        (status = 401, description = "No valid management token.", body = ErrorBody),
        (status = 403, description = "The credential may not read the audit API (recorded).", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn events(
    State(state): State<AppState>,
    caller: AuditCaller,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AuditError> {
    let mut q: EventQuery = query::parse(raw.as_deref())?;
    let format = query::format(q.format.take().as_deref(), &headers)?;
    let (filter, after, limit) = filter(q)?;
    let page = search::search(
        &state,
        &caller.reader,
        &caller.tenant_id,
        &filter,
        after,
        limit,
    )
    .await?;
    let next_cursor = page.next_after.map(query::cursor);
    let events: Vec<EventView> = page.events.into_iter().map(EventView::from).collect();
    Ok(match format {
        Format::Json => Json(EventsAnswer {
            events,
            next_cursor,
        })
        .into_response(),
        Format::Csv => {
            let rows: Vec<Vec<String>> = events.iter().map(csv_row).collect();
            csv::answer(csv::document(&CSV_HEADER, &rows), next_cursor)
        }
    })
}

pub fn router() -> crate::ApiRouter {
    crate::ApiRouter::new().routes(utoipa_axum::routes!(events))
}
