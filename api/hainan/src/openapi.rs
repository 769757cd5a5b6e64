//! The OpenAPI description of `/apione` (ops/adr/0021), built from the dispatcher table: one
//! `POST /apione/{name}` per name of `api::NAMES` with the body its API reads and the `data` it
//! answers (`api_docs`), and `POST /apione` with the name in a header. The router itself is
//! written by hand (every method reaches the dispatcher, which answers in the envelope), so this
//! description is built with utoipa's builders rather than from handler attributes.

use std::collections::BTreeMap;

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, Content, OpenApi, OpenApiBuilder, PathItem, Paths, Ref, RefOr, Required,
    Response, ResponseBuilder,
};

use crate::answers::{self, Schemas};
use crate::api::{Api, NAMES};
use crate::api_docs::body_schema;
use crate::envelope::{Code, Envelope};

/// The security scheme name of a signed call's access key.
const SIGNED: &str = "uaa_signature";

/// The description of every `/apione` call.
pub fn description() -> OpenApi {
    let mut schemas = Schemas::new();
    answers::of::<Envelope>(&mut schemas);
    let mut paths = Paths::new();
    let mut bodies: BTreeMap<String, Api> = BTreeMap::new();
    for &(name, api) in NAMES {
        let body = body_name(api);
        bodies.entry(body).or_insert_with_key(|body| {
            schemas.push((body.clone(), body_schema(api.doc().fields)));
            api
        });
        let operation = by_path(name, api, &mut schemas);
        paths.paths.insert(
            format!("/apione/{name}"),
            PathItem::new(HttpMethod::Post, operation),
        );
    }
    paths.paths.insert(
        "/apione".to_string(),
        PathItem::new(HttpMethod::Post, by_header(bodies.keys())),
    );
    let mut components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(SIGNED, signature_scheme());
    for (status, response) in refusals() {
        components = components.response(status, response);
    }
    OpenApiBuilder::new()
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

/// The component name of an API's body schema, e.g. `AddRoleBody`.
fn body_name(api: Api) -> String {
    format!("{api:?}Body")
}

/// The other names of the same API (the document's examples use some).
fn aliases(name: &str, api: Api) -> Vec<&'static str> {
    NAMES
        .iter()
        .filter(|(other, a)| *a == api && *other != name)
        .map(|(other, _)| *other)
        .collect()
}

fn by_path(name: &str, api: Api, schemas: &mut Schemas) -> utoipa::openapi::path::Operation {
    let doc = api.doc();
    let mut text = format!(
        "{} `{name}`. Also called `{name}Test`: the same API, with `debugMessage` filled when \
         the call is refused.",
        doc.section
    );
    let others = aliases(name, api);
    if !others.is_empty() {
        text.push_str(&format!(" The same API as `{}`.", others.join("`, `")));
    }
    let data = (doc.data)(schemas);
    let mut operation = OperationBuilder::new()
        .operation_id(Some(name))
        .tag(doc.tag())
        .summary(Some(doc.summary))
        .description(Some(text))
        .parameters(Some(headers()))
        .request_body(Some(request_body(Ref::from_schema_name(body_name(api)))))
        .response("200", answered(Some(data)));
    for (status, _) in refusals() {
        operation = operation.response(status.clone(), Ref::from_response_name(status));
    }
    operation.securities(Some(security())).build()
}

