//! The CAS server (CAS Protocol 3.0; specs/oneaccess.md §2.8, §3.1) under the documented
//! OneAccess base `/api/v1/cas` (JSON by default, as documented) and the standard base `/cas`
//! that stock CAS clients are pointed at (XML by default). `format=` overrides either.

mod login;
mod response;
mod saml;
mod validate;

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::routing::{get, post};
use axum::Router;

use self::response::Format;
use idaas_http::web::Browser;
use usecases::AppState;

/// One CAS base: where it is mounted and what it answers by default.
#[derive(Debug, Clone, Copy)]
pub struct Base {
    pub path: &'static str,
    pub format: Format,
}

pub const ONEACCESS: Base = Base {
    path: "/api/v1/cas",
    format: Format::Json,
};
pub const STANDARD: Base = Base {
    path: "/cas",
    format: Format::Xml,
};

/// Query parameters, leniently: a malformed query is an empty one (and so an `INVALID_REQUEST`).
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query.unwrap_or_default()).unwrap_or_default();
        let mut map = HashMap::new();
        for (key, value) in pairs {
            map.entry(key).or_insert(value);
        }
        Self(map)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A CAS switch (`renew`, `gateway`): set when present, unless `false` or `0`.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| !v.eq_ignore_ascii_case("false") && v != "0")
    }

    pub fn format(&self, base: Base) -> Format {
        Format::pick(self.get("format"), base.format)
    }
}

fn routes(base: Base) -> Router<AppState> {
    let login = move |State(state): State<AppState>, browser: Browser, RawQuery(q): RawQuery| {
        login::login(state, browser, base, Params::parse(q.as_deref()))
    };
    let logout = move |State(state): State<AppState>, browser: Browser, RawQuery(q): RawQuery| {
        login::logout(state, browser, Params::parse(q.as_deref()))
    };
    let validate = move |State(state): State<AppState>, browser: Browser, RawQuery(q): RawQuery| {
        validate::validate(state, browser, Params::parse(q.as_deref()))
    };
    let service_validate =
        move |State(state): State<AppState>, browser: Browser, RawQuery(q): RawQuery| {
            validate::service_validate(state, browser, base, Params::parse(q.as_deref()), false)
        };
    let proxy_validate =
        move |State(state): State<AppState>, browser: Browser, RawQuery(q): RawQuery| {
            validate::service_validate(state, browser, base, Params::parse(q.as_deref()), true)
        };
    let proxy = move |State(state): State<AppState>, browser: Browser, RawQuery(q): RawQuery| {
        validate::proxy(state, browser, base, Params::parse(q.as_deref()))
    };
    Router::new()
        .route("/login", get(login))
        .route("/logout", get(logout))
        .route("/validate", get(validate))
        .route("/serviceValidate", get(service_validate))
        .route("/proxyValidate", get(proxy_validate))
        .route("/p3/serviceValidate", get(service_validate))
        .route("/p3/proxyValidate", get(proxy_validate))
        .route("/proxy", get(proxy))
        .route("/samlValidate", post(saml::saml_validate))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .nest(ONEACCESS.path, routes(ONEACCESS))
        .nest(STANDARD.path, routes(STANDARD))
}
