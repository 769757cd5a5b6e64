//! What the HTTP surfaces share: the request's tenant and metadata, the management caller, language
//! negotiation, cookies and CSRF, page templates, and the OneAccess code catalogue that the
//! OneAccess surfaces and the hosted login pages both show.

pub mod basic;
pub mod caller;
pub mod context;
pub mod failure;
pub mod i18n;
pub mod oneaccess_codes;
pub mod openapi;
pub mod pages;
pub mod web;

pub use context::RequestMeta;
