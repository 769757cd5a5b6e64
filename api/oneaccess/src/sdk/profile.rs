//! `POST /api/v2/sdk/profile/update` — the signed-in user changes their own profile (seed 002 A8):
//! authenticated by the `session_token` in `X-session-token`, from the device the session is bound
//! to (the device headers and `X-client-id` as for login). A missing, unknown, ended, expired or
//! other-device session token is PARAM.0030 (ADR 0006). The password, mobile number and email
//! cannot be changed here; administrative attributes (organisations, employee id, manager,
//! personnel type, hire date) are not in the body at all. Partial: absent or empty attributes stay
//! as they are. Answers `{"user_id"}`.

use axum::extract::State;
use axum::Json;
use domain::user::UserInput;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::error::{FAILED, THROTTLED};
use super::request::{DeviceHeaders, SdkRequest};
use crate::body::{text, Body};
use crate::error::{ErrorBody, OneAccessError};
use crate::users::attributes;
use usecases::sdk::tickets::{self, Unchangeable};
use usecases::sdk::{self};
use usecases::users::UserRequest;
use usecases::AppState;

/// The attributes to change (their rules are the management API's, USER.*); absent or empty
/// ones stay. `password`, `mobile` and `email` are refused when given (PARAM.0000); any other
/// field is unknown (PARAM.0000).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    #[serde(default, deserialize_with = "text")]
    user_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    middle_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    last_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_nick_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_birthday: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_gender: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_identity_type: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_identity_number: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_area: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_city: Option<String>,
    #[serde(default, deserialize_with = "text")]
    attr_work_place: Option<String>,
    /// Custom extension attributes.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    extension: Option<Map<String, Value>>,
    // Named so that they can be refused with a clear message rather than as unknown fields.
    /// Refused when given: not changeable here.
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    /// Refused when given: not changeable here.
    #[serde(default, deserialize_with = "text")]
    mobile: Option<String>,
    /// Refused when given: not changeable here.
    #[serde(default, deserialize_with = "text")]
    email: Option<String>,
}

impl ProfileBody {
    fn split(self) -> (UserRequest, Unchangeable) {
        let fields = attributes::given([
            ("user_name", self.user_name),
            ("name", self.name),
            ("first_name", self.first_name),
            ("middle_name", self.middle_name),
            ("last_name", self.last_name),
            ("attr_nick_name", self.attr_nick_name),
            ("attr_birthday", self.attr_birthday),
            ("attr_gender", self.attr_gender),
            ("attr_identity_type", self.attr_identity_type),
            ("attr_identity_number", self.attr_identity_number),
            ("attr_area", self.attr_area),
            ("attr_city", self.attr_city),
            ("attr_work_place", self.attr_work_place),
        ]);
        let request = UserRequest {
            input: UserInput {
                fields,
                extension: self.extension,
                ..UserInput::default()
            },
            ..UserRequest::default()
        };
        let unchangeable = Unchangeable {
            password: self.password,
            mobile: self.mobile,
            email: self.email,
        };
        (request, unchangeable)
    }
}

/// The user whose profile changed.
#[derive(Serialize, ToSchema)]
pub struct ProfileAnswer {
    user_id: String,
}

/// The session of a signed-in user.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // Describes what `update` reads.
pub struct SessionTokenHeader {
    /// The `session_token` of a SUCCESS login from this device (PARAM.0030 when missing,
    /// unknown, ended, expired or from another device).
    #[param(rename = "X-session-token")]
    session_token: String,
}

/// Changes the signed-in user's own profile (not the password, mobile number or email).
#[utoipa::path(
    post,
    path = "/api/v2/sdk/profile/update",
    operation_id = "sdk_update_profile",
    tag = "profile",
    params(DeviceHeaders, SessionTokenHeader),
    request_body = ProfileBody,
    responses(
        (status = 200, description = "The user's id.", body = ProfileAnswer),
        (status = 400, description = "Device headers missing (PARAM.0001), no, an unknown or a \
            disabled client (PARAM.0002, APP.0001, APP.0003), a bad session token (PARAM.0030), an \
            unknown or unchangeable field (PARAM.0000), a duplicate or invalid attribute (USER.*).",
            body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    request: SdkRequest,
    Body(body): Body<ProfileBody>,
) -> Result<Json<ProfileAnswer>, OneAccessError> {
    let device = request.device()?;
    request.client(&state).await?;
    let token = request.header("x-session-token").unwrap_or_default();
    let device_hash = sdk::device_hash(&state, &device.fingerprint);
    let (change, unchangeable) = body.split();
    let ctx = request.context();
    let user_id =
        tickets::update_profile(&state, ctx, token, &device_hash, change, unchangeable).await?;
    Ok(Json(ProfileAnswer { user_id }))
}
