//! Files (Inspur §2.10, FILE-01): an upload becomes a stream of its own whose one event carries
//! the content (ops/adr/0015, "Files"). Reading a file back is a query of the read side.

use domain::file::{FileCommand, FileError, StoredFile};
use domain::Aggregate;
use sha2::{Digest, Sha256};
use store::{BusError, Context};

use crate::state::AppState;
use crate::ServiceError;

/// New ids tried before giving up, should one already be taken (18 random digits: it is not).
const ID_ATTEMPTS: usize = 3;

/// A file id (§1.6): 32 decimal digits, the upload's time `yyyyMMddHHmmss` (UTC) and 18 digits
/// drawn from the id source.
fn new_id(state: &AppState, now: i64) -> String {
    let time = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    let digest = Sha256::digest(state.ids.uuid().as_bytes());
    let mut wide = [0u8; 16];
    wide.copy_from_slice(&digest[..16]);
    let random = u128::from_be_bytes(wide) % 10u128.pow(18);
    format!("{}{random:018}", time.format("%Y%m%d%H%M%S"))
}

/// Keeps `content` under a new id, which it answers. The type comes from the content; `name` is
/// the client's file name.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, size = content.len()))]
pub async fn upload(
    state: &AppState,
    ctx: &Context,
    name: &str,
    content: Vec<u8>,
) -> Result<String, ServiceError> {
    for _ in 0..ID_ATTEMPTS {
        let now = state.now();
        let id = new_id(state, now);
        let command = FileCommand::Upload {
            id: id.clone(),
            name: name.to_string(),
            content: content.clone(),
            now,
        };
        let uploaded = state
            .bus
            .execute::<StoredFile, _>(ctx, &id, |f| f.decide(command.clone(), &()))
            .await;
        match uploaded {
            Ok(_) => return Ok(id),
            Err(BusError::Domain(FileError::AlreadyExists)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ServiceError::Busy)
}
