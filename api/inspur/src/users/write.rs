//! User changes (specs/inspur-idaas.md §2.6): USR-10 create and USR-03 update (with a new
//! password and a new state, written together or not at all), in the surface's words.

use axum::extract::State;
use axum::response::Response;
use domain::password::PasswordViolation;
use domain::user::{AccountDetails, AccountState, UserError, UserField, UserInput};
use domain::user_type::UserTypeError;
use domain::ClaimKind;
use projections::directory_users;
use serde::Deserialize;
use serde_json::Value;
use usecases::users::UserRequest;
use usecases::{AppState, ServiceError};
use utoipa::ToSchema;

use super::described::Null;
use crate::apps::described::{body_requiring, CallRefused, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::{body, present, text};
use crate::schema::{Envelope, ErrorEnvelope};

/// The body of USR-10 (create: `accountName`, `phone`, `nickName`, `expirationTime`,
/// `organizationId`, `userType` and `p6d` required, no `id`) and USR-03 (update: `id`
/// required, any other field changes what it names). Blank text is the same as absent.
#[derive(Deserialize, Default, ToSchema)]
pub struct UserBody {
    /// The user to update (USR-03 only).
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    pub id: Option<String>,
    /// The sign-in name, unique in the tenant.
    #[serde(default, deserialize_with = "text", rename = "accountName")]
    #[schema(value_type = LenientText)]
    pub account_name: Option<String>,
    /// Unique in the tenant.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    pub email: Option<String>,
    /// The mobile number, unique in the tenant.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    pub phone: Option<String>,
    /// The display name.
    #[serde(default, deserialize_with = "text", rename = "nickName")]
    #[schema(value_type = LenientText)]
    pub nick_name: Option<String>,
    /// When the account expires: `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd HH:mm` or `yyyy-MM-dd`
    /// (the end of that day) in the tenant's zone, RFC 3339, or 13-digit Unix milliseconds.
    #[serde(default, deserialize_with = "text", rename = "expirationTime")]
    #[schema(value_type = LenientText)]
    pub expiration_time: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    pub description: Option<String>,
    /// Also read as `externald`, the document's spelling.
    #[serde(
        default,
        deserialize_with = "text",
        rename = "externalId",
        alias = "externald"
    )]
    #[schema(value_type = LenientText)]
    pub external_id: Option<String>,
    /// An enabled organisation's id; on update, the user moves there.
    #[serde(default, deserialize_with = "text", rename = "organizationId")]
    #[schema(value_type = LenientText)]
    pub organization_id: Option<String>,
    /// An enabled user type's id.
    #[serde(default, deserialize_with = "text", rename = "userType")]
    #[schema(value_type = LenientText)]
    pub user_type: Option<String>,
    /// The password (on update, a new one), checked against the tenant's password policy. Also
    /// read as `password`.
    #[serde(default, deserialize_with = "text", rename = "p6d", alias = "password")]
    #[schema(value_type = LenientText)]
    pub password: Option<String>,
    /// USR-03 only: "1" normal, "2" disabled, "0" left.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    pub status: Option<String>,
}

body_requiring!(
    /// The body of USR-10 (no `id`).
    NewUser = UserBody[
        "accountName",
        "phone",
        "nickName",
        "expirationTime",
        "organizationId",
        "userType",
        "p6d"
    ]
);
body_requiring!(
    /// The body of USR-03.
    UserChange = UserBody["id"]
);

/// The wire name of a user attribute, for messages.
fn wire_name(field: UserField) -> &'static str {
    match field {
        UserField::Username => "accountName",
        UserField::DisplayName => "nickName",
        UserField::Mobile => "phone",
        UserField::Email => "email",
        other => other.name(),
    }
}

