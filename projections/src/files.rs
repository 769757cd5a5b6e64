//! Uploaded files (Inspur §2.10): one row per upload with its bytes, written from the
//! `file.uploaded` event that carries them (ops/adr/0015, "Files").

use domain::file::{FileEvent, StoredFile};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::support::typed;

pub struct FilesProjection;

pub const TABLES: &[&str] = &["proj_files"];

impl Projector for FilesProjection {
    fn name(&self) -> &'static str {
        "files"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != StoredFile::STREAM_TYPE {
                return Ok(());
            }
            let uploaded = typed::<FileEvent>(event)?;
            let content = uploaded.content().map_err(|e| {
                anyhow::anyhow!(
                    "file content at position {} is no base64: {e}",
                    event.position
                )
            })?;
            match uploaded {
                FileEvent::Uploaded {
                    id,
                    name,
                    content_type,
                    size,
                    sha256,
                    at,
                    ..
                } => {
                    sqlx::query(
                        "INSERT INTO proj_files (tenant_id, file_id, name, content_type, size, \
                         sha256, content, creator, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&event.tenant_id)
                    .bind(id)
                    .bind(name)
                    .bind(content_type)
                    .bind(size)
                    .bind(sha256)
                    .bind(content)
                    .bind(event.metadata.actor_id.clone())
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

/// What is known of a file, without its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    pub file_id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// Lower-case hex of the content's SHA-256.
    pub sha256: String,
    pub creator: Option<String>,
    pub created_at: i64,
}

/// The tenant's file with this id, without its bytes.
pub async fn get(pool: &AnyPool, tenant: &str, file_id: &str) -> anyhow::Result<Option<FileRow>> {
    let found = sqlx::query(
        "SELECT file_id, name, content_type, size, sha256, creator, created_at FROM proj_files \
         WHERE tenant_id = $1 AND file_id = $2",
    )
    .bind(tenant)
    .bind(file_id)
    .fetch_optional(pool)
    .await?;
    let Some(r) = found else {
        return Ok(None);
    };
    Ok(Some(FileRow {
        file_id: r.try_get("file_id")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
    }))
}

/// The bytes of the tenant's file with this id.
pub async fn content(
    pool: &AnyPool,
    tenant: &str,
    file_id: &str,
) -> anyhow::Result<Option<Vec<u8>>> {
    let found: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT content FROM proj_files WHERE tenant_id = $1 AND file_id = $2")
            .bind(tenant)
            .bind(file_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.map(|(bytes,)| bytes))
}
