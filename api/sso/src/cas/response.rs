//! CAS response bodies: XML as the CAS Protocol 3.0 specification gives it and JSON as OneAccess
//! documents it (specs/oneaccess.md §3.1): an attribute without a value is left out of both (the
//! reference's XML text `null` is stored as the string "null" by stock clients; ADR 0007);
//! booleans stay booleans in JSON. Every answer is HTTP 200.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use idaas_http::pages::escape;
use usecases::cas::{CasFailure, Validated};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// `format=` (any case) or the surface's default.
    pub fn pick(requested: Option<&str>, default: Format) -> Format {
        match requested.map(str::to_ascii_uppercase).as_deref() {
            Some("JSON") => Format::Json,
            Some("XML") => Format::Xml,
            _ => default,
        }
    }
}

const XML_TYPE: &str = "application/xml;charset=UTF-8";
const JSON_TYPE: &str = "application/json;charset=UTF-8";

fn reply(content_type: &'static str, body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn json_reply(value: Value) -> Response {
    let body = serde_json::to_string_pretty(&value).unwrap_or_default();
    reply(JSON_TYPE, body)
}

fn xml_reply(inner: String) -> Response {
    reply(
        XML_TYPE,
        format!(
            "<cas:serviceResponse xmlns:cas=\"http://www.yale.edu/tp/cas\">\n{inner}</cas:serviceResponse>\n"
        ),
    )
}

/// An attribute value as XML text: strings as they are, numbers and booleans as JSON prints
/// them, objects as JSON text.
fn xml_text(value: &Value) -> String {
    match value {
        Value::String(s) => escape(s),
        other => escape(&other.to_string()),
    }
}

/// A CAS attribute element name: the attribute's name when it is a plain XML name.
fn element_name(name: &str) -> Option<&str> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (first_ok && rest_ok).then_some(name)
}

fn xml_attributes(attributes: &Map<String, Value>) -> String {
    let mut out = String::new();
    for (name, value) in attributes {
        let Some(name) = element_name(name) else {
            continue;
        };
        let values: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for value in values {
            out.push_str(&format!(
                "            <cas:{name}>{}</cas:{name}>\n",
                xml_text(value)
            ));
        }
    }
    out
}

/// A successful validation (`serviceValidate`, `proxyValidate`, and the `p3/` ones).
pub fn success(format: Format, validated: &Validated) -> Response {
    match format {
        Format::Json => {
            let attributes: Map<String, Value> = validated
                .attributes
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut success = Map::new();
            success.insert("attributes".into(), Value::Object(attributes));
            success.insert("user".into(), Value::String(validated.user.clone()));
            if let Some(iou) = &validated.pgt_iou {
                success.insert("proxyGrantingTicket".into(), Value::String(iou.clone()));
            }
            if !validated.proxies.is_empty() {
                success.insert("proxies".into(), json!(validated.proxies));
            }
            json_reply(json!({"serviceResponse": {"authenticationSuccess": success}}))
        }
        Format::Xml => {
            let mut inner = format!(
                "    <cas:authenticationSuccess>\n        <cas:user>{}</cas:user>\n",
                escape(&validated.user)
            );
            inner.push_str("        <cas:attributes>\n");
            inner.push_str(&xml_attributes(&validated.attributes));
            inner.push_str("        </cas:attributes>\n");
            if let Some(iou) = &validated.pgt_iou {
                inner.push_str(&format!(
                    "        <cas:proxyGrantingTicket>{}</cas:proxyGrantingTicket>\n",
                    escape(iou)
                ));
            }
            if !validated.proxies.is_empty() {
                inner.push_str("        <cas:proxies>\n");
                for proxy in &validated.proxies {
                    inner.push_str(&format!(
                        "            <cas:proxy>{}</cas:proxy>\n",
                        escape(proxy)
                    ));
                }
                inner.push_str("        </cas:proxies>\n");
            }
            inner.push_str("    </cas:authenticationSuccess>\n");
            xml_reply(inner)
        }
    }
}

/// A failed validation.
pub fn failure(format: Format, failure: &CasFailure) -> Response {
    match format {
        Format::Json => json_reply(json!({"serviceResponse": {"authenticationFailure": {
            "code": failure.code,
            "description": failure.json_description(),
        }}})),
        Format::Xml => xml_reply(format!(
            "    <cas:authenticationFailure code=\"{}\">{}</cas:authenticationFailure>\n",
            failure.code,
            escape(&failure.message)
        )),
    }
}

/// `/proxy`: the proxy ticket.
pub fn proxy_success(format: Format, ticket: &str) -> Response {
    match format {
        Format::Json => {
            json_reply(json!({"serviceResponse": {"proxySuccess": {"proxyTicket": ticket}}}))
        }
        Format::Xml => xml_reply(format!(
            "    <cas:proxySuccess>\n        <cas:proxyTicket>{}</cas:proxyTicket>\n    </cas:proxySuccess>\n",
            escape(ticket)
        )),
    }
}

/// `/proxy`: why no proxy ticket was issued.
pub fn proxy_failure(format: Format, failure: &CasFailure) -> Response {
    match format {
        Format::Json => json_reply(json!({"serviceResponse": {"proxyFailure": {
            "code": failure.code,
            "description": failure.message,
        }}})),
        Format::Xml => xml_reply(format!(
            "    <cas:proxyFailure code=\"{}\">{}</cas:proxyFailure>\n",
            failure.code,
            escape(&failure.message)
        )),
    }
}

/// CAS 1.0 `/validate`: `yes\n<user>\n` or `no\n\n`.
pub fn plain(user: Option<&str>) -> Response {
    let body = match user {
        Some(user) => format!("yes\n{user}\n"),
        None => "no\n\n".to_string(),
    };
    reply("text/plain;charset=UTF-8", body)
}
