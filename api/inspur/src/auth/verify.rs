//! AUTH-03 `POST /token/verify`: whether an access token is live, and for whom; the token
//! itself is the credential.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use idaas_http::web::Browser;
use serde::Serialize;
use serde_json::{json, Value};
use usecases::oauth;
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};

use super::{params, required};
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope};

/// The parameter of AUTH-03, from the query, a form or a JSON object (the body's wins).
#[derive(ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Described only: `params` reads it.
struct VerifyParams {
    /// The access token to check.
    #[schema(rename = "accessToken")]
    #[param(rename = "accessToken")]
    access_token: Option<String>,
}

/// What AUTH-03 says of a token: `{"active": false}` only, or all that applies of the rest.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TokenStatus {
    /// Whether the token is live: issued here, not expired or revoked, its application enabled
    /// and its user still able to sign in.
    active: bool,
    /// The client id the token was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    client_id: Option<Value>,
    /// The application's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    app_id: Option<String>,
    /// The granted scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    scope: Option<String>,
    /// When the token expires, in Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    exp: Option<Value>,
    /// The user, for a token issued to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    user_id: Option<String>,
    /// The user's sign-in name, for a token issued to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    account_name: Option<String>,
}

impl TokenStatus {
    fn inactive() -> Self {
        Self {
            active: false,
            client_id: None,
            app_id: None,
            scope: None,
            exp: None,
            user_id: None,
            account_name: None,
        }
    }
}

/// Whether an access token is live, and for whom (AUTH-03); the token itself is the credential.
#[utoipa::path(
    post,
    path = "/token/verify",
    tag = "authentication",
    operation_id = "verifyToken",
    params(VerifyParams),
    request_body(content(
        (Option<VerifyParams> = "application/x-www-form-urlencoded"),
        (Option<VerifyParams> = "application/json"),
    ), description = "The parameter, here or in the query."),
    responses(
        (status = 200, description = "What the token is.", body = Envelope<TokenStatus>),
        (status = 400, description = "No `accessToken` (`参数错误: accessToken 不能为空`), or a bad body.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        (status = 429, description = "Too many refused requests (400) from this address: `系统繁忙,请稍后重试`, with `Retry-After`.", body = ErrorEnvelope),
        (status = 500, description = "A program error: the envelope (`系统异常`), or plain text before the tenant is known.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 503, description = "Storage is unavailable or busy for now (with `Retry-After`): the envelope (`系统繁忙,请稍后重试`), or plain text before the tenant is known.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    browser: Browser,
    uri: Uri,
    body: Bytes,
) -> Result<Response, InspurError> {
    let params = params(&uri, &body)?;
    let token = required(&params, "accessToken")?;
    let tenant = &browser.tenant_id;
    let issuer = browser.issuer();
    let Some((row, claims)) = oauth::live_access_token(&state, tenant, &issuer, token).await?
    else {
        return Ok(ok(json!(TokenStatus::inactive())));
    };
    let mut data = TokenStatus {
        active: true,
        client_id: Some(claims["client_id"].clone()),
        app_id: Some(row.application_id),
        scope: Some(row.scope),
        exp: Some(claims["exp"].clone()),
        user_id: None,
        account_name: None,
    };
    if let Some(user_id) = row.user_id {
        let user = projections::users::get(state.pool(), tenant, &user_id).await?;
        match user.filter(|u| u.can_sign_in(state.now())) {
            Some(user) => {
                data.account_name = Some(user.profile.username);
                data.user_id = Some(user_id);
            }
            None => return Ok(ok(json!(TokenStatus::inactive()))),
        }
    }
    Ok(ok(json!(data)))
}
