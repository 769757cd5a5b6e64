//! ORG-03 create/update (one endpoint: an `id` updates), ORG-01 delete (refused while children
//! or users remain; answered with the organ at status `"0"`), ORG-02 enable/disable, ORG-07 move,
//! ORG-10/11 whether an external id or a code is free (`true` = free to use).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::ids::OrganizationId;
use domain::organization::OrgDetails;
use serde::Deserialize;
use serde_json::json;
use usecases::organizations::{self, OrgChange};
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};

use super::{status, view, OrganDetail, OrganView, ROOT};
use crate::apps::described::{body_requiring, CallRefused, LenientNumber, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::{body, present};
use crate::lenient::{number, text};
use crate::schema::{Envelope, ErrorEnvelope};
use projections::organs::{self, Organ, Unique};

/// The body of ORG-03: without `id` it creates (`name` and `code` required), with one it
/// updates `name`, `code`, `description` and `order` (the place and the external id are fixed
/// once created). Blank text is the same as absent.
#[derive(Deserialize, ToSchema)]
pub struct OrganBody {
    /// The organisation to update; absent to create one.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// Unique among its siblings.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    name: Option<String>,
    /// The parent on create; empty or "-1" for a root. Not read on update (ORG-07 moves).
    #[serde(default, deserialize_with = "text", rename = "parentId")]
    #[schema(value_type = LenientText)]
    parent_id: Option<String>,
    /// On create, unique in the tenant; a 32-hex id is generated when absent. Not read on update.
    #[serde(default, deserialize_with = "text", rename = "externalId")]
    #[schema(value_type = LenientText)]
    external_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
    /// Unique in the tenant.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    code: Option<String>,
    /// The display order.
    #[serde(default, deserialize_with = "number")]
    #[schema(value_type = LenientNumber)]
    order: Option<i64>,
}

async fn organ(state: &AppState, caller: &InspurCaller, id: &str) -> Result<Organ, InspurError> {
    organs::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)
}

async fn full(
    state: &AppState,
    caller: &InspurCaller,
    id: &str,
) -> Result<OrganDetail, InspurError> {
    let organ = organ(state, caller, id).await?;
    let path = organs::name_path(state.pool(), &caller.tenant_id, &organ).await?;
    Ok(super::detail(&organ, state.config.utc_offset_minutes, path))
}

/// Creates an organisation, or updates one named by `id` (ORG-03).
#[utoipa::path(
    post,
    path = "/organs",
    tag = "organs",
    operation_id = "saveOrgan",
    request_body = OrganBody,
    responses(
        (status = 200, description = "The saved organisation, full form; `message` \"成功\".", body = Envelope<OrganDetail>),
        (status = 400, description = "A missing `name` or `code` on create, a bad body, or a rule: `外部Id已存在`, `编码已存在`, `同级组织机构名称已存在`, `上级组织机构不存在`.", body = ErrorEnvelope),
        (status = 404, description = "No organisation with that `id`: `资源不存在`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn upsert(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: OrganBody = body(&bytes)?;
    let details = OrgDetails {
        external_id: None,
        order: body.order,
        description: present(body.description.clone()),
        ..OrgDetails::default()
    };
    if let Some(id) = present(body.id.clone()) {
        organ(&state, &caller, &id).await?;
        let change = OrgChange {
            code: present(body.code),
            name: present(body.name),
            parent_id: None,
            category: None,
            details,
        };
        let org_id = OrganizationId::new(id.clone());
        organizations::update(&state, &caller.context, &org_id, change).await?;
        return Ok(saved(json!(full(&state, &caller, &id).await?)));
    }
    let name = present(body.name).ok_or_else(|| InspurError::invalid("name 不能为空"))?;
    let code = present(body.code).ok_or_else(|| InspurError::invalid("code 不能为空"))?;
    let parent = present(body.parent_id).filter(|p| p != ROOT);
    let external_id = present(body.external_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string().to_uppercase());
    let pool = state.pool();
    if organs::taken(
        pool,
        &caller.tenant_id,
        Unique::ExternalId,
        &external_id,
        None,
    )
    .await?
    {
        return Err(InspurError::rule("外部Id已存在"));
    }
    let change = OrgChange {
        code: Some(code),
        name: Some(name),
        parent_id: parent,
        // What OneAccess shows for an organisation a dialect without categories made.
        category: Some("department".into()),
        details: OrgDetails {
            external_id: Some(external_id),
            ..details
        },
    };
    let org_id = organizations::create(&state, &caller.context, change).await?;
    Ok(saved(json!(full(&state, &caller, org_id.as_str()).await?)))
}

/// Deletes an organisation without child organisations or users (ORG-01).
#[utoipa::path(
    delete,
    path = "/organs/{organId}",
    tag = "organs",
    operation_id = "deleteOrgan",
    params(("organId" = String, Path, description = "The organisation.")),
    responses(
        (status = 200, description = "The organisation as it was, short form, `status` \"0\".", body = Envelope<OrganView>),
        (status = 400, description = "It still has child organisations or users: `组织机构下存在子组织,禁止删除`, `组织机构下存在子组织或用户,禁止删除`. Outside the envelope, in plain text: a path segment that is not UTF-8.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such organisation: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(organ_id): Path<String>,
) -> Result<Response, InspurError> {
    let before = organ(&state, &caller, &organ_id).await?;
    if before.has_children {
        return Err(InspurError::rule("组织机构下存在子组织,禁止删除"));
    }
    organizations::delete(&state, &caller.context, &OrganizationId::new(organ_id)).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(json!(view(&before, zone, "0"))))
}

/// The state ORG-02 sets.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// "1" enables, "2" disables.
    #[param(value_type = String, required = true, pattern = "^\\s*[12]\\s*$")]
    status: Option<String>,
}

