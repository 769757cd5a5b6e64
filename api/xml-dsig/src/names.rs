//! Namespace and algorithm URIs used by SAML signatures and encryption.

/// XML Signature namespace (xmldsig-core §4).
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive XML Canonicalization 1.0 without comments; also the InclusiveNamespaces namespace.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The enveloped-signature transform (xmldsig-core §6.6.4).
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// SHA-256 digest (xmlenc-core §5.7.2).
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// SHA-1 digest: refused, named only to give a clear error.
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
/// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6931 §2.3.2).
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// RSASSA-PKCS1-v1_5 with SHA-512 (RFC 6931 §2.3.2), accepted when verifying.
pub const RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
/// RSASSA-PKCS1-v1_5 with SHA-1: refused, named only to give a clear error.
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
/// XML Encryption namespace.
pub const XENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
/// `EncryptedData/@Type` for an encrypted element.
pub const XENC_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
/// AES-256-GCM (XML Encryption 1.1 §5.2.4).
pub const AES256_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
/// RSA-OAEP with MGF1-SHA1 (xmlenc-core §5.4.2).
pub const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
/// SAML 2.0 assertion namespace.
pub const SAML_ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML 2.0 protocol namespace.
pub const SAML_PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
