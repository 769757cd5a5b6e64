//! `POST {base}/samlValidate?TARGET={service}`: CAS ticket validation over SAML 1.1 in a SOAP
//! envelope, as Apereo CAS offers it. The request's `AssertionArtifact` is the service ticket;
//! the answer is an (unsigned, as Apereo's) SAML 1.1 `Response` with the user as
//! `NameIdentifier` and the released attributes. Requests with a DOCTYPE are refused unread.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::Value;
use usecases::clock::{IdSource, RandomIds};

use super::Params;
use idaas_http::pages::escape;
use idaas_http::web::Browser;
use usecases::cas::{self, iso_millis, CasFailure, ValidateRequest, Validated};
use usecases::AppState;

/// The largest request read: a SOAP envelope around one ticket is a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;
/// How long the assertion may be relied on.
const ASSERTION_LIFETIME_MS: i64 = 30_000;

pub async fn saml_validate(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = Params::parse(query.as_deref());
    let target = params.get("TARGET").map(str::to_string);
    let parsed = std::str::from_utf8(&body)
        .map_err(|_| "the request is not UTF-8")
        .and_then(|text| {
            if body.len() > MAX_BODY {
                Err("the request is too large")
            } else {
                read_request(text)
            }
        });
    let (ticket, request_id) = match parsed {
        Ok(found) => found,
        Err(message) => return envelope(failure_response(state.now(), None, "Requester", message)),
    };
    let request = ValidateRequest {
        ticket: Some(ticket),
        service: target.clone(),
        ..Default::default()
    };
    let ctx = browser.context();
    match cas::validate(&state, &ctx, request).await {
        Ok(validated) => envelope(success_response(
            state.now(),
            &validated,
            target.as_deref().unwrap_or_default(),
            request_id.as_deref(),
            &browser.base_url(),
        )),
        Err(failure) => envelope(failure_response(
            state.now(),
            request_id.as_deref(),
            status_of(&failure),
            &failure.message,
        )),
    }
}

fn status_of(failure: &CasFailure) -> &'static str {
    match failure.code {
        "INVALID_REQUEST" => "Requester",
        "INTERNAL_ERROR" => "Responder",
        _ => "RequestDenied",
    }
}

fn attribute(start: &BytesStart, name: &[u8]) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// The `AssertionArtifact` (the ticket) and the `RequestID` of a SAML 1.1 request.
fn read_request(text: &str) -> Result<(String, Option<String>), &'static str> {
    let mut reader = Reader::from_str(text);
    let (mut ticket, mut request_id) = (None::<String>, None);
    let mut in_artifact = false;
    loop {
        match reader.read_event() {
            Ok(Event::DocType(_)) => return Err("a DOCTYPE is not accepted"),
            Ok(Event::Start(start)) | Ok(Event::Empty(start)) => {
                match start.local_name().as_ref() {
                    b"AssertionArtifact" => {
                        in_artifact = true;
                        ticket.get_or_insert_with(String::new);
                    }
                    b"Request" => request_id = attribute(&start, b"RequestID"),
                    _ => {}
                }
            }
            Ok(Event::Text(text)) if in_artifact => {
                let decoded = text.decode().map_err(|_| "the request is not UTF-8")?;
                if let Some(t) = ticket.as_mut() {
                    t.push_str(decoded.trim());
                }
            }
            Ok(Event::End(end)) if end.local_name().as_ref() == b"AssertionArtifact" => {
                in_artifact = false;
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err("the request is not well-formed XML"),
            Ok(_) => {}
        }
    }
    match ticket.filter(|t| !t.is_empty()) {
        Some(ticket) => Ok((ticket, request_id)),
        None => Err("the request carries no AssertionArtifact"),
    }
}

