//! End-user authentication on the tenant's host (specs/inspur-idaas.md §2.15): AUTH-01
//! `GET /render/{mainAccount}/{appId}/auth` sends the browser through the one SSO pipeline — the
//! OAuth authorisation endpoint with the application's registered redirect URI, so the hosted
//! login (in the application's theme), sessions, the user's state and expiry, and the grants
//! of the application to the user or the user's organisations all decide as they do for every
//! protocol — and comes back to the application's `redirectUri` with a single-use `code`;
//! AUTH-02 `POST /token` exchanges it (or a refresh token) for tokens in the envelope;
//! AUTH-03 `POST /token/verify` says whether an access token is live; one file each. Parameters
//! of the last two come from the query, a form or a JSON body (§1.3), read here.

mod render;
mod token;
mod verify;

use std::collections::HashMap;

use axum::http::Uri;
use idaas_http::openapi::ApiRouter;
use serde_json::Value;
use utoipa_axum::routes;

use crate::envelope::InspurError;

pub fn router() -> ApiRouter {
    let routes = ApiRouter::new()
        .routes(routes!(render::render))
        .routes(routes!(token::token))
        .routes(routes!(verify::verify));
    crate::lenient::bodies_may_be_absent(routes)
}

/// The request's parameters: the query's, then a JSON object's or a form's (the body wins).
pub(super) fn params(uri: &Uri, body: &[u8]) -> Result<HashMap<String, String>, InspurError> {
    let mut params: HashMap<String, String> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let text = std::str::from_utf8(body)
        .map_err(|_| InspurError::invalid("请求体不是 UTF-8"))?
        .trim();
    if text.starts_with('{') {
        let object: serde_json::Map<String, Value> = serde_json::from_str(text)
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        for (key, value) in object {
            match value {
                Value::String(s) => params.insert(key, s),
                Value::Number(n) => params.insert(key, n.to_string()),
                _ => None,
            };
        }
    } else if !text.is_empty() {
        let form: Vec<(String, String)> = serde_urlencoded::from_str(text)
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        params.extend(form);
    }
    Ok(params)
}

/// A parameter that must be given and not blank.
pub(super) fn required<'a>(
    params: &'a HashMap<String, String>,
    name: &str,
) -> Result<&'a str, InspurError> {
    params
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| InspurError::invalid(format!("{name} 不能为空")))
}
