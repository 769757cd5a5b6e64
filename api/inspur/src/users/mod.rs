//! Users ("accounts", specs/inspur-idaas.md §2.6) — the directory's users, whichever API made
//! them: USR-04 the filtered page (`POST`, filters in the query or a JSON body; users who left
//! only with `status=0`), USR-13 the detail; create and update are in `write`, dimission,
//! delete and removal in `lifecycle`, the Excel template and import in `import`. A password is
//! never emitted.

pub(crate) mod described;
mod import;
mod lifecycle;
mod write;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use idaas_http::openapi::ApiRouter;
use projections::directory_users::{self, DirectoryUser, UserFilter, UserState};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::apps::described::{CallRefused, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::text;
use crate::schema::{Envelope, ErrorEnvelope, PageOf};
use crate::time::wire;

pub fn router() -> ApiRouter {
    let routes = ApiRouter::new()
        .routes(routes!(page))
        .routes(routes!(detail))
        .routes(routes!(write::create))
        .routes(routes!(write::update))
        .routes(routes!(lifecycle::dimission))
        .routes(routes!(lifecycle::delete))
        .routes(routes!(lifecycle::remove))
        .routes(routes!(import::template))
        .routes(routes!(import::import, import::import_by_get));
    crate::lenient::bodies_may_be_absent(routes)
}

/// The wire status (§2.6): `0` left, `1` normal, `2` disabled.
fn status(user: &DirectoryUser) -> &'static str {
    match (user.left, user.disabled) {
        (true, _) => "0",
        (false, true) => "2",
        (false, false) => "1",
    }
}

/// The User object (§2.6) of the list and the detail; no password is in it. Every key but
/// `idBind` is always present.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    id: String,
    #[schema(required = true)]
    email: Option<String>,
    /// The mobile number.
    #[schema(required = true)]
    phone: Option<String>,
    /// How the account was made (by the API, by an import, by another surface).
    #[schema(required = true)]
    created_type: Option<String>,
    /// The display name.
    nick_name: String,
    /// When the account expires, `yyyy-MM-dd HH:mm:ss` in the tenant's zone; null: never.
    #[schema(required = true)]
    expiration_time: Option<String>,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone (`updateTime`, as the document spells it).
    update_time: String,
    #[schema(required = true)]
    creator: Option<String>,
    /// The tenant (the document's `a5tId`).
    account_id: String,
    #[schema(required = true)]
    description: Option<String>,
    /// The organisation the user belongs to.
    #[schema(required = true)]
    organization_id: Option<String>,
    /// "1" normal, "2" disabled, "0" left (dimission).
    status: &'static str,
    /// The user type's id.
    #[schema(required = true)]
    user_type: Option<String>,
    /// The sign-in name.
    account_name: String,
    #[schema(required = true)]
    organ_name: Option<String>,
    #[schema(required = true)]
    user_type_name: Option<String>,
    #[schema(required = true)]
    external_id: Option<String>,
    /// Only when the list was filtered by `appId`: "1" when the user has an account in that
    /// application, else "0".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    id_bind: Option<&'static str>,
}

fn view(user: &DirectoryUser, tenant: &str, zone: i32, bind: bool) -> UserView {
    UserView {
        id: user.user_id.clone(),
        email: user.email.clone(),
        phone: user.mobile.clone(),
        created_type: user.created_type.clone(),
        nick_name: user.name.clone(),
        expiration_time: user.expires_at.map(|at| wire(at, zone)),
        created_time: wire(user.created_at, zone),
        update_time: wire(user.updated_at, zone),
        creator: user.creator.clone(),
        account_id: tenant.to_string(),
        description: user.description.clone(),
        organization_id: user.org_id.clone(),
        status: status(user),
        user_type: user.user_type_id.clone(),
        account_name: user.user_name.clone(),
        organ_name: user.org_name.clone(),
        user_type_name: user.user_type_name.clone(),
        external_id: user.external_id.clone(),
        id_bind: bind.then_some(if user.bound { "1" } else { "0" }),
    }
}

