//! The audit API (`/audit/v1`, JSON or CSV; DESIGN.md "Audit and compliance", ops/adr/0022): the
//! tenant's events searched by actor, subject, stream, type, surface, time and correlation id,
//! each entity's history with before → after values, and as-of access answers (ADR 0025). Read
//! by an auditor's credential, or by any management credential granted audit reading; an
//! administrator without the grant is refused. Personal values only to credentials granted them; secrets never.

mod access;
mod caller;
mod csv;
mod error;
mod events;
mod export;
mod history;
mod query;

use idaas_http::openapi::{ApiRouter, Surface};

pub use caller::AuditCaller;
pub use error::{AuditError, ErrorBody};

pub const SURFACE: &str = "audit";

/// The routes of `/audit/v1` with their OpenAPI description.
pub fn surface() -> Surface {
    Surface {
        name: SURFACE,
        title: "idaas audit API",
        description: DESCRIPTION,
        routes: ApiRouter::new().nest("/audit/v1", routes()),
    }
}

const DESCRIPTION: &str = "The tenant's audit trail: every change is an appended, attributed, \
    hash-chained event. Search the events (GET /audit/v1/events) or read one entity's history \
    with the fields each event changed, before and after (GET \
    /audit/v1/entities/{type}/{id}/history); ask who could sign in to an application at an \
    instant and why, each reason with the event that granted it (GET \
    /audit/v1/applications/{id}/access?at=T), one user's access then (GET \
    /audit/v1/users/{id}/access?at=T), who gained and lost access between two instants (GET \
    /audit/v1/applications/{id}/access-review, or as an HTML page with a chart: \
    /access-report); download the tenant's audit export to verify offline (GET \
    /audit/v1/export, JSON lines, checked with idaas verify --offline); JSON, or CSV with format=csv or Accept: text/csv. Pages follow an opaque cursor on the global position \
    (next_cursor; the X-Next-Cursor header in CSV), without gaps or repeats. Authenticated by a \
    management token of the tenant (POST /api/v2/tenant/token) whose application is an auditor \
    (PUT /admin/v1/applications/{id}/authority {\"authority\": \"auditor\"}) or was granted audit \
    reading (idaas audit grant); any other credential is refused 403, and the refusal is \
    recorded. Personal values (names, emails, phones, client addresses, user agents) read \
    [masked] unless the credential was granted personal reading; secrets (password and secret \
    hashes, keys, tokens, tickets) always read [secret]. Errors are {\"error\", \"message\"}: \
    400 invalid_request, 401 unauthorized or invalid_token, 403 forbidden, 404 not_found, 429 \
    or 503 temporarily_unavailable, 500 server_error.";

fn routes() -> ApiRouter {
    events::router()
        .merge(history::router())
        .merge(access::router())
        .merge(export::router())
}
