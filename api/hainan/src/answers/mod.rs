//! The `data` each API answers, as its OpenAPI description shows it (specs/oneaccess-sdk-and-
//! hainan-uaa.md §2.1 "Common types", §2.2–§2.3). These types mirror the JSON the views build
//! (`views`, `roles`, `permissions`, `orgs`, `users`, `search`), key for key and in their order;
//! they describe and are never built. A key the views always write is required; `null` is
//! allowed where the view can write it.
#![allow(dead_code)]

use domain::gov_profile::OrgType;
use serde_json::Value;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::ToSchema;

/// The component schemas a description collects.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// How an API's `data` is described: its schema, with what it refers to added to `schemas`.
pub type Data = fn(&mut Schemas) -> RefOr<Schema>;

/// `data` is a `T`.
pub fn of<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    T::schemas(schemas);
    schemas.push((T::name().into_owned(), T::schema()));
    Ref::from_schema_name(T::name()).into()
}

/// `data` is a list of `T`.
pub fn list_of<T: ToSchema>(schemas: &mut Schemas) -> RefOr<Schema> {
    let item = of::<T>(schemas);
    ArrayBuilder::new().items(item).into()
}

/// `data` is null.
pub fn null(_: &mut Schemas) -> RefOr<Schema> {
    always_null()
}

/// `data` is `true`.
pub fn always_true(_: &mut Schemas) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .into()
}

fn always_null() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Null).into()
}

/// `orgType`: a government organisation type's code (§2.1; `GOV_TEMPORARY` the document's 临时组织),
/// or null.
fn org_type() -> RefOr<Schema> {
    let codes = OrgType::ALL.iter().map(|t| Value::from(t.code()));
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(codes.chain([Value::Null])))
        .into()
}

/// A role of the application (Role).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    role_id: String,
    role_code: String,
    role_name: String,
    #[schema(required = true)]
    remark: Option<String>,
    enable: bool,
    /// The application's id.
    app_id: String,
}

#[derive(ToSchema)]
pub struct Roles {
    roles: Vec<Role>,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewPermission {
    permission_id: String,
}

/// A permission of the application (Permission).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    permission_id: String,
    permission_name: String,
    /// Null at the top level.
    #[schema(required = true)]
    parent_id: Option<String>,
    /// 1 menu, 2 button, 3 api, 4 data, 5 other.
    #[schema(minimum = 1, maximum = 5)]
    permission_type: u8,
    permission_code: String,
    #[schema(required = true)]
    remark: Option<String>,
    enable: bool,
    order_num: i64,
}

#[derive(ToSchema)]
pub struct Permissions {
    permissions: Vec<Permission>,
}

/// A permission with the levels below it.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionNode {
    permission_id: String,
    permission_name: String,
    #[schema(required = true)]
    parent_id: Option<String>,
    #[schema(minimum = 1, maximum = 5)]
    permission_type: u8,
    permission_code: String,
    #[schema(required = true)]
    remark: Option<String>,
    enable: bool,
    order_num: i64,
    #[schema(no_recursion)]
    children: Vec<PermissionNode>,
}

#[derive(ToSchema)]
pub struct PermissionTree {
    permissions: Vec<PermissionNode>,
}

/// The page object's keys (§2.1 "Page wrapper"); each page below adds its rows.
macro_rules! page {
    (
        $(#[$doc:meta])* $name:ident, $row:ty
        $(, $(#[$extra_doc:meta])* $extra:ident: $extra_ty:ty)*
    ) => {
        $(#[$doc])*
        #[derive(ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The page, from 1.
            page_num: i64,
            page_size: i64,
            /// The number of pages.
            pages: i64,
            /// The number of rows on all pages.
            total: i64,
            records: Vec<$row>,
            $($(#[$extra_doc])* $extra: $extra_ty,)*
        }
    };
}

mod directory;

pub use directory::*;
