//! `GET /audit/v1/entities/{type}/{id}/history`: every event of one entity (an aggregate's
//! stream: `user`, `organization`, `application`, `app_account`, `app_role`…) with the fields it
//! changed, before → after, computed by folding the entity's events in order; personal values
//! masked unless the credential is granted them, secrets never shown; JSON or CSV (ops/adr/0022).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use usecases::audit::history::{self, HistoryEntry};
use utoipa::{IntoParams, ToSchema};

use crate::caller::AuditCaller;
use crate::csv;
use crate::error::{AuditError, ErrorBody};
use crate::query::{self, Format};
use usecases::AppState;

/// The paging of a history.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Where to continue: the `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Events per page, 1 to 1000 (100 when absent).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `json` or `csv`; without it, `Accept: text/csv` asks for CSV.
    format: Option<String>,
}

/// A page of an entity's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryAnswer {
    /// The entity's type (its aggregate's stream type).
    r#type: String,
    id: String,
    entries: Vec<EntryView>,
    /// The cursor of the next page; null on the last one.
    next_cursor: Option<String>,
}

/// One event of the entity and the fields it changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    position: i64,
    version: i64,
    recorded_at: String,
    event_type: String,
    actor_kind: Option<String>,
    actor_id: Option<String>,
    surface: Option<String>,
    correlation_id: Option<String>,
    changes: Vec<ChangeView>,
}

/// A field the event changed (a dotted path such as `personal.email`), before and after; null
/// when unset. Secrets read `[secret]`, personal values `[masked]` unless granted, erased data
/// `[erased]`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    field: String,
    #[schema(value_type = Object)]
    before: Value,
    #[schema(value_type = Object)]
    after: Value,
}

impl From<HistoryEntry> for EntryView {
    fn from(e: HistoryEntry) -> Self {
        Self {
            position: e.position,
            version: e.version,
            recorded_at: e.recorded_at,
            event_type: e.event_type,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            surface: e.surface,
            correlation_id: e.correlation_id,
            changes: e
                .changes
                .into_iter()
                .map(|c| ChangeView {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
        }
    }
}

const CSV_HEADER: [&str; 11] = [
    "position",
    "version",
    "recorded_at",
    "event_type",
    "actor_kind",
    "actor_id",
    "surface",
    "correlation_id",
    "field",
    "before",
    "after",
];

/// One row per change (one row with an empty field for an event that changed none); values as
/// JSON text.
fn csv_rows(entries: &[EntryView]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for e in entries {
        let o = csv::optional;
        let head = vec![
            e.position.to_string(),
            e.version.to_string(),
            e.recorded_at.clone(),
            e.event_type.clone(),
            o(&e.actor_kind),
            o(&e.actor_id),
            o(&e.surface),
            o(&e.correlation_id),
        ];
        if e.changes.is_empty() {
            rows.push(
                [
                    head.clone(),
                    vec![String::new(), String::new(), String::new()],
                ]
                .concat(),
            );
        }
        for c in &e.changes {
            let values = vec![c.field.clone(), c.before.to_string(), c.after.to_string()];
            rows.push([head.clone(), values].concat());
        }
    }
    rows
}

/// An entity type: lower-case letters, digits and `_`, 1 to 64 of them.
fn entity_type(text: &str) -> Result<(), AuditError> {
    let valid = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    valid.then_some(()).ok_or_else(|| {
        AuditError::invalid("type is an entity type such as user, organization or application")
    })
}

/// The history of one entity, oldest first.
#[utoipa::path(
    get,
    path = "/entities/{type}/{id}/history",
    tag = "entities",
    params(
        ("type" = String, Path, description = "The entity type: user, organization, application, app_account, app_role, group, tenant…"),
        ("id" = String, Path, description = "The entity's id."),
        HistoryQuery,
    ),
    responses(
        (status = 200, description = "A page of the entity's events with their changes (CSV: one row per change, the next cursor in X-Next-Cursor).",
            content((HistoryAnswer = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad type, id, cursor, limit or format, or an unknown parameter.", body = ErrorBody),
        (status = 401, description = "No valid management token.", body = ErrorBody),
        (status = 403, description = "The credential may not read the audit API (recorded).", body = ErrorBody),
        (status = 404, description = "The tenant has no such entity.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn entity_history(
    State(state): State<AppState>,
    caller: AuditCaller,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AuditError> {
    let Path((kind, id)) = path.map_err(|e| AuditError::invalid(e.body_text()))?;
    entity_type(&kind)?;
    let id = query::text("id", Some(id))?.ok_or_else(|| AuditError::invalid("id is empty"))?;
    let q: HistoryQuery = query::parse(raw.as_deref())?;
    let format = query::format(q.format.as_deref(), &headers)?;
    let (after, limit) = (query::after(q.cursor)?, query::limit(q.limit)?);
    let page = history::history(
        &state,
        &caller.reader,
        &caller.tenant_id,
        &kind,
        &id,
        after,
        limit,
    )
    .await?
    .ok_or_else(|| AuditError::not_found(format!("no {kind} {id} in this tenant")))?;
    let next_cursor = page.next_after.map(query::cursor);
    let entries: Vec<EntryView> = page.entries.into_iter().map(EntryView::from).collect();
    Ok(match format {
        Format::Json => Json(HistoryAnswer {
            r#type: kind,
            id,
            entries,
            next_cursor,
        })
        .into_response(),
        Format::Csv => csv::answer(csv::document(&CSV_HEADER, &csv_rows(&entries)), next_cursor),
    })
}

pub fn router() -> crate::ApiRouter {
    crate::ApiRouter::new().routes(utoipa_axum::routes!(entity_history))
}
