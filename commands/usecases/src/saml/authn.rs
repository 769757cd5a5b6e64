//! The checks of an AuthnRequest from a known service provider (SAML 2.0 core §3.4.1, profiles
//! §4.1.4.1): signature, age, Destination, the registered ACS, the binding and the NameID policy.

use domain::protocols::SamlServiceProvider;

use super::messages::AuthnRequest;
use super::xml::{Status, BINDING_POST, CLOCK_SKEW_MS};
use super::Idp;

/// How old an AuthnRequest may be.
pub(super) const REQUEST_LIFETIME_MS: i64 = 5 * 60 * 1000;

/// The checks of an AuthnRequest from a known SP; the NameID format to answer with.
pub fn check(
    idp: &Idp,
    sp: &SamlServiceProvider,
    request: &AuthnRequest,
    raw_query: Option<&str>,
    doc: &roxmltree::Document,
    now: i64,
) -> Result<String, Status> {
    let denied = |message: String| Status::requester(Some("RequestDenied"), message);
    super::check_signature(sp, raw_query, doc)?;
    let age = now - request.common.issue_instant;
    if age > REQUEST_LIFETIME_MS + CLOCK_SKEW_MS {
        return Err(denied("the AuthnRequest has expired".into()));
    }
    if age < -CLOCK_SKEW_MS {
        return Err(denied("the AuthnRequest is issued in the future".into()));
    }
    if let Some(destination) = &request.common.destination {
        if destination != &idp.sso_url {
            return Err(denied("Destination is not this IdP's SSO service".into()));
        }
    }
    if let Some(acs) = &request.acs_url {
        if acs != &sp.acs_url {
            return Err(denied(
                "AssertionConsumerServiceURL is not registered for this service provider".into(),
            ));
        }
    }
    if let Some(binding) = &request.protocol_binding {
        if binding != BINDING_POST {
            return Err(Status::requester(
                Some("UnsupportedBinding"),
                "responses are sent over HTTP-POST only",
            ));
        }
    }
    super::name_id_format(sp, request.name_id_format.as_deref()).ok_or_else(|| {
        Status::requester(
            Some("InvalidNameIDPolicy"),
            "the requested NameID format is not available to this service provider",
        )
    })
}
