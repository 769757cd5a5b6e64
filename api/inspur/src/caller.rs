//! The caller (§1.2): a management token of the tenant — `Authorization: Bearer`, a `token`
//! header or a `token` query parameter (the document names none) — with the authority its
//! credential holds (ops/adr/0014). Every management resource is the caller's tenant's.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use usecases::authority;
use usecases::{context, tokens, AppState, Context};

use crate::envelope::InspurError;
use idaas_http::context::RequestMeta;
use idaas_http::failure::Failure;

/// Any management credential of the tenant may call: the directory is what a directory client
/// manages (ops/adr/0014); a credential without one is refused as an invalid token.
pub struct InspurCaller {
    pub tenant_id: String,
    pub context: Context,
}

fn token(parts: &Parts) -> Option<String> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let header = || {
        parts
            .headers
            .get("token")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
    };
    let query = || {
        serde_urlencoded::from_str::<Vec<(String, String)>>(parts.uri.query().unwrap_or(""))
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v)
    };
    bearer
        .or_else(header)
        .or_else(query)
        .filter(|t| !t.is_empty() && t.len() <= 512)
}

impl FromRequestParts<AppState> for InspurCaller {
    type Rejection = InspurError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, InspurError> {
        let token = token(parts).ok_or_else(InspurError::unauthorized)?;
        let tenant_id = idaas_http::context::tenant_of(state, &parts.headers)
            .await
            .map_err(|e| InspurError::failed(Failure::of(&e, "finding the tenant")))?;
        let application_id = tokens::authenticate(state, &tenant_id, &token)
            .await
            .map_err(|e| InspurError::failed(Failure::of(&e, "the token check")))?
            .ok_or_else(InspurError::unauthorized)?;
        authority::held(state, &tenant_id, &application_id)
            .await
            .map_err(|e| InspurError::failed(Failure::of(&e, "the authority check")))?
            .ok_or_else(InspurError::unauthorized)?;
        let meta = RequestMeta::from_parts(parts);
        let context = context(
            &tenant_id,
            meta.metadata("application", &application_id, crate::SURFACE),
        );
        Ok(Self { tenant_id, context })
    }
}
