//! The one error type of the XML signature module.
//!
//! Messages are short, fixed sentences that never echo attacker-supplied text or key material, so a
//! caller may copy them into a SAML `StatusMessage` as they are.

/// Why a document could not be parsed, signed, verified, encrypted or decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DsigError {
    #[error("the XML document is larger than {limit} bytes")]
    DocumentTooLarge { limit: usize },
    #[error("the XML document contains a document type declaration (DTD), which is not allowed")]
    DtdNotAllowed,
    #[error("the XML document is nested deeper than {limit} elements")]
    TooDeep { limit: usize },
    #[error("the XML document has too many nodes")]
    TooManyNodes,
    #[error("the XML document is not well-formed: {0}")]
    Malformed(String),
    #[error("no element carries the ID to be signed")]
    IdNotFound,
    #[error("more than one element carries the same ID")]
    DuplicateId,
    #[error("the message is not signed")]
    NotSigned,
    #[error("the XML signature has an unexpected shape: {0}")]
    SignatureShape(&'static str),
    #[error("SHA-1 is not accepted for XML or query signatures; use RSA-SHA256")]
    Sha1NotAccepted,
    #[error("the algorithm {0} is not supported")]
    UnsupportedAlgorithm(String),
    #[error("the digest of the signed element does not match: the message was altered")]
    DigestMismatch,
    #[error("the signature does not verify with any trusted certificate")]
    SignatureInvalid,
    #[error("a value is not valid base64: {0}")]
    Base64(&'static str),
    #[error("the certificate cannot be used: {0}")]
    Certificate(&'static str),
    #[error("a cryptographic operation failed: {0}")]
    Crypto(&'static str),
    #[error("the query string is not a valid signed redirect-binding message: {0}")]
    Query(&'static str),
    #[error("the compressed message inflates to more than {limit} bytes")]
    InflatedTooLarge { limit: usize },
    #[error("the message is not valid DEFLATE data")]
    Inflate,
    #[error("the element must contain plain text only, without comments, markup or processing instructions")]
    NotPlainText,
}