fn by_header<'a>(bodies: impl Iterator<Item = &'a String>) -> utoipa::openapi::path::Operation {
    let names: Vec<String> = NAMES
        .iter()
        .flat_map(|(name, _)| [name.to_string(), format!("{name}Test")])
        .collect();
    let name_schema = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names.clone()))
            .build()
    };
    let name_in = |name: &str, place, text: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(place)
            .required(Required::False)
            .description(Some(text))
            .schema(Some(name_schema()))
            .build()
    };
    let mut parameters = vec![
        name_in(
            "X-Api-Name",
            ParameterIn::Header,
            "The API's name (see each `/apione/{name}`).",
        ),
        name_in(
            "_api_name",
            ParameterIn::Header,
            "The name, as CSB-style clients send it, when X-Api-Name is absent.",
        ),
        name_in(
            "_api_name",
            ParameterIn::Query,
            "The name, when neither header is given.",
        ),
    ];
    parameters.extend(headers());
    let mut any = AnyOfBuilder::new();
    for body in bodies {
        any = any.item(Ref::from_schema_name(body.as_str()));
    }
    let mut operation = OperationBuilder::new()
        .operation_id(Some("apione"))
        .tag("gateway")
        .summary(Some("Any API, its name in a header or the query."))
        .description(Some(
            "The same APIs as `/apione/{name}`, the name in `X-Api-Name`, else an `_api_name` \
             header, else the `_api_name` query parameter; no or an unknown name is \
             ERR_API_NOT_FOUND (HTTP 200). A signed call signs the name as given.",
        ))
        .parameters(Some(parameters))
        .request_body(Some(request_body(Schema::AnyOf(any.build()))))
        .response("200", answered(None));
    for (status, _) in refusals() {
        operation = operation.response(status.clone(), Ref::from_response_name(status));
    }
    operation.securities(Some(security())).build()
}

/// The headers every call may send.
fn headers() -> Vec<utoipa::openapi::path::Parameter> {
    let header = |name: &str, required: bool, text: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(if required {
                Required::True
            } else {
                Required::False
            })
            .description(Some(text))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
            .build()
    };
    vec![
        header(
            "Uaa-App-Key",
            true,
            "The application's client id (its appKey): roles and permissions are its; a bearer \
             token must manage it, an access key must be its. Absent: ERR_PARAM_MISSING; no \
             enabled application: ERR_APP_NOT_FOUND.",
        ),
        header(
            "Uaa-Tenant-Id",
            false,
            "The tenant; \"1\" (the document's default) or absent: the configured default \
             tenant (IDAAS_HAINAN_DEFAULT_TENANT), else the tenant of the host. A tenant that \
             does not exist is a 401 ERR_UNAUTHORIZED (ERR_TENANT_NOT_FOUND from a trusted \
             gateway).",
        ),
        header(
            "X-Uaa-Timestamp",
            false,
            "Signed calls: the time of the call, Unix milliseconds (13 digits), within five \
             minutes of the server's clock.",
        ),
        header(
            "X-Uaa-Nonce",
            false,
            "Signed calls: 16 to 64 letters, digits, '-' or '_', never used twice with the key \
             within the window.",
        ),
        header(
            "X-Uaa-Signature",
            false,
            "Signed calls: base64 (standard alphabet) of the HMAC-SHA256, keyed with the access \
             key's secret, of the canonical text (see the uaa_signature scheme).",
        ),
        header(
            "X-Request-Id",
            false,
            "Echoed as `requestId` and in the answer's X-Request-Id header (1 to 64 characters; \
             else a new id).",
        ),
    ]
}

/// Who may call: a management token, a signature with an access key, or nothing from a trusted
/// gateway's address.
fn security() -> Vec<SecurityRequirement> {
    vec![
        SecurityRequirement::new(idaas_http::openapi::BEARER, Vec::<String>::new()),
        SecurityRequirement::new(SIGNED, Vec::<String>::new()),
        SecurityRequirement::default(),
    ]
}

fn signature_scheme() -> SecurityScheme {
    SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
        "X-Uaa-Access-Key",
        "An access key id of the Uaa-App-Key application (issued through the admin API), with \
         X-Uaa-Timestamp, X-Uaa-Nonce and X-Uaa-Signature. The signature covers, one a line: \
         `POST`, the API name as requested (with `Test` if so), Uaa-App-Key, Uaa-Tenant-Id (empty \
         when absent), the timestamp, the nonce and the lowercase hex SHA-256 of the body as sent. \
         Without a bearer token or a signature, only a call from one of the operator's trusted \
         gateway addresses is accepted, and only for a business application.",
    )))
}

fn request_body(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .description(Some(
            "A JSON object; an empty body is `{}`, unknown fields are ignored and an empty \
             string counts as absent. Not an object: ERR_BODY_INVALID (HTTP 400).",
        ))
        .content("application/json", Content::new(Some(schema)))
        .build()
}

