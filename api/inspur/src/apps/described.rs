//! Pieces of the OpenAPI description that the application, type, dictionary and extended-field
//! modules share: the lenient scalars their bodies read (§1.8) and the refusals any call can meet
//! before its handler decides anything (§1.2, §4).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{IntoResponses, PartialSchema, ToSchema};

use crate::schema::ErrorEnvelope;

/// A text field of a body (`crate::lenient::text`): a string, or a number or boolean whose
/// text is read; `null` and absent alike.
pub(crate) struct LenientText;

impl PartialSchema for LenientText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![
                Type::String,
                Type::Number,
                Type::Boolean,
                Type::Null,
            ]))
            .description(Some(
                "Text; a number or a boolean is read as its text. Null is the same as absent.",
            ))
            .into()
    }
}

impl ToSchema for LenientText {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LenientText")
    }
}

/// A whole-number field of a body (`crate::lenient::number`): a number, or its digits as text;
/// `null`, absent and `""` alike.
pub(crate) struct LenientNumber;

impl PartialSchema for LenientNumber {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![
                Type::Integer,
                Type::String,
                Type::Null,
            ]))
            .description(Some(
                "A whole number, or its digits as a string. Null and \"\" are the same as absent.",
            ))
            .into()
    }
}

impl ToSchema for LenientNumber {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LenientNumber")
    }
}

/// What any call can be answered before its own decision: the token, and the server's state.
#[allow(dead_code)] // Only described: the answers are built by the caller and the failures.
#[derive(IntoResponses)]
pub(crate) enum CallRefused {
    /// No token (`Authorization: Bearer`, a `token` header or a `token` query parameter), or a
    /// bad or expired one: `token无效或已过期`.
    #[response(status = 401)]
    Unauthorized(ErrorEnvelope),
    /// An unexpected failure: `系统异常`.
    #[response(status = 500)]
    Failed(ErrorEnvelope),
    /// The store cannot take the call now; `Retry-After` says when to try again:
    /// `系统繁忙,请稍后重试`.
    #[response(status = 503)]
    Unavailable(ErrorEnvelope),
}