fn envelope(inner: String) -> Response {
    let body = format!(
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <SOAP-ENV:Header/><SOAP-ENV:Body>{inner}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    );
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn response_open(now: i64, request_id: Option<&str>, recipient: Option<&str>) -> String {
    let in_response_to = request_id
        .map(|id| format!(" InResponseTo=\"{}\"", escape(id)))
        .unwrap_or_default();
    let recipient = recipient
        .map(|r| format!(" Recipient=\"{}\"", escape(r)))
        .unwrap_or_default();
    format!(
        "<saml1p:Response xmlns:saml1p=\"urn:oasis:names:tc:SAML:1.0:protocol\" \
         IssueInstant=\"{}\" MajorVersion=\"1\" MinorVersion=\"1\" ResponseID=\"_{}\"{in_response_to}{recipient}>",
        iso_millis(now),
        RandomIds.uuid().replace('-', "")
    )
}

fn failure_response(now: i64, request_id: Option<&str>, status: &str, message: &str) -> String {
    format!(
        "{}<saml1p:Status><saml1p:StatusCode Value=\"saml1p:{status}\"/>\
         <saml1p:StatusMessage>{}</saml1p:StatusMessage></saml1p:Status></saml1p:Response>",
        response_open(now, request_id, None),
        escape(message)
    )
}

fn subject(user: &str) -> String {
    format!(
        "<saml1:Subject><saml1:NameIdentifier>{}</saml1:NameIdentifier>\
         <saml1:SubjectConfirmation><saml1:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:artifact\
         </saml1:ConfirmationMethod></saml1:SubjectConfirmation></saml1:Subject>",
        escape(user)
    )
}

fn attribute_values(value: &Value) -> String {
    let values: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    values
        .into_iter()
        .map(|v| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!(
                "<saml1:AttributeValue>{}</saml1:AttributeValue>",
                escape(&text)
            )
        })
        .collect()
}

fn success_response(
    now: i64,
    validated: &Validated,
    target: &str,
    request_id: Option<&str>,
    issuer: &str,
) -> String {
    let auth_instant = validated
        .attributes
        .get("authenticationDate")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| iso_millis(now));
    let attributes: String = validated
        .attributes
        .iter()
        .map(|(name, value)| {
            format!(
                "<saml1:Attribute AttributeName=\"{}\" \
                 AttributeNamespace=\"http://www.ja-sig.org/products/cas/\">{}</saml1:Attribute>",
                escape(name),
                attribute_values(value)
            )
        })
        .collect();
    format!(
        "{open}<saml1p:Status><saml1p:StatusCode Value=\"saml1p:Success\"/></saml1p:Status>\
         <saml1:Assertion xmlns:saml1=\"urn:oasis:names:tc:SAML:1.0:assertion\" AssertionID=\"_{id}\" \
         IssueInstant=\"{now}\" Issuer=\"{issuer}\" MajorVersion=\"1\" MinorVersion=\"1\">\
         <saml1:Conditions NotBefore=\"{now}\" NotOnOrAfter=\"{until}\">\
         <saml1:AudienceRestrictionCondition><saml1:Audience>{target}</saml1:Audience>\
         </saml1:AudienceRestrictionCondition></saml1:Conditions>\
         <saml1:AuthenticationStatement AuthenticationInstant=\"{auth_instant}\" \
         AuthenticationMethod=\"urn:oasis:names:tc:SAML:1.0:am:password\">{subject}\
         </saml1:AuthenticationStatement>\
         <saml1:AttributeStatement>{subject}{attributes}</saml1:AttributeStatement>\
         </saml1:Assertion></saml1p:Response>",
        open = response_open(now, request_id, Some(target)),
        id = RandomIds.uuid().replace('-', ""),
        now = iso_millis(now),
        until = iso_millis(now + ASSERTION_LIFETIME_MS),
        issuer = escape(issuer),
        target = escape(target),
        subject = subject(&validated.user),
    )
}

#[cfg(test)]
mod tests {
    use super::read_request;

    #[test]
    fn the_artifact_and_request_id_are_read() {
        let body = r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/><SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" MinorVersion="1" RequestID="_192.168.16.51.1024506224022" IssueInstant="2002-06-19T17:03:44.022Z"><samlp:AssertionArtifact>ST-abc</samlp:AssertionArtifact></samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
        assert_eq!(
            read_request(body),
            Ok((
                "ST-abc".to_string(),
                Some("_192.168.16.51.1024506224022".to_string())
            ))
        );
    }

    #[test]
    fn doctypes_and_broken_xml_are_refused() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Request><AssertionArtifact>&lol2;</AssertionArtifact></Request>"#;
        assert_eq!(read_request(laughs), Err("a DOCTYPE is not accepted"));
        assert_eq!(
            read_request("<Request><AssertionArtifact>ST-1</Request>"),
            Err("the request is not well-formed XML")
        );
        assert_eq!(
            read_request("<Request/>"),
            Err("the request carries no AssertionArtifact")
        );
    }
}
