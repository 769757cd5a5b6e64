//! The SAML 2.0 identity provider under `/api/v1/saml2/idp/` (specs/oneaccess.md §2.9, §3.2).

pub mod dsig;
