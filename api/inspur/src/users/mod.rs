//! Users ("accounts", specs/inspur-idaas.md §2.6) as far as built: USR-04 the filtered page
//! (`POST`, filters in the query or a JSON body), USR-13 the detail, USR-05 deletion (with the
//! users' extended-field values) and USR-12 removal to the top organisation — the directory's
//! users, whichever API made them. Fields the directory does not hold yet (user type, expiry,
//! description, external id, created type) are `null`; a password is never emitted.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use projections::directory_users::{self, DirectoryUser, UserFilter};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::AppState;

use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::text;
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/user/page/{page_no}/{page_size}", post(page))
        .route("/user/userInfoDetail", get(detail))
        .route("/user/delete", post(delete))
        .route("/user/remove", post(remove))
}

#[derive(Deserialize, Default)]
pub struct IdsBody {
    #[serde(default, rename = "idList")]
    id_list: Option<Vec<String>>,
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
}

/// The user ids a request names: `idList` (a JSON array, or repeated or comma-separated form or
/// query fields) or a single `id`.
fn ids(query: Option<&str>, bytes: &[u8]) -> Result<Vec<String>, InspurError> {
    let mut ids = Vec::new();
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    let text = std::str::from_utf8(bytes).unwrap_or("").trim();
    if text.starts_with('{') {
        let body: IdsBody = serde_json::from_str(text)
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        ids.extend(body.id_list.unwrap_or_default());
        ids.extend(body.id);
    } else if !text.is_empty() {
        pairs.extend(serde_urlencoded::from_str::<Vec<(String, String)>>(text).unwrap_or_default());
    }
    for (key, value) in pairs {
        if key == "id" || key == "idList" || key == "idList[]" {
            ids.extend(value.split(',').map(|v| v.trim().to_string()));
        }
    }
    ids.retain(|id| !id.is_empty());
    ids.dedup();
    if ids.is_empty() {
        return Err(InspurError::invalid("idList 不能为空"));
    }
    if ids.len() > 1000 {
        return Err(InspurError::invalid("一次最多 1000 个账户"));
    }
    Ok(ids)
}

/// USR-05 `POST /user/delete` (`idList`): the users and their extended-field values go.
async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    uri: axum::http::Uri,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let users = ids(uri.query(), &bytes)?;
    for user in &users {
        if directory_users::get(state.pool(), &caller.tenant_id, user)
            .await?
            .is_none()
        {
            return Err(InspurError::rule(format!("账户不存在: {user}")));
        }
    }
    for user in &users {
        usecases::users::change_life(&state, &caller.context, user, usecases::Lifecycle::Delete)
            .await?;
        usecases::field_values::clear(&state, &caller.context, user)
            .await
            .map_err(|e| match e {
                usecases::field_values::ValueRefused::Service(e) => InspurError::from(e),
                other => InspurError::invalid(other),
            })?;
    }
    Ok(ok(Value::Null))
}

/// USR-12 `POST /user/remove` (`id` or `idList` from the form, the query or a JSON body): the
/// users move to the top organisation (the first root, as a user made without one is placed).
async fn remove(
    State(state): State<AppState>,
    caller: InspurCaller,
    uri: axum::http::Uri,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let users = ids(uri.query(), &bytes)?;
    let root = projections::organizations::first_root(state.pool(), &caller.tenant_id)
        .await?
        .ok_or_else(|| InspurError::rule("没有根组织机构"))?;
    for user in &users {
        let request = usecases::users::UserRequest {
            input: Default::default(),
            password: None,
            pwd_must_modify: None,
            org_code: Some(root.org_code.clone()),
            relations: None,
        };
        usecases::users::update(&state, &caller.context, user, request).await?;
    }
    Ok(ok(Value::Null))
}

fn view(user: &DirectoryUser, zone: i32, bind: bool) -> Value {
    let mut object = json!({
        "id": user.user_id,
        "email": user.email,
        "phone": user.mobile,
        "createdType": null,
        "nickName": user.name,
        "expirationTime": null,
        "createdTime": wire(user.created_at, zone),
        "updateTime": wire(user.updated_at, zone),
        "creator": null,
        "accountId": null,
        "description": null,
        "organizationId": user.org_id,
        "status": if user.disabled { "2" } else { "1" },
        "userType": null,
        "accountName": user.user_name,
        "organName": user.org_name,
        "userTypeName": null,
        "externalId": null,
    });
    if bind {
        object["idBind"] = json!(if user.bound { "1" } else { "0" });
    }
    object
}

#[derive(Deserialize, Default)]
pub struct PageFilter {
    #[serde(default, deserialize_with = "text", rename = "accountName")]
    account_name: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "organizationId")]
    organization_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    status: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "userTypeId")]
    user_type_id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "nickName")]
    nick_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "appId")]
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

/// USR-04 `POST /user/page/{pageNo}/{pageSize}`.
async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    axum::extract::Path((page_no, page_size)): axum::extract::Path<(String, String)>,
    Query(query): Query<PageFilter>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let body: PageFilter = if bytes.iter().all(u8::is_ascii_whitespace) {
        PageFilter::default()
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?
    };
    let filter = merged(query, body);
    let zone = state.config.utc_offset_minutes;
    let empty = || {
        ok(crate::page::object(projections::page::Page {
            items: Vec::new(),
            total: 0,
            request,
        }))
    };
    // No user has a type or has left yet: those filters match nobody.
    if given(&filter.user_type_id).is_some() {
        return Ok(empty());
    }
    let disabled = match given(&filter.status) {
        None => None,
        Some("1") => Some(false),
        Some("2") => Some(true),
        Some("0") => return Ok(empty()),
        Some(_) => return Err(InspurError::invalid("status 必须是 0、1 或 2")),
    };
    let which = UserFilter {
        user_name: given(&filter.account_name),
        name: given(&filter.nick_name),
        mobile: given(&filter.phone),
        email: given(&filter.email),
        org_id: given(&filter.organization_id),
        disabled,
        application_id: given(&filter.app_id),
    };
    let bind = which.application_id.is_some();
    let rows = directory_users::page(state.pool(), &caller.tenant_id, which, request).await?;
    Ok(ok(crate::page::object(rows.map(|u| view(&u, zone, bind)))))
}

#[derive(Deserialize)]
pub struct DetailQuery {
    id: Option<String>,
}

/// USR-13 `GET /user/userInfoDetail?id=`.
async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<DetailQuery>,
) -> Result<Response, InspurError> {
    let id = given(&query.id).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let user = directory_users::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(ok(view(&user, state.config.utc_offset_minutes, false)))
}