fn password_message(violation: PasswordViolation) -> String {
    let why = match violation {
        PasswordViolation::ReusedFromHistory => "不能使用历史密码".to_string(),
        PasswordViolation::ReversedUserName => "不能是倒序的账户名称".to_string(),
        PasswordViolation::ContainsPersonalInfo => "不能包含账户名称、手机号或邮箱前缀".to_string(),
        PasswordViolation::TooSimple => "字符类型太少".to_string(),
        PasswordViolation::OnWeakList => "属于弱密码".to_string(),
        PasswordViolation::TooManyRepeated(n) => format!("连续相同字符最多 {n} 个"),
        PasswordViolation::Length(min, max) => format!("长度应为 {min} 到 {max} 个字符"),
        PasswordViolation::Required => "密码不能为空".to_string(),
    };
    format!("密码不符合密码策略: {why}")
}

/// A refused user change in the surface's words.
pub(super) fn refused(error: ServiceError) -> InspurError {
    match error {
        ServiceError::User(UserError::Required(field)) => {
            InspurError::invalid(format!("{} 不能为空", wire_name(field)))
        }
        ServiceError::User(UserError::Invalid(field)) => {
            InspurError::invalid(format!("{} 格式不正确", wire_name(field)))
        }
        ServiceError::User(UserError::Password(violation)) => {
            InspurError::invalid(password_message(violation))
        }
        ServiceError::User(UserError::InvalidAccount) => {
            InspurError::invalid("外部ID、描述或账户类型过长(最多 255 个字符)")
        }
        ServiceError::Claimed(ClaimKind::UserName) => InspurError::rule("账户名称已存在"),
        ServiceError::Claimed(ClaimKind::UserMobile) => InspurError::rule("手机号已存在"),
        ServiceError::Claimed(ClaimKind::UserEmail) => InspurError::rule("邮箱已存在"),
        ServiceError::Claimed(kind) => InspurError::rule(format!("唯一字段已存在: {kind}")),
        ServiceError::OrgCodeNotFound => InspurError::rule("组织机构不存在"),
        ServiceError::UserType(UserTypeError::NotFound) => InspurError::rule("账户类型不存在"),
        ServiceError::UserType(UserTypeError::Disabled) => InspurError::rule("账户类型已禁用"),
        other => other.into(),
    }
}

/// What a body asks for, in dialect-neutral form; `creating` (how: `createdType`) also asks
/// for the fields USR-10 requires.
pub(super) async fn request_of(
    state: &AppState,
    caller: &InspurCaller,
    body: UserBody,
    creating: Option<&str>,
) -> Result<(UserRequest, Option<AccountState>), InspurError> {
    if creating.is_some() {
        let required = [
            ("accountName", &body.account_name),
            ("phone", &body.phone),
            ("nickName", &body.nick_name),
            ("expirationTime", &body.expiration_time),
            ("organizationId", &body.organization_id),
            ("userType", &body.user_type),
            ("p6d", &body.password),
        ];
        if let Some((name, _)) = required
            .iter()
            .find(|(_, v)| present((*v).clone()).is_none())
        {
            return Err(InspurError::invalid(format!("{name} 不能为空")));
        }
    }
    let zone = state.config.utc_offset_minutes;
    let expires_at = match present(body.expiration_time) {
        Some(text) => Some(crate::time::parse(&text, zone).ok_or_else(|| {
            InspurError::invalid("expirationTime 格式不正确,应为 yyyy-MM-dd HH:mm:ss")
        })?),
        None => None,
    };
    let org_code = match present(body.organization_id) {
        Some(id) => {
            let organ = projections::organs::get(state.pool(), &caller.tenant_id, &id)
                .await?
                .ok_or_else(|| InspurError::rule("组织机构不存在"))?;
            if organ.disabled {
                return Err(InspurError::rule("组织机构已禁用"));
            }
            Some(organ.code)
        }
        None => None,
    };
    let target = match present(body.status).as_deref() {
        None => None,
        Some("1") => Some(AccountState::Active),
        Some("2") => Some(AccountState::Disabled),
        Some("0") => Some(AccountState::Left),
        Some(_) => return Err(InspurError::invalid("status 必须是 0、1 或 2")),
    };
    let fields = [
        (UserField::Username, body.account_name),
        (UserField::DisplayName, body.nick_name),
        (UserField::Mobile, body.phone),
        (UserField::Email, body.email),
    ]
    .into_iter()
    .filter_map(|(field, value)| present(value).map(|v| (field, v)))
    .collect();
    let account = AccountDetails {
        external_id: present(body.external_id),
        user_type_id: present(body.user_type),
        expires_at,
        description: present(body.description),
        created_type: creating.map(str::to_string),
    };
    let request = UserRequest {
        input: UserInput {
            fields,
            extension: None,
            account,
        },
        password: body.password.filter(|p| !p.is_empty()),
        // Inspur has no "must change the password" rule: an administrator's password stands.
        pwd_must_modify: creating.map(|_| false),
        org_code,
        relations: None,
    };
    Ok((request, target))
}

