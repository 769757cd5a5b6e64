//! What each API of the dispatcher table reads and answers, for its OpenAPI description
//! (specs/oneaccess-sdk-and-hainan-uaa.md §2.2–§2.3, §4.1.10–12): one arm per [`Api`], so a new
//! API cannot be routed without being described. The fields are the ones the handlers read
//! (`body.required`, `body.text`, …), with the document's names and the rules the code applies;
//! the table is in `table`, the JSON Schema of a body is built here.

use serde_json::Value;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

use crate::answers::Data;

/// How a body field is read (`input::Body`).
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string (trimmed, at most 512 characters); a number is read as its digits.
    Text,
    /// An integer, or its digits as a string.
    Integer,
    /// `true` or `false`, or those words as strings.
    Boolean,
    /// `permissionType`: 1 menu, 2 button, 3 api, 4 data, 5 other (a number or its digits).
    PermissionType,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A list of at most 100 ids (strings or numbers, each at most 128 characters; blanks are
    /// skipped and repeats kept once).
    Ids,
    /// A list of at most 100 objects with these fields.
    Objects(&'static [Field]),
}

/// A field of an API's JSON body.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub doc: &'static str,
}

pub const fn field(name: &'static str, kind: Kind, doc: &'static str) -> Field {
    Field {
        name,
        kind,
        required: false,
        doc,
    }
}

pub const fn text(name: &'static str, doc: &'static str) -> Field {
    field(name, Kind::Text, doc)
}

pub const fn required(field: Field) -> Field {
    Field {
        required: true,
        ..field
    }
}

/// A `'static` list of fields, evaluated at compile time (the helpers are `const fn`).
macro_rules! fields {
    ($($field:expr),* $(,)?) => {
        const { &[$($field),*] as &'static [Field] }
    };
}

mod table;

/// An API's description: its section of the document, what it does, the body it reads and the
/// `data` it answers.
pub struct ApiDoc {
    pub section: &'static str,
    pub summary: &'static str,
    pub fields: &'static [Field],
    pub data: Data,
}

impl ApiDoc {
    /// The tag: seed 003 (roles and permissions) or 004 (users and organisations).
    pub fn tag(&self) -> &'static str {
        if self.section.starts_with("003") {
            "roles and permissions"
        } else {
            "users and organisations"
        }
    }
}

/// An API's body: the fields it reads.
pub fn body_schema(fields: &[Field]) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for field in fields {
        object = object.property(field.name, field_schema(field));
        if field.required {
            object = object.required(field.name);
        }
    }
    object.into()
}

fn field_schema(field: &Field) -> RefOr<Schema> {
    let either = |t: Type| SchemaType::from_iter([t, Type::String]);
    let schema: RefOr<Schema> = match field.kind {
        Kind::Text => ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(512))
            .into(),
        Kind::Integer => ObjectBuilder::new()
            .schema_type(either(Type::Integer))
            .into(),
        Kind::Boolean => ObjectBuilder::new()
            .schema_type(either(Type::Boolean))
            .into(),
        Kind::PermissionType => ObjectBuilder::new()
            .schema_type(either(Type::Integer))
            .enum_values(Some(
                (1..=5)
                    .map(Value::from)
                    .chain((1..=5).map(|t: i32| Value::from(t.to_string()))),
            ))
            .into(),
        Kind::Choice(words) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(words.iter().copied()))
            .into(),
        Kind::Ids => ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(128)),
            )
            .max_items(Some(crate::input::MAX_IDS))
            .into(),
        Kind::Objects(fields) => ArrayBuilder::new()
            .items(body_schema(fields))
            .max_items(Some(crate::input::MAX_IDS))
            .into(),
    };
    let text = match field.kind {
        Kind::Integer => format!("{} An integer, or its digits as a string.", field.doc),
        Kind::Boolean => format!("{} true or false, or those words as strings.", field.doc),
        Kind::Ids => format!(
            "{} Strings (or numbers); blanks are skipped, repeats kept once.",
            field.doc
        ),
        _ => field.doc.to_string(),
    };
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object.description = Some(text);
            object.into()
        }
        RefOr::T(Schema::Array(mut array)) => {
            array.description = Some(text);
            array.into()
        }
        other => other,
    }
}
