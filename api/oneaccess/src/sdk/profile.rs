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
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::request::SdkRequest;
use crate::body::{text, Body};
use crate::error::OneAccessError;
use crate::users::attributes;
use usecases::sdk::tickets::{self, Unchangeable};
use usecases::sdk::{self};
use usecases::users::UserRequest;
use usecases::AppState;

#[derive(Debug, Default, Deserialize)]
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
    #[serde(default)]
    extension: Option<Map<String, Value>>,
    // Named so that they can be refused with a clear message rather than as unknown fields.
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "text")]
    mobile: Option<String>,
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

pub async fn update(
    State(state): State<AppState>,
    request: SdkRequest,
    Body(body): Body<ProfileBody>,
) -> Result<Json<Value>, OneAccessError> {
    let device = request.device()?;
    request.client(&state).await?;
    let token = request.header("x-session-token").unwrap_or_default();
    let device_hash = sdk::device_hash(&state, &device.fingerprint);
    let (change, unchangeable) = body.split();
    let ctx = request.context();
    let user_id =
        tickets::update_profile(&state, ctx, token, &device_hash, change, unchangeable).await?;
    Ok(Json(json!({ "user_id": user_id })))
}
