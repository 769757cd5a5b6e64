//! As-of access answers (DESIGN.md "Audit and compliance", ops/adr/0025), each one call:
//! - `GET /audit/v1/applications/{id}/access?at=T`: who could sign in to the application at `T`
//!   and why — each reason with the event (position, time, type, actor) that granted it;
//! - `GET /audit/v1/users/{id}/access?at=T`: a user's access at `T` with its provenance;
//! - `GET /audit/v1/applications/{id}/access-review?from=T1&to=T2`: who gained, lost and kept
//!   access between two instants;
//! - `GET /audit/v1/applications/{id}/access-report?from=T1&to=T2`: the same as a readable HTML
//!   page with a chart of access over time.
//!
//! JSON, or CSV (`format=csv` / `Accept: text/csv`; one row per reason). Without `at` (or `to`),
//! now.

mod report;
pub mod views;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use usecases::audit::access::{self, Instant};
use usecases::audit::review;
use usecases::audit::subject;
use usecases::AppState;
use utoipa::IntoParams;

use crate::caller::AuditCaller;
use crate::csv;
use crate::error::{AuditError, ErrorBody};
use crate::query::{self, Format};
use views::{AppAccessView, ReviewView, SubjectView, REASON_CSV};

/// The instant of an as-of answer.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessQuery {
    /// An RFC 3339 instant (`2026-03-01T00:00:00Z`); now when absent.
    at: Option<String>,
    /// `json` or `csv`; without it, `Accept: text/csv` asks for CSV.
    format: Option<String>,
}

/// The two instants of a review.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// The earlier instant (RFC 3339); required.
    from: Option<String>,
    /// The later instant (RFC 3339); now when absent.
    to: Option<String>,
    /// `json` or `csv`; without it, `Accept: text/csv` asks for CSV.
    format: Option<String>,
}

/// An instant as RFC 3339 UTC with milliseconds.
fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// The instant named by `value` (now when absent) in the caller's tenant.
async fn instant_of(
    state: &AppState,
    caller: &AuditCaller,
    name: &str,
    value: Option<String>,
) -> Result<Instant, AuditError> {
    let ms = query::instant(name, value)?.unwrap_or_else(|| state.now());
    if chrono::DateTime::from_timestamp_millis(ms).is_none() {
        return Err(AuditError::invalid(format!(
            "{name} is outside the calendar"
        )));
    }
    Ok(access::instant(state.pool(), &caller.tenant_id, ms).await?)
}

fn id_of(path: Result<Path<String>, PathRejection>) -> Result<String, AuditError> {
    let Path(id) = path.map_err(|e| AuditError::invalid(e.body_text()))?;
    query::text("id", Some(id))?.ok_or_else(|| AuditError::invalid("id is empty"))
}