/// Creates a user from a body (`created_type`: by the API or by an import); its id.
pub(super) async fn create_one(
    state: &AppState,
    caller: &InspurCaller,
    body: UserBody,
    created_type: &str,
) -> Result<String, InspurError> {
    let (request, _) = request_of(state, caller, body, Some(created_type)).await?;
    usecases::users::create(state, &caller.context, request)
        .await
        .map_err(refused)
}

/// Creates a user (USR-10); the answer carries no id, as the document has it.
#[utoipa::path(
    post,
    path = "/user/createUser",
    tag = "users",
    operation_id = "createUser",
    request_body = NewUser,
    responses(
        (status = 200, description = "Created; `data` null.", body = Envelope<Null>),
        (status = 400, description = "A missing or malformed field (`参数错误: … 不能为空`, `… 格式不正确`), an `id`, a password the policy refuses, a bad body, or a rule: `账户名称已存在`, `手机号已存在`, `邮箱已存在`, `组织机构不存在`, `组织机构已禁用`, `账户类型不存在`, `账户类型已禁用`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: UserBody = body(&bytes)?;
    if present(body.id.clone()).is_some() {
        return Err(InspurError::invalid(
            "新增账户不能指定 id,修改请用 updateUser",
        ));
    }
    create_one(&state, &caller, body, domain::user::CREATED_BY_API).await?;
    Ok(ok(Value::Null))
}

/// Changes a user's attributes, organisation, type, password and state in one decision (USR-03).
#[utoipa::path(
    post,
    path = "/user/updateUser",
    tag = "users",
    operation_id = "updateUser",
    request_body = UserChange,
    responses(
        (status = 200, description = "Changed; `data` null.", body = Envelope<Null>),
        (status = 400, description = "No `id`, a malformed field, a `status` other than 0, 1 or 2, a password the policy refuses, a bad body, or a rule: `账户名称已存在`, `手机号已存在`, `邮箱已存在`, `组织机构不存在`, `组织机构已禁用`, `账户类型不存在`, `账户类型已禁用`.", body = ErrorEnvelope),
        (status = 404, description = "No such user: `资源不存在`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let mut body: UserBody = body(&bytes)?;
    let id = present(body.id.take()).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let current = directory_users::get(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    // Clients send the whole object back: an organisation or type echoed unchanged is not
    // checked again (it may have been disabled since).
    let unchanged = |given: &Option<String>, current: &Option<String>| {
        given.as_deref().map(str::trim) == current.as_deref()
    };
    if unchanged(&body.organization_id, &current.org_id) {
        body.organization_id = None;
    }
    if unchanged(&body.user_type, &current.user_type_id) {
        body.user_type = None;
    }
    let (request, target) = request_of(&state, &caller, body, None).await?;
    usecases::users::revise(&state, &caller.context, &id, request, target)
        .await
        .map_err(refused)?;
    Ok(ok(Value::Null))
}
