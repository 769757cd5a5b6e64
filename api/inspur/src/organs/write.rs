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

use super::{status, view, ROOT};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::{body, present};
use crate::lenient::{number, text};
use projections::organs::{self, Organ, Unique};

#[derive(Deserialize)]
pub struct OrganBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "parentId")]
    parent_id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "externalId")]
    external_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "number")]
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
) -> Result<serde_json::Value, InspurError> {
    let organ = organ(state, caller, id).await?;
    let path = organs::name_path(state.pool(), &caller.tenant_id, &organ).await?;
    Ok(view(
        &organ,
        state.config.utc_offset_minutes,
        status(&organ),
        Some(path),
    ))
}

/// `POST /organs`: creates without `id`, updates with one (`parentId` and `externalId` are
/// fixed once created: change the place with ORG-07).
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
        return Ok(saved(full(&state, &caller, &id).await?));
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
    Ok(saved(full(&state, &caller, org_id.as_str()).await?))
}

/// `DELETE /organs/{organId}`.
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
    Ok(ok(view(
        &before,
        state.config.utc_offset_minutes,
        "0",
        None,
    )))
}

#[derive(Deserialize)]
pub struct StatusQuery {
    status: Option<String>,
}

/// `POST /organs/{organId}/action/change-status?status=1|2`: the resulting status.
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

#[derive(Deserialize)]
pub struct MoveBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "parentId")]
    parent_id: Option<String>,
}

/// `POST /organs/action/move`: under another organisation, or `-1`/empty for the top level.
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
    Ok(ok(view(
        &organ,
        state.config.utc_offset_minutes,
        status(&organ),
        None,
    )))
}

#[derive(Deserialize)]
pub struct VerifyBody {
    #[serde(default, deserialize_with = "text", rename = "organId")]
    organ_id: Option<String>,
    /// Printed as `erternalId` (sic); both spellings are read.
    #[serde(
        default,
        deserialize_with = "text",
        rename = "erternalId",
        alias = "externalId"
    )]
    external_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
}

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

/// `POST /organs/action/verify-externalId`: `true` when no other organ has it.
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

/// `POST /organs/action/verify-code`: `true` when no other organ has it.
pub async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: VerifyBody = body(&bytes)?;
    free(&state, &caller, Unique::Code, body.code, body.organ_id).await
}
