//! Ticket validation (specs/oneaccess.md #40, #42, #43; CAS Protocol 3.0 §2.4–§2.7): `validate`
//! (CAS 1.0 text), `serviceValidate` and `proxyValidate` (and their `p3/` twins), and `proxy`.

use axum::response::Response;

use super::response::{self, Format};
use super::{Base, Params};
use idaas_http::web::Browser;
use usecases::cas::{self, ValidateRequest};
use usecases::AppState;

fn request(params: &Params, proxy_tickets_accepted: bool, with_pgt: bool) -> ValidateRequest {
    ValidateRequest {
        ticket: params.get("ticket").map(str::to_string),
        service: params.get("service").map(str::to_string),
        renew: params.flag("renew"),
        pgt_url: if with_pgt {
            params.get("pgtUrl").map(str::to_string)
        } else {
            None
        },
        proxy_tickets_accepted,
    }
}

/// CAS 1.0: service tickets only, no attributes, no proxying.
pub async fn validate(state: AppState, browser: Browser, params: Params) -> Response {
    let ctx = browser.context();
    match cas::validate(&state, &ctx, request(&params, false, false)).await {
        Ok(validated) => response::plain(Some(&validated.user)),
        Err(_) => response::plain(None),
    }
}

/// CAS 2.0 / 3.0 `serviceValidate` (service tickets) and `proxyValidate` (proxy tickets too).
pub async fn service_validate(
    state: AppState,
    browser: Browser,
    base: Base,
    params: Params,
    proxy_tickets_accepted: bool,
) -> Response {
    let format = params.format(base);
    let ctx = browser.context();
    match cas::validate(&state, &ctx, request(&params, proxy_tickets_accepted, true)).await {
        Ok(validated) => response::success(format, &validated),
        Err(failure) => response::failure(format, &failure),
    }
}

pub async fn proxy(state: AppState, browser: Browser, base: Base, params: Params) -> Response {
    let format: Format = params.format(base);
    let ctx = browser.context();
    match cas::proxy(&state, &ctx, params.get("pgt"), params.get("targetService")).await {
        Ok(ticket) => response::proxy_success(format, &ticket),
        Err(failure) => response::proxy_failure(format, &failure),
    }
}
