//! `GET /audit/v1/export`: the tenant's audit export (ops/adr/0023) for an auditor with only the
//! API — the checkpoint keys, the signed checkpoints and every event exactly as stored (sealed
//! payloads, hashes), as JSON lines, streamed — to be checked offline with `idaas verify --offline
//! EXPORT --keys KEYS` against the keys published at `/.well-known/idaas-checkpoint-keys`.
//! Personal values are sealed in the payloads; a chain whose hashed metadata keeps a personal
//! value — a client address or user agent of older events (ADR 0026), or the person an
//! application acted for — is exported only to a credential granted personal reading, since those
//! bytes cannot be masked without breaking the chain.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::TryStreamExt;
use serde::Deserialize;
use usecases::AppState;
use utoipa::IntoParams;

use crate::caller::AuditCaller;
use crate::error::{AuditError, ErrorBody};
use crate::query;

/// No parameters are taken.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {}

/// The tenant's audit export, for offline verification.
#[utoipa::path(
    get,
    path = "/export",
    tag = "export",
    params(ExportQuery),
    responses(
        (status = 200, description = "JSON lines: a header, every checkpoint key, the tenant's signed checkpoints, its events as stored, and an end line with the line count and SHA-256 of the lines before it (a cut export has no end line). Check it with `idaas verify --offline FILE --keys KEYS`.",
            content_type = "application/x-ndjson", body = String),
        (status = 400, description = "A query parameter was given.", body = ErrorBody),
        (status = 401, description = "No valid management token.", body = ErrorBody),
        (status = 403, description = "The credential may not read the audit API (recorded), or the chain keeps request metadata in its hashed bytes and the credential is not granted personal reading.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn audit_export(
    State(state): State<AppState>,
    caller: AuditCaller,
    RawQuery(raw): RawQuery,
) -> Result<Response, AuditError> {
    let _: ExportQuery = query::parse(raw.as_deref())?;
    let stream = usecases::audit::export::export(&state, &caller.reader, &caller.tenant_id)
        .await?
        .ok_or_else(|| {
            AuditError::forbidden(
                "this tenant's chain keeps personal values in its hashed metadata (client \
                 addresses or user agents of older events, or the person an application acted \
                 for): its export needs a credential granted personal reading",
            )
        })?
        .map_err(std::io::Error::other);
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"idaas-audit-export.jsonl\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

pub fn router() -> crate::ApiRouter {
    crate::ApiRouter::new().routes(utoipa_axum::routes!(audit_export))
}