/// The 200 answer: the envelope with the API's `data` on success (any `data` where the API is
/// not known from the path), or a business refusal (an unknown API name only where the name is
/// not in the path).
fn answered(data: Option<RefOr<Schema>>) -> Response {
    let by_header = data.is_none();
    let refusals: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| c.status().as_u16() == 200 && (by_header || **c != Code::ApiNotFound))
        .map(|c| c.as_str())
        .collect();
    let envelope = Ref::from_schema_name("Envelope");
    let schema: RefOr<Schema> = match data {
        None => envelope.into(),
        Some(data) => {
            let null = ObjectBuilder::new().schema_type(Type::Null);
            let data: RefOr<Schema> = match data {
                RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null) => {
                    o.into()
                }
                data => AnyOfBuilder::new().item(data).item(null).into(),
            };
            let with_data = ObjectBuilder::new().property("data", data);
            AllOfBuilder::new().item(envelope).item(with_data).into()
        }
    };
    ResponseBuilder::new()
        .description(format!(
            "The envelope: `success` true, `code` \"0\" and the answer in `data`; or a business \
             refusal, `success` false, `data` null and one of {}.",
            refusals.join(", ")
        ))
        .header("X-Request-Id", request_id())
        .content("application/json", Content::new(Some(schema)))
        .build()
}

fn request_id() -> Header {
    HeaderBuilder::new()
        .description(Some("The answer's `requestId`."))
        .build()
}

/// The answers that are not HTTP 200, one per status of the `ERR_*` catalogue (a wrong method,
/// 405, never reaches a described operation).
fn refusals() -> Vec<(String, Response)> {
    let mut by_status: BTreeMap<u16, Vec<Code>> = BTreeMap::new();
    for code in Code::ALL {
        let status = code.status().as_u16();
        if status != 200 && code != Code::MethodNotAllowed {
            by_status.entry(status).or_default().push(code);
        }
    }
    by_status
        .into_iter()
        .map(|(status, codes)| {
            let text: Vec<String> = codes
                .iter()
                .map(|c| format!("{} ({})", c.as_str(), meaning(*c)))
                .collect();
            let mut response = ResponseBuilder::new()
                .description(format!("The envelope, `data` null: {}.", text.join("; ")))
                .header("X-Request-Id", request_id())
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("Envelope"))),
                );
            if status == 429 || status == 503 {
                let seconds = HeaderBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                    .description(Some("Seconds to wait before trying again."))
                    .build();
                response = response.header("Retry-After", seconds);
            }
            (status.to_string(), response.build())
        })
        .collect()
}

/// What a code means, in English.
fn meaning(code: Code) -> &'static str {
    match code {
        Code::DataNotFound => "no such data",
        Code::ParamMissing => "a required field is missing",
        Code::ParamInvalid => "a field's value is not valid",
        Code::ParamConflict => "fields that exclude each other are both given",
        Code::LimitExceeded => "over 100 ids or rows",
        Code::DataExists => "the code is taken",
        Code::DataInUse => "it still has children or holders",
        Code::Unauthorized => "no valid credential: every refusal before one is verified",
        Code::Forbidden => "the credential may not act for the Uaa-App-Key application",
        Code::AppNotFound => "Uaa-App-Key names no enabled application",
        Code::TenantNotFound => "Uaa-Tenant-Id names no tenant",
        Code::ApiNotFound => "no API has the name",
        Code::BodyInvalid => "the body is not a JSON object",
        Code::BodyTooLarge => "the body is over 1 MiB",
        Code::MethodNotAllowed => "every API is called with POST",
        Code::Unavailable => "storage is unavailable or the server overloaded",
        Code::Throttled => "rate limited",
        Code::System => "an internal error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn references(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target.clone());
                }
                map.values().for_each(|v| references(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_name_of_the_table_is_one_operation_and_every_reference_resolves() {
        let document = serde_json::to_value(description()).unwrap();
        let paths = document["paths"].as_object().unwrap();
        assert_eq!(paths.len(), NAMES.len() + 1, "one per name, and /apione");
        for (name, _) in NAMES {
            let operation = &paths[&format!("/apione/{name}")]["post"];
            assert_eq!(operation["operationId"], *name);
        }
        let mut found = Vec::new();
        references(&document, &mut found);
        for target in found {
            let pointer = target.trim_start_matches('#');
            assert!(document.pointer(pointer).is_some(), "{target} resolves");
        }
    }
}
