//! XML digital signatures, canonicalization, redirect-binding signatures and assertion encryption
//! for the SAML 2.0 identity provider.
//!
//! Everything that reads XML from a service provider goes through [`parse`] (no DTD, bounded
//! size and depth) and [`verify_root`] (one accepted signature shape, see `verify.rs`). Signing
//! and encryption follow SAML 2.0 core §5 and §6 with RSA-SHA256, exclusive C14N, AES-256-GCM and
//! RSA-OAEP. SHA-1 signatures and digests are refused.

mod c14n;
mod deflate;
mod encrypt;
mod error;
mod keys;
pub mod names;
mod parse;
mod redirect;
mod sign;
mod text;
mod verify;

pub use c14n::{canonicalize, prefix_list};
pub use deflate::{deflate, inflate};
pub use encrypt::encrypt_assertion;
pub use error::DsigError;
pub use parse::{parse, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_NODES};
pub use redirect::{sign_redirect, verify_redirect};
pub use sign::sign_enveloped;
pub use text::{escape, text_of};
pub use verify::{is_signed, verify_root};

#[cfg(test)]
mod c14n_tests;
#[cfg(test)]
mod encrypt_tests;
#[cfg(test)]
mod redirect_tests;
#[cfg(test)]
mod sign_tests;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod verify_tests;
#[cfg(test)]
mod wrapping_tests;
