//! Pieces of the OpenAPI description that the Inspur modules share: the lenient scalars their
//! bodies read (§1.8), the fields a body shared by a create and an update must give for each
//! (`body_requiring!`), and the refusals any call can meet before its handler decides anything (§1.2, §4).

use std::borrow::Cow;

use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};
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
            .pattern(Some(r"^\s*([+-]?[0-9]+)?\s*$"))
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

/// The schema of body `T` with `fields` required: given, not null and, as text, not blank;
/// `or_blank` given and not null (a body that serves both a create and an update needs other
/// fields for each).
pub(crate) fn requiring<T: ToSchema>(
    fields: &[&str],
    or_blank: &[&str],
    description: &str,
) -> RefOr<Schema> {
    let given = || {
        ObjectBuilder::new().schema_type(SchemaType::Array(vec![
            Type::String,
            Type::Number,
            Type::Integer,
            Type::Boolean,
        ]))
    };
    let required = fields.iter().fold(ObjectBuilder::new(), |object, field| {
        object
            .property(*field, given().pattern(Some("\\S")))
            .required(*field)
    });
    let required = or_blank.iter().fold(required, |object, field| {
        object.property(*field, given()).required(*field)
    });
    AllOfBuilder::new()
        .item(Ref::from_schema_name(T::name()))
        .item(required)
        .description(Some(description.trim()))
        .into()
}

/// The schemas a `requiring::<T>` refers to.
pub(crate) fn referred<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into(), T::schema()));
    T::schemas(schemas);
}

/// Declares a described-only schema: a body type with some of its fields required, e.g.
/// `body_requiring!(NewApp = AppBody["appName", "appCode"]);`, and after `or_blank` those that
/// may be blank text.
macro_rules! body_requiring {
    (
        $(#[doc = $doc:literal])*
        $name:ident = $body:ty [$($field:literal),+ $(,)?]
        $(or_blank [$($blank:literal),+ $(,)?])?
    ) => {
        $(#[doc = $doc])*
        pub(crate) struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let description = concat!($($doc),*);
                let or_blank: &[&str] = &[$($($blank),+)?];
                $crate::apps::described::requiring::<$body>(&[$($field),+], or_blank, description)
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                $crate::apps::described::referred::<$body>(schemas);
            }
        }
    };
}
pub(crate) use body_requiring;

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
