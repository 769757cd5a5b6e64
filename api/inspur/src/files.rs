//! Files — `file` (specs/inspur-idaas.md §2.10; decisions in ops/adr/0015, "Files"): FILE-01 the
//! upload of a multipart part `file` (else the first file part), at most 2 MiB, of an image an
//! application icon can be or an `.xlsx` workbook, answering the new file id; FILE-02 the
//! download, the bytes themselves (not enveloped) with their type, a name, an `ETag` and a
//! day's private caching. Both need a token, as every call does; the `token` query parameter
//! lets an `<img src>` show an icon.

use std::fmt::Write as _;

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::file::{FileError, MAX_FILE_BYTES};
use idaas_http::openapi::ApiRouter;
use projections::files::{self, FileRow};
use serde_json::json;
use usecases::{files as cases, AppState, ServiceError};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope};
use crate::users::described::Binary;

/// The largest upload body: the file and room for the multipart framing around it.
const UPLOAD_BODY_LIMIT: usize = MAX_FILE_BYTES + 64 * 1024;

/// Files do not change under their id; a day in the browser's own cache.
const CACHING: &str = "private, max-age=86400";

pub fn router() -> ApiRouter {
    let (schemas, paths, method) = routes!(upload);
    let method = method.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    ApiRouter::new()
        .routes((schemas, paths, method))
        .routes(routes!(download))
}

/// The multipart form of an upload: the file in the part `file` (else the first part with a
/// file name, whose name is kept).
#[derive(ToSchema)]
#[allow(dead_code)] // Described only: `file_part` reads the parts.
struct UploadForm {
    /// At most 2 MiB: a PNG, JPEG, GIF, WebP or ICO image, or an `.xlsx` workbook (told by its
    /// content, not its name).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn too_large() -> InspurError {
    InspurError::rule("文件过大,最大 2 MiB")
}

fn refused(error: ServiceError) -> InspurError {
    match error {
        ServiceError::File(FileError::TooLarge) => too_large(),
        ServiceError::File(FileError::Unsupported) => InspurError::rule("不支持的文件类型"),
        ServiceError::File(FileError::Empty) => InspurError::rule("文件为空"),
        other => other.into(),
    }
}

/// A body that stopped being multipart, or ran past the upload limit.
fn unreadable(error: MultipartError) -> InspurError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    InspurError::invalid(format!("请求体无效: {}", error.body_text()))
}

/// A part's bytes, never more than `MAX_FILE_BYTES` of them: `None` when the part is longer.
async fn bounded(part: &mut Field<'_>) -> Result<Option<Vec<u8>>, MultipartError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = part.chunk().await? {
        if bytes.len() + chunk.len() > MAX_FILE_BYTES {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// Reads what is left of the body without keeping it (it is bounded by the route's limit), so
/// that the client, still sending, reads the answer rather than a reset connection.
async fn drain(parts: &mut Multipart) {
    while let Ok(Some(mut part)) = parts.next_field().await {
        while let Ok(Some(_)) = part.chunk().await {}
    }
}

/// The client's name and the bytes of the part named `file`, else of the first file part.
async fn file_part(parts: &mut Multipart) -> Result<(String, Vec<u8>), InspurError> {
    let mut first: Option<(String, Vec<u8>)> = None;
    while let Some(mut part) = parts.next_field().await.map_err(unreadable)? {
        let named = part.name() == Some("file");
        if !named && (part.file_name().is_none() || first.is_some()) {
            continue;
        }
        if named {
            // Only one file is held at a time.
            first.take();
        }
        let name = part.file_name().unwrap_or_default().to_string();
        match bounded(&mut part).await.map_err(unreadable)? {
            Some(bytes) if named => return Ok((name, bytes)),
            Some(bytes) => first = Some((name, bytes)),
            None => return Err(too_large()),
        }
    }
    first.ok_or_else(|| InspurError::invalid("缺少文件(file)"))
}

/// Stores a file (an application icon, a workbook) and answers its id (FILE-01).
#[utoipa::path(
    post,
    path = "/file/upload",
    tag = "files",
    operation_id = "uploadFile",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The new file's id (32 digits).", body = Envelope<String>),
        (status = 400, description = "Not a multipart body or no file (`参数错误: 缺少文件(file)`), or a refused file: `文件过大,最大 2 MiB`, `不支持的文件类型`, `文件为空`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn upload(
    State(state): State<AppState>,
    caller: InspurCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, InspurError> {
    let mut parts =
        multipart.map_err(|e| InspurError::invalid(format!("请求体无效: {}", e.body_text())))?;
    let read = file_part(&mut parts).await;
    drain(&mut parts).await;
    let (name, bytes) = read?;
    let id = cases::upload(&state, &caller.context, &name, bytes)
        .await
        .map_err(refused)?;
    Ok(ok(json!(id)))
}

/// `filename*` (RFC 6266, RFC 8187): UTF-8, percent-encoded but for the attr-chars.
fn disposition(file: &FileRow) -> String {
    let kind = if file.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let mut value = format!("{kind}; filename*=UTF-8''");
    for b in file.name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            value.push(char::from(b));
        } else {
            let _ = write!(value, "%{b:02X}");
        }
    }
    value
}

/// Whether `If-None-Match` names the file's entity tag (or `*`): weak comparison, RFC 9110
/// §13.1.2.
fn unchanged(headers: &HeaderMap, sha256: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == sha256)
}

/// A file's bytes, not enveloped, with their type (FILE-02).
///
/// `304` without them when the client has them already (`If-None-Match`).
#[utoipa::path(
    get,
    path = "/file/download/{fileId}",
    tag = "files",
    operation_id = "downloadFile",
    params(
        ("fileId" = String, Path, description = "The id the upload answered."),
        ("If-None-Match" = Option<String>, Header, nullable = false, description = "Entity tags the client holds (`*` for any)."),
        ("token" = Option<String>, Query, description = "A management token where no header can be set (an `<img src>`); every call takes one so."),
    ),
    responses(
        (status = 200, description = "The file's bytes, with the type it was stored with.",
            content(
                (Binary = "image/png"),
                (Binary = "image/jpeg"),
                (Binary = "image/gif"),
                (Binary = "image/webp"),
                (Binary = "image/vnd.microsoft.icon"),
                (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(
                ("ETag" = String, description = "The content's SHA-256, hex, quoted."),
                ("Cache-Control" = String, description = "`private, max-age=86400`: a file never changes under its id."),
                ("Content-Disposition" = String, description = "`inline` for an image, `attachment` otherwise, with the name it was uploaded under (`filename*`, UTF-8)."),
                ("X-Content-Type-Options" = String, description = "`nosniff`."),
            )),
        (status = 304, description = "The client's copy is current (`If-None-Match`).",
            headers(
                ("ETag" = String, description = "The content's SHA-256, hex, quoted."),
                ("Cache-Control" = String, description = "`private, max-age=86400`."),
            )),
        (status = 400, description = "Outside the envelope, in plain text: a path segment that is not UTF-8.", content_type = "text/plain", body = String),
        (status = 404, description = "No such file: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn download(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(file_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, InspurError> {
    let file = files::get(state.pool(), &caller.tenant_id, &file_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let cache = [
        (header::ETAG, format!("\"{}\"", file.sha256)),
        (header::CACHE_CONTROL, CACHING.to_string()),
    ];
    if unchanged(&headers, &file.sha256) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let content = files::content(state.pool(), &caller.tenant_id, &file_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let described = [
        (header::CONTENT_TYPE, file.content_type.clone()),
        (header::CONTENT_DISPOSITION, disposition(&file)),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
    ];
    Ok((cache, described, content).into_response())
}
