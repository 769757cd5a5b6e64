//! Whether a dictionary code or name (DICT-03/04), or an item tag or value (DI-03/04), is free
//! to use: `data` true when none of the tenant's holds it. An item's tag or value is checked in
//! every dictionary, or in `dictId` only when given. Each answers POST, as documented, and GET.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use projections::dictionaries::{self as read, Unique};
use serde::Deserialize;
use serde_json::json;
use usecases::AppState;
use utoipa::IntoParams;

use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope};

/// `true` when no dictionary (or item) of the tenant holds the value.
async fn verify(
    state: &AppState,
    caller: &InspurCaller,
    what: Unique,
    value: &str,
    dict_id: Option<&str>,
) -> Result<Response, InspurError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InspurError::invalid("待验证的值不能为空"));
    }
    let dict_id = dict_id.map(str::trim).filter(|d| !d.is_empty());
    let taken = read::taken(state.pool(), &caller.tenant_id, what, value, dict_id).await?;
    Ok(ok(json!(!taken)))
}

/// Whether a dictionary code is free to use: `data` true when no dictionary holds it
/// (DICT-03).
#[utoipa::path(
    post,
    path = "/dict/action/verify-dictcode/{dictCode}",
    tag = "dictionaries",
    operation_id = "verifyDictCode",
    params(("dictCode" = String, Path, description = "The code to check.")),
    responses(
        (status = 200, description = "`true` when the code is free.", body = Envelope<bool>),
        (status = 400, description = "A blank code.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, Unique::DictCode, &code, None).await
}

/// DICT-03 by GET.
#[utoipa::path(
    get,
    path = "/dict/action/verify-dictcode/{dictCode}",
    tag = "dictionaries",
    operation_id = "verifyDictCodeByGet",
    params(("dictCode" = String, Path, description = "The code to check.")),
    responses(
        (status = 200, description = "`true` when the code is free.", body = Envelope<bool>),
        (status = 400, description = "A blank code.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_code_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    code: Path<String>,
) -> Result<Response, InspurError> {
    verify_code(state, caller, code).await
}

/// Whether a dictionary name is free to use: `data` true when no dictionary holds it
/// (DICT-04).
#[utoipa::path(
    post,
    path = "/dict/action/verify-dictname/{dictName}",
    tag = "dictionaries",
    operation_id = "verifyDictName",
    params(("dictName" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, Unique::DictName, &name, None).await
}

/// DICT-04 by GET.
#[utoipa::path(
    get,
    path = "/dict/action/verify-dictname/{dictName}",
    tag = "dictionaries",
    operation_id = "verifyDictNameByGet",
    params(("dictName" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_name_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    name: Path<String>,
) -> Result<Response, InspurError> {
    verify_name(state, caller, name).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ScopeQuery {
    /// Checks this dictionary only; absent, every dictionary of the tenant.
    #[serde(rename = "dictId")]
    dict_id: Option<String>,
}

/// Whether a dictionary item tag is free to use: `data` true when no item holds it (DI-03).
#[utoipa::path(
    post,
    path = "/dictitems/action/verify-dictitemtag/{tag}",
    tag = "dictionaries",
    operation_id = "verifyDictItemTag",
    params(("tag" = String, Path, description = "The tag to check."), ScopeQuery),
    responses(
        (status = 200, description = "`true` when the tag is free.", body = Envelope<bool>),
        (status = 400, description = "A blank tag.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_tag(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(tag): Path<String>,
    Query(scope): Query<ScopeQuery>,
) -> Result<Response, InspurError> {
    let dict_id = scope.dict_id.as_deref();
    verify(&state, &caller, Unique::ItemTag, &tag, dict_id).await
}

/// DI-03 by GET.
#[utoipa::path(
    get,
    path = "/dictitems/action/verify-dictitemtag/{tag}",
    tag = "dictionaries",
    operation_id = "verifyDictItemTagByGet",
    params(("tag" = String, Path, description = "The tag to check."), ScopeQuery),
    responses(
        (status = 200, description = "`true` when the tag is free.", body = Envelope<bool>),
        (status = 400, description = "A blank tag.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_tag_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    tag: Path<String>,
    scope: Query<ScopeQuery>,
) -> Result<Response, InspurError> {
    verify_tag(state, caller, tag, scope).await
}

/// Whether a dictionary item value is free to use: `data` true when no item holds it (DI-04).
#[utoipa::path(
    post,
    path = "/dictitems/action/verify-dictitemvalue/{value}",
    tag = "dictionaries",
    operation_id = "verifyDictItemValue",
    params(("value" = String, Path, description = "The value to check."), ScopeQuery),
    responses(
        (status = 200, description = "`true` when the value is free.", body = Envelope<bool>),
        (status = 400, description = "A blank value.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_value(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(value): Path<String>,
    Query(scope): Query<ScopeQuery>,
) -> Result<Response, InspurError> {
    let dict_id = scope.dict_id.as_deref();
    verify(&state, &caller, Unique::ItemValue, &value, dict_id).await
}

/// DI-04 by GET.
#[utoipa::path(
    get,
    path = "/dictitems/action/verify-dictitemvalue/{value}",
    tag = "dictionaries",
    operation_id = "verifyDictItemValueByGet",
    params(("value" = String, Path, description = "The value to check."), ScopeQuery),
    responses(
        (status = 200, description = "`true` when the value is free.", body = Envelope<bool>),
        (status = 400, description = "A blank value.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_value_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    value: Path<String>,
    scope: Query<ScopeQuery>,
) -> Result<Response, InspurError> {
    verify_value(state, caller, value, scope).await
}
