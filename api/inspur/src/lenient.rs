//! Lenient input (§1.8): a string field that also takes a number or a boolean, a number field
//! that also takes a numeric string, absent and `null` alike.

use idaas_http::openapi::ApiRouter;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

use crate::envelope::InspurError;

/// A JSON object body; an empty body reads as `{}`.
pub(crate) fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, InspurError> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))
}

/// The OpenAPI description of bodies that may be left out: utoipa describes an `Option<T>`
/// request body as "a T or `null`", not required, but an empty body reads as `{}` and `null` is
/// refused. For every operation of `router`, an optional body is a T when given.
pub(crate) fn bodies_may_be_absent(mut router: ApiRouter) -> ApiRouter {
    for item in router.get_openapi_mut().paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let Some(RefOr::T(body)) = &mut operation.request_body else {
                continue;
            };
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else {
                    continue;
                };
                let given = match &content.schema {
                    Some(RefOr::T(Schema::OneOf(one_of))) => match one_of.items.as_slice() {
                        [given, RefOr::T(Schema::Object(null))]
                            if null.schema_type == SchemaType::Type(Type::Null) =>
                        {
                            Some(given.clone())
                        }
                        _ => None,
                    },
                    _ => None,
                };
                if given.is_some() {
                    content.schema = given;
                }
            }
        }
    }
    router
}

/// A given text, trimmed; blank is absent.
pub(crate) fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A string that may arrive as a number or boolean; `null` and absent are `None`.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(Value::Null) | None => None,
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected a string, found {other}"
            )))
        }
    })
}

/// A whole number that may arrive as a string; `null`, absent and `""` are `None`.
pub fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("expected a whole number")),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            s.trim().parse().map(Some).map_err(|_| {
                serde::de::Error::custom(format!("expected a whole number, found {s:?}"))
            })
        }
        Some(Value::Null) | None => Ok(None),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a whole number, found {other}"
        ))),
    }
}
