//! Sending a SAML message through the browser: HTTP-Redirect (DEFLATE, base64, the query signed
//! as the binding says) or HTTP-POST (the message signed, in a self-submitting form).

use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use usecases::Context;

use idaas_http::web;
use usecases::saml::{keys, sign};
use usecases::AppState;
use usecases::ServiceError;
use xml_dsig as dsig;

#[allow(clippy::too_many_arguments)]
pub async fn send(
    state: &AppState,
    ctx: &Context,
    redirect: bool,
    url: &str,
    param: &str,
    message: &str,
    id: &str,
    relay_state: Option<&str>,
) -> Result<Response, ServiceError> {
    if redirect {
        let encoded = STANDARD.encode(dsig::deflate(message.as_bytes()));
        let mut query = format!("{param}={}", web::encode(&encoded));
        if let Some(relay) = relay_state {
            query.push_str(&format!("&RelayState={}", web::encode(relay)));
        }
        let signer = keys::signer(state, ctx).await?;
        let signed = dsig::sign_redirect(&query, &signer.pair)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("signing a redirect: {e}")))?;
        let separator = if url.contains('?') { '&' } else { '?' };
        return Ok(web::redirect(&format!("{url}{separator}{signed}")));
    }
    let signed = sign(state, ctx, message, id).await?;
    let mut fields = vec![(param, STANDARD.encode(signed))];
    if let Some(relay) = relay_state {
        fields.push(("RelayState", relay.to_string()));
    }
    Ok(web::form_post(url, &fields))
}

/// A signed Response (already signed as the SP wants) posted to the ACS.
pub fn post_response(acs_url: &str, response: &str, relay_state: Option<&str>) -> Response {
    let mut fields = vec![("SAMLResponse", STANDARD.encode(response))];
    if let Some(relay) = relay_state {
        fields.push(("RelayState", relay.to_string()));
    }
    web::form_post(acs_url, &fields)
}
