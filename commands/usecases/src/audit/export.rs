//! The tenant's audit export for an auditor with only the API (`GET /audit/v1/export`, ops/adr
//! 0023): the stored chain, streamed. Personal values are sealed in the payloads; a chain whose
//! older events keep a client address or user agent in their hashed metadata (ADR 0026) is
//! exported only to a reader granted personal reading, since those bytes cannot be masked
//! without breaking the chain.

use futures::Stream;

use super::Reader;
use crate::state::AppState;

/// The export's chunks, or `None` when the reader may not have it (see the module's doc).
pub async fn export(
    state: &AppState,
    reader: &Reader,
    tenant: &str,
) -> anyhow::Result<Option<impl Stream<Item = anyhow::Result<Vec<u8>>> + Send + use<>>> {
    let db = state.bus.store().database().clone();
    if !reader.personal && store::checkpoints::chain_holds_request_metadata(&db, tenant).await? {
        return Ok(None);
    }
    Ok(Some(store::checkpoints::export_stream(
        db,
        Some(tenant.to_string()),
        state.now(),
    )))
}
