//! Pieces of the OpenAPI description that no handler builds, shared by the user, grant and file
//! modules: the `null` of an answer without data, bytes as they are, and the form an import's
//! workbook comes in.

use std::borrow::Cow;

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// The `data` of an answer that has none: always `null`.
pub(crate) struct Null;

impl PartialSchema for Null {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Null))
            .description(Some("Always null."))
            .into()
    }
}

impl ToSchema for Null {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Null")
    }
}

/// A body of bytes as they are (a file, a workbook), not JSON.
pub(crate) struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Binary {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Binary")
    }
}

/// The multipart form of an import: the workbook in the part `file` (else the first part with
/// a file name).
#[derive(ToSchema)]
#[allow(dead_code)] // Described only: the import reads the parts itself.
pub(crate) struct WorkbookForm {
    /// An `.xlsx` workbook laid out as the template.
    #[schema(
        value_type = String,
        format = Binary,
        content_media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    file: Vec<u8>,
}
