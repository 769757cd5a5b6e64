//! `GET /audit/v1/applications/{id}/access-report?from=T1&to=T2`: the access review of an
//! application as a readable HTML page (ops/adr/0025) — a chart of how many users could sign in
//! over the period (an SVG step line over evenly spaced instants), who could at the end and why,
//! who gained and who lost access. Rendered by askama, every value escaped; no script.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use usecases::audit::access::{self, Instant};
use usecases::audit::review;
use usecases::AppState;

use super::views::{AllowedView, LostView, ReviewView};
use super::{id_of, not_there, period, rfc3339, ReviewQuery};
use crate::caller::AuditCaller;
use crate::error::{AuditError, ErrorBody};
use crate::query;

/// How many instants the chart samples.
const SAMPLES: i64 = 48;
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 200.0;

#[derive(Template)]
#[template(path = "access_report.html")]
struct Report {
    application_id: String,
    from: String,
    to: String,
    from_position: i64,
    to_position: i64,
    /// The chart's step line, as SVG points.
    line: String,
    peak: usize,
    width: f64,
    height: f64,
    users: Vec<Row>,
    gained: Vec<Row>,
    lost: Vec<Row>,
}

/// One reason of one user, flattened for the table.
struct Row {
    user_id: String,
    via: String,
    detail: String,
    granted_at: String,
    granted_by: String,
    event: String,
    note: String,
}

fn rows(users: &[AllowedView], note: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    for user in users {
        for r in &user.reasons {
            let detail = match r.via {
                "account" => format!("account {}", r.account_id.clone().unwrap_or_default()),
                "user_grant" => format!("grant {}", r.grant_id.clone().unwrap_or_default()),
                _ => format!(
                    "grant {} to organisation {}, member of {}{}",
                    r.grant_id.clone().unwrap_or_default(),
                    r.organization_id.clone().unwrap_or_default(),
                    r.member_of.clone().unwrap_or_default(),
                    r.through
                        .as_ref()
                        .filter(|t| t.len() > 1)
                        .map(|t| format!(" (through {})", t.join(" › ")))
                        .unwrap_or_default()
                ),
            };
            rows.push(Row {
                user_id: user.user_id.clone(),
                via: r.via.to_string(),
                detail,
                granted_at: r.since.at.clone(),
                granted_by: format!(
                    "{} {}",
                    r.since.actor_kind.clone().unwrap_or_default(),
                    r.since.actor_id.clone().unwrap_or_default()
                )
                .trim()
                .to_string(),
                event: format!("{} @{}", r.since.event_type, r.since.position),
                note: note.to_string(),
            });
        }
    }
    rows
}

fn lost_rows(lost: &[LostView]) -> Vec<Row> {
    lost.iter()
        .flat_map(|l| {
            let note = l
                .now_refused
                .map(|w| format!("now refused: {w}"))
                .unwrap_or_else(|| "nothing reaches the user any more".into());
            rows(std::slice::from_ref(&l.user), &note)
        })
        .collect()
}

/// The step line of `counts` over the chart's box, and the peak count.
fn chart(counts: &[(Instant, usize)], from_ms: i64, to_ms: i64) -> (String, usize) {
    let peak = counts.iter().map(|(_, c)| *c).max().unwrap_or(0);
    let span = (to_ms - from_ms).max(1) as f64;
    let y = |count: usize| HEIGHT - (count as f64 / peak.max(1) as f64) * (HEIGHT - 10.0);
    let mut points = Vec::new();
    let mut last: Option<f64> = None;
    for (instant, count) in counts {
        let x = (instant.at_ms - from_ms) as f64 / span * WIDTH;
        if let Some(previous) = last {
            points.push(format!("{x:.1},{previous:.1}"));
        }
        let level = y(*count);
        points.push(format!("{x:.1},{level:.1}"));
        last = Some(level);
    }
    (points.join(" "), peak)
}

/// The access review of the application as an HTML page with a chart of access over time.
#[utoipa::path(
    get,
    path = "/applications/{id}/access-report",
    tag = "access",
    params(("id" = String, Path, description = "The application's id."), ReviewQuery),
    responses(
        (status = 200, description = "An HTML page: a chart of the number of users who could sign in over the period, who could at its end and why, who gained and who lost access.",
            content((String = "text/html"))),
        (status = 400, description = "A bad id or instant, from missing or after to, or an unknown parameter (format is not taken).", body = ErrorBody),
        (status = 401, description = "No valid management token.", body = ErrorBody),
        (status = 403, description = "The credential may not read the audit API (recorded).", body = ErrorBody),
        (status = 404, description = "The application existed at neither instant.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub(super) async fn access_report(
    State(state): State<AppState>,
    caller: AuditCaller,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AuditError> {
    let id = id_of(path)?;
    let q: ReviewQuery = query::parse(raw.as_deref())?;
    if q.format.is_some() {
        return Err(AuditError::invalid(
            "the report is HTML only: format is not taken",
        ));
    }
    let (from, to) = period(&state, &caller, q.from, q.to).await?;
    let pool = state.pool();
    let review = review::review(pool, &caller.tenant_id, &id, from, to)
        .await?
        .ok_or_else(|| AuditError::not_found(not_there(&id, to)))?;
    let mut points = Vec::new();
    for i in 0..=SAMPLES {
        let ms = from.at_ms + (to.at_ms - from.at_ms) * i / SAMPLES;
        points.push(access::instant(pool, &caller.tenant_id, ms).await?);
    }
    let counts = review::over_time(pool, &caller.tenant_id, &id, &points).await?;
    let (line, peak) = chart(&counts, from.at_ms, to.at_ms);
    let view = ReviewView::of(&review, rfc3339(from.at_ms), rfc3339(to.at_ms));
    let mut users = rows(&view.kept, "");
    users.extend(rows(&view.gained, "gained"));
    let page = Report {
        application_id: id,
        from: view.from.clone(),
        to: view.to.clone(),
        from_position: view.from_position,
        to_position: view.to_position,
        line,
        peak,
        width: WIDTH,
        height: HEIGHT,
        users,
        gained: rows(&view.gained, ""),
        lost: lost_rows(&view.lost),
    }
    .render()
    .map_err(|e| anyhow::anyhow!("rendering the access report: {e}"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        page,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_steps_between_samples() {
        let at = |ms, position| Instant {
            position,
            at_ms: ms,
        };
        let (line, peak) = chart(&[(at(0, 1), 1), (at(50, 2), 2), (at(100, 3), 0)], 0, 100);
        assert_eq!(peak, 2);
        assert_eq!(
            line,
            "0.0,105.0 360.0,105.0 360.0,10.0 720.0,10.0 720.0,200.0"
        );
    }
}