/// Enables or disables an organisation; its children keep their own state (ORG-02).
#[utoipa::path(
    post,
    path = "/organs/{organId}/action/change-status",
    tag = "organs",
    operation_id = "changeOrganStatus",
    params(
        ("organId" = String, Path, description = "The organisation."),
        StatusQuery,
    ),
    responses(
        (status = 200, description = "The resulting status, \"1\" or \"2\".", body = Envelope<String>),
        (status = 400, description = "A `status` other than 1 or 2. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such organisation: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn change_status(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(organ_id): Path<String>,
    Query(query): Query<StatusQuery>,
) -> Result<Response, InspurError> {
    let disabled = match query.status.as_deref().map(str::trim) {
        Some("1") => false,
        Some("2") => true,
        _ => return Err(InspurError::invalid("status 必须是 1(启用) 或 2(禁用)")),
    };
    organ(&state, &caller, &organ_id).await?;
    let org_id = OrganizationId::new(organ_id);
    organizations::set_disabled(&state, &caller.context, &org_id, disabled).await?;
    Ok(ok(json!(if disabled { "2" } else { "1" })))
}

/// The body of ORG-07.
#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// The organisation to move.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// The new parent; empty, absent or "-1" for the top level.
    #[serde(default, deserialize_with = "text", rename = "parentId")]
    #[schema(value_type = LenientText)]
    parent_id: Option<String>,
}

/// Moves an organisation under another one, or to the top level (ORG-07).
#[utoipa::path(
    post,
    path = "/organs/action/move",
    tag = "organs",
    operation_id = "moveOrgan",
    request_body = MoveBody,
    responses(
        (status = 200, description = "The moved organisation, short form.", body = Envelope<OrganView>),
        (status = 400, description = "A missing `id`, a bad body, or a rule: `上级组织机构不存在`, `不能移动到自身或其下级组织机构`.", body = ErrorEnvelope),
        (status = 404, description = "No organisation with that `id`: `资源不存在`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn move_organ(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: MoveBody = body(&bytes)?;
    let id = present(body.id).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    organ(&state, &caller, &id).await?;
    // An empty parent id asks the use case for the top level.
    let parent = present(body.parent_id)
        .filter(|p| p != ROOT)
        .unwrap_or_default();
    let change = OrgChange {
        code: None,
        name: None,
        parent_id: Some(parent),
        category: None,
        details: OrgDetails::default(),
    };
    organizations::update(
        &state,
        &caller.context,
        &OrganizationId::new(id.clone()),
        change,
    )
    .await?;
    let organ = organ(&state, &caller, &id).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(json!(view(&organ, zone, status(&organ)))))
}

/// The body of ORG-10 (`erternalId`) and ORG-11 (`code`).
#[derive(Deserialize, ToSchema)]
pub struct VerifyBody {
    /// The organisation being edited, whose own value does not count; absent on create.
    #[serde(default, deserialize_with = "text", rename = "organId")]
    #[schema(value_type = LenientText)]
    organ_id: Option<String>,
    /// The external id to check (ORG-10). Printed as `erternalId` (sic); `externalId` is read
    /// too.
    #[serde(
        default,
        deserialize_with = "text",
        rename = "erternalId",
        alias = "externalId"
    )]
    #[schema(value_type = LenientText)]
    external_id: Option<String>,
    /// The code to check (ORG-11).
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    code: Option<String>,
}

body_requiring!(
    /// The body of ORG-10.
    ExternalIdCheck = VerifyBody["erternalId"]
);
body_requiring!(
    /// The body of ORG-11.
    CodeCheck = VerifyBody["code"]
);

async fn free(
    state: &AppState,
    caller: &InspurCaller,
    which: Unique,
    value: Option<String>,
    except: Option<String>,
) -> Result<Response, InspurError> {
    let value = present(value).ok_or_else(|| InspurError::invalid("待验证的值不能为空"))?;
    let except = present(except);
    let taken = organs::taken(
        state.pool(),
        &caller.tenant_id,
        which,
        &value,
        except.as_deref(),
    )
    .await?;
    Ok(ok(json!(!taken)))
}

/// Whether an external id is free: no other organisation has it (ORG-10).
#[utoipa::path(
    post,
    path = "/organs/action/verify-externalId",
    tag = "organs",
    operation_id = "verifyOrganExternalId",
    request_body = ExternalIdCheck,
    responses(
        (status = 200, description = "`true` when the external id is free.", body = Envelope<bool>),
        (status = 400, description = "A blank `erternalId`, or a bad body.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn verify_external_id(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: VerifyBody = body(&bytes)?;
    free(
        &state,
        &caller,
        Unique::ExternalId,
        body.external_id,
        body.organ_id,
    )
    .await
}

/// Whether a code is free: no other organisation has it (ORG-11).
#[utoipa::path(
    post,
    path = "/organs/action/verify-code",
    tag = "organs",
    operation_id = "verifyOrganCode",
    request_body = CodeCheck,
    responses(
        (status = 200, description = "`true` when the code is free.", body = Envelope<bool>),
        (status = 400, description = "A blank `code`, or a bad body.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: VerifyBody = body(&bytes)?;
    free(&state, &caller, Unique::Code, body.code, body.organ_id).await
}