/// Who could sign in to the application at an instant, and why.
#[utoipa::path(
    get,
    path = "/applications/{id}/access",
    tag = "access",
    params(("id" = String, Path, description = "The application's id."), AccessQuery),
    responses(
        (status = 200, description = "The users who could sign in (each reason with the event that granted it) and the users the application reached who could not, and why (CSV: one row per reason, then one per refused user).",
            content((AppAccessView = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad id, instant or format, or an unknown parameter.", body = ErrorBody),
        (status = 401, description = "No valid management token.", body = ErrorBody),
        (status = 403, description = "The credential may not read the audit API (recorded).", body = ErrorBody),
        (status = 404, description = "The application did not exist at that instant.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn application_access(
    State(state): State<AppState>,
    caller: AuditCaller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AuditError> {
    let id = id_of(path)?;
    let q: AccessQuery = query::parse(raw.as_deref())?;
    let format = query::format(q.format.as_deref(), &headers)?;
    let instant = instant_of(&state, &caller, "at", q.at).await?;
    let answer = access::application(state.pool(), &caller.tenant_id, &id, instant)
        .await?
        .ok_or_else(|| AuditError::not_found(not_there(&id, instant)))?;
    let view = AppAccessView::of(&answer, rfc3339(instant.at_ms));
    Ok(match format {
        Format::Json => Json(view).into_response(),
        Format::Csv => {
            let mut rows = views::reason_rows(&view.users, "");
            rows.extend(views::refused_rows(&view.refused));
            csv::answer(csv::document(&REASON_CSV, &rows), None)
        }
    })
}

fn not_there(id: &str, instant: Instant) -> String {
    format!(
        "the tenant had no application {id} at {}",
        rfc3339(instant.at_ms)
    )
}

/// A user's access at an instant with its provenance.
#[utoipa::path(
    get,
    path = "/users/{id}/access",
    tag = "access",
    params(("id" = String, Path, description = "The user's id."), AccessQuery),
    responses(
        (status = 200, description = "The user's state, memberships, accounts, the applications the user could sign in to and why, and the roles and permissions held (CSV: one row per reason).",
            content((SubjectView = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad id, instant or format, or an unknown parameter.", body = ErrorBody),
        (status = 401, description = "No valid management token.", body = ErrorBody),
        (status = 403, description = "The credential may not read the audit API (recorded).", body = ErrorBody),
        (status = 404, description = "The user did not exist at that instant.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn user_access(
    State(state): State<AppState>,
    caller: AuditCaller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AuditError> {
    let id = id_of(path)?;
    let q: AccessQuery = query::parse(raw.as_deref())?;
    let format = query::format(q.format.as_deref(), &headers)?;
    let instant = instant_of(&state, &caller, "at", q.at).await?;
    let answer = subject::user(state.pool(), &caller.tenant_id, &id, instant)
        .await?
        .ok_or_else(|| {
            AuditError::not_found(format!(
                "the tenant had no user {id} at {}",
                rfc3339(instant.at_ms)
            ))
        })?;
    let view = SubjectView::of(&answer, rfc3339(instant.at_ms));
    Ok(match format {
        Format::Json => Json(view).into_response(),
        Format::Csv => {
            let mut header = vec!["application_id"];
            header.extend(REASON_CSV);
            let mut rows = Vec::new();
            for app in &view.applications {
                let note = app
                    .refused
                    .map(|r| format!("refused: {r}"))
                    .unwrap_or_default();
                let mut app_rows: Vec<Vec<String>> = app
                    .reasons
                    .iter()
                    .map(|r| views::reason_row(&view.user_id, r, &note))
                    .collect();
                if app_rows.is_empty() {
                    let mut row = vec![view.user_id.clone()];
                    row.extend(std::iter::repeat_n(String::new(), REASON_CSV.len() - 2));
                    row.push(note);
                    app_rows.push(row);
                }
                for row in app_rows {
                    rows.push([vec![app.application_id.clone()], row].concat());
                }
            }
            csv::answer(csv::document(&header, &rows), None)
        }
    })
}

/// The review's two instants, `from` before `to`.
async fn period(
    state: &AppState,
    caller: &AuditCaller,
    from: Option<String>,
    to: Option<String>,
) -> Result<(Instant, Instant), AuditError> {
    if from.as_deref().is_none_or(str::is_empty) {
        return Err(AuditError::invalid(
            "from is required (an RFC 3339 instant)",
        ));
    }
    let from = instant_of(state, caller, "from", from).await?;
    let to = instant_of(state, caller, "to", to).await?;
    if from.at_ms > to.at_ms {
        return Err(AuditError::invalid("from must not be after to"));
    }
    Ok((from, to))
}

/// Who gained, lost and kept access to the application between two instants.
#[utoipa::path(
    get,
    path = "/applications/{id}/access-review",
    tag = "access",
    params(("id" = String, Path, description = "The application's id."), ReviewQuery),
    responses(
        (status = 200, description = "The users who gained, lost and kept access, each with the reasons (CSV: one row per reason, note gained, lost or kept).",
            content((ReviewView = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad id, instant or format, from missing or after to, or an unknown parameter.", body = ErrorBody),
        (status = 401, description = "No valid management token.", body = ErrorBody),
        (status = 403, description = "The credential may not read the audit API (recorded).", body = ErrorBody),
        (status = 404, description = "The application existed at neither instant.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn access_review(
    State(state): State<AppState>,
    caller: AuditCaller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AuditError> {
    let id = id_of(path)?;
    let q: ReviewQuery = query::parse(raw.as_deref())?;
    let format = query::format(q.format.as_deref(), &headers)?;
    let (from, to) = period(&state, &caller, q.from, q.to).await?;
    let review = review::review(state.pool(), &caller.tenant_id, &id, from, to)
        .await?
        .ok_or_else(|| AuditError::not_found(not_there(&id, to)))?;
    let view = ReviewView::of(&review, rfc3339(from.at_ms), rfc3339(to.at_ms));
    Ok(match format {
        Format::Json => Json(view).into_response(),
        Format::Csv => {
            let mut rows = views::reason_rows(&view.gained, "gained");
            let lost: Vec<_> = view.lost.iter().map(|l| l.user.clone()).collect();
            rows.extend(views::reason_rows(&lost, "lost"));
            rows.extend(views::reason_rows(&view.kept, "kept"));
            csv::answer(csv::document(&REASON_CSV, &rows), None)
        }
    })
}

pub fn router() -> crate::ApiRouter {
    crate::ApiRouter::new()
        .routes(utoipa_axum::routes!(application_access))
        .routes(utoipa_axum::routes!(user_access))
        .routes(utoipa_axum::routes!(access_review))
        .routes(utoipa_axum::routes!(report::access_report))
}