/// The filters of USR-04, read from the query and from a JSON body (the query's first). Text
/// filters match where the value contains them; the ids and `status` match exactly.
#[derive(Deserialize, Default, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageFilter {
    /// Sign-in names containing this.
    #[serde(default, deserialize_with = "text", rename = "accountName")]
    #[schema(value_type = LenientText)]
    account_name: Option<String>,
    /// Direct members of this organisation.
    #[serde(default, deserialize_with = "text", rename = "organizationId")]
    #[schema(value_type = LenientText)]
    organization_id: Option<String>,
    /// "1" normal, "2" disabled, "0" left; without it, users who left are not listed.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    status: Option<String>,
    /// Users of this user type.
    #[serde(default, deserialize_with = "text", rename = "userTypeId")]
    #[schema(value_type = LenientText)]
    user_type_id: Option<String>,
    /// Display names containing this.
    #[serde(default, deserialize_with = "text", rename = "nickName")]
    #[schema(value_type = LenientText)]
    nick_name: Option<String>,
    /// Mobile numbers containing this.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    phone: Option<String>,
    /// E-mail addresses containing this.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    email: Option<String>,
    /// An application: every row then carries `idBind`.
    #[serde(default, deserialize_with = "text", rename = "appId")]
    #[schema(value_type = LenientText)]
    app_id: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The query's filter, else the body's (§1.3: both places are read, the query first).
fn merged(query: PageFilter, body: PageFilter) -> PageFilter {
    let pick = |q: Option<String>, b: Option<String>| q.filter(|v| !v.trim().is_empty()).or(b);
    PageFilter {
        account_name: pick(query.account_name, body.account_name),
        organization_id: pick(query.organization_id, body.organization_id),
        status: pick(query.status, body.status),
        user_type_id: pick(query.user_type_id, body.user_type_id),
        nick_name: pick(query.nick_name, body.nick_name),
        phone: pick(query.phone, body.phone),
        email: pick(query.email, body.email),
        app_id: pick(query.app_id, body.app_id),
    }
}

/// A page of users, filtered by the query's or the body's fields (USR-04).
#[utoipa::path(
    post,
    path = "/user/page/{pageNo}/{pageSize}",
    tag = "users",
    operation_id = "pageUsers",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        PageFilter,
    ),
    request_body(content = Option<PageFilter>, description = "The same filters as the query (the query's win); may be empty."),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<UserView>>),
        (status = 400, description = "A page number or size out of range, a `status` other than 0, 1 or 2, or a bad body. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((page_no, page_size)): Path<(String, String)>,
    Query(query): Query<PageFilter>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let body: PageFilter = crate::lenient::body(&bytes)?;
    let filter = merged(query, body);
    let zone = state.config.utc_offset_minutes;
    let state_filter = match given(&filter.status) {
        None => None,
        Some("1") => Some(UserState::Active),
        Some("2") => Some(UserState::Disabled),
        Some("0") => Some(UserState::Left),
        Some(_) => return Err(InspurError::invalid("status 必须是 0、1 或 2")),
    };
    let which = UserFilter {
        user_name: given(&filter.account_name),
        name: given(&filter.nick_name),
        mobile: given(&filter.phone),
        email: given(&filter.email),
        org_id: given(&filter.organization_id),
        state: state_filter,
        user_type_id: given(&filter.user_type_id),
        application_id: given(&filter.app_id),
    };
    let bind = which.application_id.is_some();
    let rows = directory_users::page(state.pool(), &caller.tenant_id, which, request).await?;
    let tenant = &caller.tenant_id;
    Ok(ok(crate::page::object(
        rows.map(|u| view(&u, tenant, zone, bind)),
    )))
}

/// The user USR-13 reads.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DetailQuery {
    /// The user's id.
    #[param(required = true)]
    id: Option<String>,
}

/// One user (USR-13).
#[utoipa::path(
    get,
    path = "/user/userInfoDetail",
    tag = "users",
    operation_id = "getUser",
    params(DetailQuery),
    responses(
        (status = 200, description = "The user, without `idBind`.", body = Envelope<UserView>),
        (status = 400, description = "No `id`: `参数错误: id 不能为空`. Outside the envelope, in plain text: a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such user: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<DetailQuery>,
) -> Result<Response, InspurError> {
    let id = given(&query.id).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let user = directory_users::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(json!(view(&user, &caller.tenant_id, zone, false))))
}
