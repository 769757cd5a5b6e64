"""An independent SAML 2.0 service provider built on pysaml2, run against a live idaas IdP.

A stock `saml2.client.Saml2Client`, configured in code the way a deployed pysaml2 SP is (its own
entity ID, an AssertionConsumerService and a SingleLogoutService on a host nothing listens on,
a key pair, the IdP's metadata as published at `{base}/api/v1/saml2/idp/metadata`), signs its
AuthnRequests and LogoutRequests with RSA-SHA256 and wants both the Response and the Assertion
signed. The script plays the browser itself with `requests` (cookies kept, redirects followed
only while they stay on the IdP) and hands what arrives at the SP's URLs to pysaml2:

- `cert DIR`: writes a key pair and a self-signed certificate to DIR (reused when already
  there) and prints `{"certificate_pem": ...}`, so the caller can register the SP with it.
- `config --keys DIR --sp-entity ID (--base URL | --metadata-file FILE)`: builds the client and
  prints what pysaml2 read from the IdP metadata (no sign-in).
- `flow --base URL --sp-entity ID --keys DIR --user NAME --password PW --binding redirect|post
  [--idp-initiated] [--logout sp|idp]`: signs in (SP-initiated, an AuthnRequest over the
  binding, or IdP-initiated, `GET sso?sp=`), parses the Response with
  `parse_authn_request_response` (signatures checked by xmlsec1 against the metadata
  certificates), then optionally logs out: SP-initiated (`do_logout` over the binding, the
  LogoutResponse parsed with `parse_logout_request_response`) or IdP-initiated (`GET
  /api/v1/logout` (confirmed), the LogoutRequest at the SP handled with `handle_logout_request` and its
  LogoutResponse carried back to the IdP). After a logout it starts a sign-in again to see
  whether the IdP still has a session. With `--request-signature rsa-sha1|none` the
  AuthnRequest is signed with SHA-1 or not at all, the IdP is expected to refuse it with an error
  Response at the ACS, and what pysaml2 makes of that Response is reported instead.

Redirect-binding signatures on the IdP's messages are checked here over the query string as
received (SAML Bindings §3.4.4.1), since pysaml2's SP side does not require them; POST-binding
messages are checked with pysaml2's `correctly_signed_*` (xmlsec1, the metadata certificates).

On success it prints one JSON summary on stdout and exits 0; on any failure it prints
`FAILED: <reason>` on stderr and exits 1. Each browser hop is logged on stderr.
"""

import argparse
import base64
import html.parser
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import traceback
from urllib.parse import parse_qsl, unquote_plus, urljoin, urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.sigver import verify_redirect_signature

TIMEOUT = 10
XMLSEC = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
# How the AuthnRequest is signed: (sign, signature algorithm, digest algorithm).
REQUEST_SIGNATURES = {
    "rsa-sha256": (True, RSA_SHA256, SHA256),
    "rsa-sha1": (True, RSA_SHA1, SHA1),
    "none": (False, None, None),
}
METADATA_PATH = "/api/v1/saml2/idp/metadata"
BINDINGS = {"redirect": BINDING_HTTP_REDIRECT, "post": BINDING_HTTP_POST}
BINDING_NAMES = {uri: name for name, uri in BINDINGS.items()}
REDIRECTS = (301, 302, 303, 307, 308)


class Failure(Exception):
    """The IdP answered something a SAML SP cannot accept; the message says what."""


def log(text):
    print(text, file=sys.stderr, flush=True)


def short(text, limit=300):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"…({len(text)} chars)"


# ---------------------------------------------------------------------------------------------
# Keys and configuration


def make_keys(directory):
    """The SP's key and self-signed certificate in `directory`, made once."""
    os.makedirs(directory, exist_ok=True)
    key, cert = os.path.join(directory, "sp.key"), os.path.join(directory, "sp.crt")
    if not (os.path.exists(key) and os.path.exists(cert)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
             "-days", "30", "-subj", "/CN=pysaml2-sp.example.com",
             "-keyout", key, "-out", cert],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
    return key, cert


def sp_urls(args):
    """The ACS and SLO URLs: given, or `/acs` and `/slo` on the entity ID's origin."""
    parts = urlsplit(args.sp_entity)
    origin = f"{parts.scheme}://{parts.netloc}"
    return args.acs_url or f"{origin}/acs", args.slo_url or f"{origin}/slo"


def make_client(args, metadata_xml):
    key, cert = make_keys(args.keys)
    acs, slo = sp_urls(args)
    config = SPConfig()
    config.load({
        "entityid": args.sp_entity,
        "xmlsec_binary": XMLSEC,
        "key_file": key,
        "cert_file": cert,
        # Assertions encrypted for this SP (when it is registered with an encryption
        # certificate) are decrypted with the same key pair.
        "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
        "metadata": {"inline": [metadata_xml]},
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(acs, BINDING_HTTP_POST)],
                    "single_logout_service": [(slo, BINDING_HTTP_REDIRECT),
                                              (slo, BINDING_HTTP_POST)],
                },
                # pysaml2 reads these per role ("sp"), not from the top level; left out, it
                # signs with RSA-SHA1.
                "signing_algorithm": RSA_SHA256,
                "digest_algorithm": SHA256,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": True,
                "allow_unsolicited": True,
            }
        },
    })
    client = Saml2Client(config)
    idps = list(client.metadata.identity_providers())
    if len(idps) != 1:
        raise Failure(f"the IdP metadata names {len(idps)} identity providers: {idps}")
    return client, idps[0]


def idp_description(client, idp):
    """What pysaml2 read from the IdP metadata."""

    def locations(service):
        found = client.metadata.service(idp, "idpsso_descriptor", service)
        return {BINDING_NAMES.get(b, b): [e["location"] for e in ends] for b, ends in found.items()}

    descriptor = client.metadata[idp]["idpsso_descriptor"][0]
    return {
        "entity_id": idp,
        "sso": locations("single_sign_on_service"),
        "slo": locations("single_logout_service"),
        "signing_certificates": len(client.metadata.certs(idp, "idpsso", "signing")),
        "name_id_formats": [f["text"] for f in descriptor.get("name_id_format", [])],
        "want_authn_requests_signed": descriptor.get("want_authn_requests_signed"),
    }


def fetch_metadata(base):
    url = base.rstrip("/") + METADATA_PATH
    response = requests.get(url, timeout=TIMEOUT)
    log(f"GET {url} -> {response.status_code} {response.headers.get('content-type')}")
    if response.status_code != 200:
        raise Failure(f"metadata: GET {url} answered {response.status_code}: {short(response.text)}")
    return response.text


# ---------------------------------------------------------------------------------------------
# The browser


class Forms(html.parser.HTMLParser):
    """The forms of a page and their inputs (values unescaped), plus inputs outside any form."""

    def __init__(self, text):
        super().__init__()
        self.forms, self.inputs = [], {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "",
                               "method": (attrs.get("method") or "get").lower(), "fields": {}})
        elif tag == "input" and attrs.get("name"):
            value = attrs.get("value") or ""
            self.inputs[attrs["name"]] = value
            if self.forms:
                self.forms[-1]["fields"][attrs["name"]] = value


class Message:
    """A SAML message the browser brings to the SP: binding, URL, fields, raw query."""

    def __init__(self, binding, url, fields, raw_query=None):
        self.binding, self.url, self.fields, self.raw_query = binding, url, fields, raw_query

    def __repr__(self):
        return f"{BINDING_NAMES[self.binding]} {self.url} {sorted(self.fields)}"


class Browser:
    """Keeps cookies; follows redirects only while they stay on the IdP."""

    def __init__(self, base):
        self.base = base.rstrip("/")
        self.origin = urlsplit(self.base)[:2]
        self.http = requests.Session()

    def on_idp(self, url):
        return urlsplit(url)[:2] == self.origin

    def request(self, method, url, **kwargs):
        url = urljoin(self.base + "/", url)
        if not self.on_idp(url):
            raise Failure(f"the browser was asked to leave the IdP for {short(url)}")
        response = self.http.request(method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs)
        location = response.headers.get("Location")
        log(f"{method} {short(url, 160)} -> {response.status_code}"
            + (f" Location: {short(location, 160)}" if location else ""))
        return response

    def follow(self, response):
        for _ in range(15):
            if response.status_code not in REDIRECTS:
                return response
            location = urljoin(response.url, response.headers.get("Location", ""))
            if not self.on_idp(location):
                return response
            response = self.request("GET", location)
        raise Failure("more than 15 redirects on the IdP")

    def send(self, http_info):
        """Sends what pysaml2's `apply_binding` built for the browser."""
        if http_info["method"] == "GET":
            return self.request("GET", dict(http_info["headers"])["Location"])
        form = Forms(http_info["data"]).forms[0]
        return self.request("POST", form["action"], data=form["fields"])

    def arrival(self, response, what):
        """The SAML message this answer takes the browser off the IdP with: a redirect to another
        host (HTTP-Redirect binding) or an auto-submitting POST form to another host (HTTP-POST)."""
        if response.status_code in REDIRECTS:
            location = urljoin(response.url, response.headers.get("Location", ""))
            if not self.on_idp(location):
                url, _, query = location.partition("?")
                return Message(BINDING_HTTP_REDIRECT, url,
                               dict(parse_qsl(query, keep_blank_values=True)), query)
        elif response.status_code == 200:
            for form in Forms(response.text).forms:
                action = urljoin(response.url, form["action"])
                if form["method"] == "post" and not self.on_idp(action):
                    return Message(BINDING_HTTP_POST, action, form["fields"])
        raise Failure(f"{what}: expected a SAML message for the SP, got {describe(response)}")

    def is_login_page(self, response):
        return response.status_code == 200 and "csrf" in Forms(response.text).inputs

    def sign_in_if_asked(self, response, user, password):
        """Follows to the login page when the IdP asks for one and signs in there."""
        response = self.follow(response)
        if not self.is_login_page(response):
            return response, False
        fields = Forms(response.text).inputs
        form = {"username": user, "password": password, "csrf": fields["csrf"]}
        for name in ("return_to", "client_id"):
            if name in fields:
                form[name] = fields[name]
        return self.follow(self.request("POST", "/api/v1/login/form", data=form)), True


def describe(response):
    """An answer, for a failure message: status, Location, and the SAML status of a posted
    Response or the text of a page."""
    text = f"{response.status_code} Location={response.headers.get('Location')!r}"
    for form in Forms(response.text).forms if response.status_code == 200 else []:
        if "SAMLResponse" in form["fields"]:
            xml = base64.b64decode(form["fields"]["SAMLResponse"]).decode("utf-8", "replace")
            codes = re.findall(r'StatusCode Value="([^"]+)"', xml)
            message = re.findall(r"<(?:\w+:)?StatusMessage>([^<]*)<", xml)
            return f"{text} a Response to {form['action']} with status {codes} {message}"
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)).strip()
    return f"{text} page: {short(body, 600)!r}"


# ---------------------------------------------------------------------------------------------
# Signatures on the IdP's messages


def idp_public_keys(client, idp):
    return [x509.load_der_x509_certificate(base64.b64decode(cert)).public_key()
            for _, cert in client.metadata.certs(idp, "idpsso", "signing")]


def check_redirect_signature(client, idp, message, kind):
    """SAML Bindings §3.4.4.1: the signature covers `kind=..&RelayState=..&SigAlg=..` exactly as
    the query string carries them. Returns how it verified; raises when it does not."""
    fields = message.fields
    if "Signature" not in fields or "SigAlg" not in fields:
        raise Failure(f"{kind} over HTTP-Redirect is not signed: {sorted(fields)}")
    if fields["SigAlg"] != RSA_SHA256:
        raise Failure(f"{kind} signed with {fields['SigAlg']}, not rsa-sha256")
    raw = {}
    for part in message.raw_query.split("&"):
        name, _, value = part.partition("=")
        raw[unquote_plus(name)] = part
    signed = "&".join(raw[name] for name in (kind, "RelayState", "SigAlg") if name in raw)
    signature = base64.b64decode(fields["Signature"])
    as_sent = False
    for key in idp_public_keys(client, idp):
        try:
            key.verify(signature, signed.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
            as_sent = True
        except InvalidSignature:
            continue
    # pysaml2's own check re-encodes the values; it agrees when the IdP encodes as it does.
    by_pysaml2 = any(
        verify_redirect_signature(dict(fields), client.sec.sec_backend, cert)
        for _, cert in client.metadata.certs(idp, "idpsso", "signing"))
    if not as_sent:
        raise Failure(f"{kind} redirect signature does not verify with the metadata certificate "
                      f"over {short(signed, 200)!r} (pysaml2's re-encoded check: {by_pysaml2})")
    return {"verified": True, "pysaml2_reencoded_check": by_pysaml2}


def check_post_signature(client, message, kind):
    """An HTTP-POST LogoutRequest/LogoutResponse must carry an enveloped signature that xmlsec1
    verifies with the metadata certificate."""
    xml = base64.b64decode(message.fields[kind]).decode("utf-8")
    check = (client.sec.correctly_signed_logout_request if kind == "SAMLRequest"
             else client.sec.correctly_signed_logout_response)
    try:
        check(xml, must=True)
    except Exception as e:
        raise Failure(f"{kind} over HTTP-POST: signature refused by pysaml2: {type(e).__name__}: {e}")
    return {"verified": True}


def check_signature(client, idp, message, kind):
    if message.binding == BINDING_HTTP_REDIRECT:
        return check_redirect_signature(client, idp, message, kind)
    return check_post_signature(client, message, kind)


# ---------------------------------------------------------------------------------------------
# Sign-in


def sso_location(client, idp, binding):
    return client.metadata.single_sign_on_service(idp, binding)[0]["location"]


def start_sign_in(client, idp, browser, args, relay_state):
    """The first hop of a sign-in and the AuthnRequest ID it answers (None if IdP-initiated)."""
    if args.idp_initiated:
        url = sso_location(client, idp, BINDING_HTTP_REDIRECT)
        params = {"sp": client.config.entityid, "RelayState": relay_state}
        return browser.request("GET", url, params=params), None
    sign, sigalg, digest = REQUEST_SIGNATURES[args.request_signature]
    request_id, http_info = client.prepare_for_authenticate(
        entityid=idp, relay_state=relay_state, binding=BINDINGS[args.binding], sign=sign,
        sigalg=sigalg, digest_alg=digest)
    return browser.send(http_info), request_id


def refusal(client, browser, arrived, request_id):
    """The error Response the IdP posted to the ACS instead of asking for a sign-in, as pysaml2
    reads it: it checks the signature first, then raises the status as an exception."""
    message = browser.arrival(arrived, "an AuthnRequest the IdP should refuse")
    if message.binding != BINDING_HTTP_POST or "SAMLResponse" not in message.fields:
        raise Failure(f"expected an error Response posted to the ACS, got {message!r}")
    xml = base64.b64decode(message.fields["SAMLResponse"]).decode("utf-8", "replace")
    try:
        client.parse_authn_request_response(
            message.fields["SAMLResponse"], BINDING_HTTP_POST, outstanding={request_id: "x"})
    except Exception as e:
        return {"error": type(e).__name__, "message": short(e, 300), "acs_url": message.url,
                "status_codes": re.findall(r'StatusCode Value="([^"]+)"', xml)}
    raise Failure("pysaml2 accepted a Response to a request the IdP should have refused")


def sign_in(client, idp, browser, args):
    relay_state = "rs-" + secrets.token_urlsafe(12)
    first, request_id = start_sign_in(client, idp, browser, args, relay_state)
    arrived, asked = browser.sign_in_if_asked(first, args.user, args.password)
    if not asked and args.request_signature != "rsa-sha256":
        return None, {"refused": refusal(client, browser, arrived, request_id)}
    if not asked:
        raise Failure("a browser without a session was not asked to sign in; the IdP answered "
                      + describe(arrived))
    message = browser.arrival(arrived, "after signing in")
    acs, _ = sp_urls(args)
    if message.binding != BINDING_HTTP_POST or message.url != acs or "SAMLResponse" not in message.fields:
        raise Failure(f"the Response must be POSTed to the ACS {acs}, got {message!r}")
    outstanding = {request_id: relay_state} if request_id else {}
    try:
        authn = client.parse_authn_request_response(
            message.fields["SAMLResponse"], BINDING_HTTP_POST, outstanding=outstanding)
    except Exception as e:
        log("Response: " + short(base64.b64decode(message.fields["SAMLResponse"]).decode(), 4000))
        raise Failure(f"pysaml2 refused the Response: {type(e).__name__}: {e}") from e
    if authn is None:
        raise Failure("pysaml2 found no valid Response")
    info = authn.session_info()
    statement = [
        {"name": a.name, "name_format": a.name_format,
         "values": [v.text for v in a.attribute_value]}
        for s in authn.assertion.attribute_statement for a in s.attribute
    ]
    decoded = base64.b64decode(message.fields["SAMLResponse"]).decode("utf-8")
    return authn, {
        "initiated_by": "idp" if args.idp_initiated else "sp",
        "request_binding": args.binding,
        "acs_url": message.url,
        "relay_state": message.fields.get("RelayState"),
        "relay_state_echoed": message.fields.get("RelayState") == relay_state,
        "in_response_to": authn.in_response_to,
        "in_response_to_matches": authn.in_response_to == request_id if request_id else None,
        "issuer": authn.issuer(),
        "response_signed": authn.response.signature is not None,
        "assertion_signed": authn.assertion.signature is not None,
        "assertion_encrypted": "EncryptedAssertion" in decoded,
        "audiences": [a.text for r in authn.assertion.conditions.audience_restriction
                      for a in r.audience],
        "authn_context": info.get("authn_info"),
        "attribute_statement": statement,
    }


def session_probe(client, idp, browser, args):
    """Starts a sign-in again in the same browser: does the IdP still know the user?"""
    first, _ = start_sign_in(client, idp, browser, args, "probe")
    response = browser.follow(first)
    if browser.is_login_page(response):
        return "login_page"
    try:
        message = browser.arrival(response, "probe")
    except Failure:
        return f"other: {response.status_code}"
    return "signed_in" if "SAMLResponse" in message.fields else f"other: {message!r}"


# ---------------------------------------------------------------------------------------------
# Logout


def sp_initiated_logout(client, idp, browser, authn, args):
    """SAML Profiles §4.4.3: a signed LogoutRequest to the IdP over the binding, its
    LogoutResponse back at the SP's SLO URL."""
    binding = BINDINGS[args.binding]
    sent = client.do_logout(authn.name_id, [idp], reason="", expire=None,
                            expected_binding=binding)
    if idp not in sent:
        raise Failure(f"pysaml2 sent no LogoutRequest to {idp}: {sent}")
    used, http_info = sent[idp]
    request_ids = list(client.state)
    relay_state = _relay_state_of(http_info)
    response = browser.follow(browser.send(http_info))
    message = browser.arrival(response, "after the LogoutRequest")
    _, slo = sp_urls(args)
    if message.url != slo or "SAMLResponse" not in message.fields:
        raise Failure(f"the LogoutResponse must come to the SP's SLO URL {slo}, got {message!r}")
    signature = check_signature(client, idp, message, "SAMLResponse")
    try:
        parsed = client.parse_logout_request_response(message.fields["SAMLResponse"], message.binding)
    except Exception as e:
        raise Failure(f"pysaml2 refused the LogoutResponse: {type(e).__name__}: {e}") from e
    if parsed is None:
        raise Failure("pysaml2 found no valid LogoutResponse")
    status = parsed.response.status.status_code.value
    in_response_to = parsed.in_response_to
    if in_response_to not in request_ids:
        raise Failure(f"LogoutResponse InResponseTo {in_response_to} answers none of {request_ids}")
    done = client.handle_logout_response(parsed)
    return {
        "initiated_by": "sp",
        "request_binding": BINDING_NAMES[used],
        "response_binding": BINDING_NAMES[message.binding],
        "status": status,
        "issuer": parsed.issuer(),
        "in_response_to_matches": True,
        "relay_state_echoed": message.fields.get("RelayState") == relay_state,
        "signature": signature,
        "sp_signed_out": done[0] == 0 and not client.is_logged_in(authn.name_id),
    }


def _relay_state_of(http_info):
    if http_info["method"] == "GET":
        query = urlsplit(dict(http_info["headers"])["Location"]).query
        return dict(parse_qsl(query)).get("RelayState")
    return Forms(http_info["data"]).forms[0]["fields"].get("RelayState")


def idp_initiated_logout(client, idp, browser, authn, args):
    """SAML Profiles §4.4.4: the IdP's signed LogoutRequest arrives at the SP's SLO URL, the SP's
    signed LogoutResponse goes back to the IdP with the RelayState, the IdP finishes."""
    response = browser.follow(browser.request("GET", "/api/v1/logout"))
    # Global logout asks the signed-in user to confirm (a cross-site link cannot sign them out).
    confirm = [f for f in Forms(response.text).forms if f["action"] == "/api/v1/logout"]
    if response.status_code != 200 or not confirm:
        raise Failure(f"GET /api/v1/logout must ask for confirmation, got {describe(response)}")
    response = browser.follow(browser.request("POST", "/api/v1/logout", data=confirm[0]["fields"]))
    message = browser.arrival(response, "after confirming /api/v1/logout")
    _, slo = sp_urls(args)
    if message.url != slo or "SAMLRequest" not in message.fields:
        raise Failure(f"the LogoutRequest must come to the SP's SLO URL {slo}, got {message!r}")
    signature = check_signature(client, idp, message, "SAMLRequest")
    fields = message.fields
    try:
        request = client.parse_logout_request(fields["SAMLRequest"], message.binding)
    except Exception as e:
        raise Failure(f"pysaml2 refused the LogoutRequest: {type(e).__name__}: {e}") from e
    if request is None:
        raise Failure("pysaml2 found no valid LogoutRequest")
    name_id = request.message.name_id
    session_indexes = [s.text for s in request.message.session_index]
    name_id_matches = name_id == authn.name_id
    try:
        http_info = client.handle_logout_request(
            fields["SAMLRequest"], authn.name_id, message.binding, sign=True,
            relay_state=fields.get("RelayState"), sigalg=fields.get("SigAlg"),
            signature=fields.get("Signature"))
    except Exception as e:
        raise Failure(f"pysaml2 could not answer the LogoutRequest: {type(e).__name__}: {e}") from e
    answer = _status_of(http_info)
    final = browser.follow(browser.send(http_info))
    final_path = urlsplit(final.url).path
    return {
        "initiated_by": "idp",
        "request_binding": BINDING_NAMES[message.binding],
        "response_binding": "redirect" if http_info["method"] == "GET" else "post",
        "issuer": request.message.issuer.text,
        "name_id": name_id.text if name_id is not None else None,
        "name_id_matches_assertion": name_id_matches,
        "session_indexes": session_indexes,
        "relay_state": fields.get("RelayState"),
        "signature": signature,
        "sp_answer_status": answer,
        "sp_signed_out": not client.is_logged_in(authn.name_id),
        "final_status": final.status_code,
        "final_path": final_path,
        "final_is_login_page": browser.is_login_page(final),
        "final_answer": None if browser.is_login_page(final) else describe(final),
    }


def _status_of(http_info):
    """The status code of the LogoutResponse pysaml2 built."""
    from saml2.samlp import logout_response_from_string
    from saml2.s_utils import decode_base64_and_inflate

    if http_info["method"] == "GET":
        query = urlsplit(dict(http_info["headers"])["Location"]).query
        xml = decode_base64_and_inflate(dict(parse_qsl(query))["SAMLResponse"])
    else:
        xml = base64.b64decode(Forms(http_info["data"]).forms[0]["fields"]["SAMLResponse"])
    return logout_response_from_string(xml).status.status_code.value


# ---------------------------------------------------------------------------------------------


def run_flow(args):
    client, idp = make_client(args, fetch_metadata(args.base))
    browser = Browser(args.base)
    authn, sign_in_summary = sign_in(client, idp, browser, args)
    if authn is None:
        return {"idp": idp_description(client, idp), "sign_in": sign_in_summary}
    info = authn.session_info()
    summary = {
        "idp": idp_description(client, idp),
        "sign_in": sign_in_summary,
        "name_id": authn.name_id.text,
        "name_id_format": authn.name_id.format,
        "session_index": info.get("session_index"),
        "attributes": authn.ava,
        "logout": None,
    }
    if args.logout:
        run = sp_initiated_logout if args.logout == "sp" else idp_initiated_logout
        logout = run(client, idp, browser, authn, args)
        logout["idp_session_after_logout"] = session_probe(client, idp, browser, args)
        summary["logout"] = logout
    return summary


def run_config(args):
    if args.metadata_file:
        with open(args.metadata_file, encoding="utf-8") as f:
            metadata = f.read()
    else:
        metadata = fetch_metadata(args.base)
    client, idp = make_client(args, metadata)
    acs, slo = sp_urls(args)
    return {"idp": idp_description(client, idp),
            "sp": {"entity_id": client.config.entityid, "acs_url": acs, "slo_url": slo}}


def run_cert(args):
    _, cert = make_keys(args.directory)
    with open(cert, encoding="ascii") as f:
        return {"certificate_pem": f.read()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="pysaml2's debug log on stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    cert = commands.add_parser("cert", help="make the SP key pair; print the certificate")
    cert.add_argument("directory")

    def sp_arguments(p):
        p.add_argument("--sp-entity", required=True)
        p.add_argument("--acs-url", help="default: /acs on the entity ID's origin")
        p.add_argument("--slo-url", help="default: /slo on the entity ID's origin")
        p.add_argument("--keys", required=True, help="the directory `cert` wrote")

    config = commands.add_parser("config", help="load the SP configuration and IdP metadata")
    sp_arguments(config)
    source = config.add_mutually_exclusive_group(required=True)
    source.add_argument("--base")
    source.add_argument("--metadata-file")

    flow = commands.add_parser("flow", help="sign in, and log out if asked")
    sp_arguments(flow)
    flow.add_argument("--base", required=True, help="the IdP server, e.g. http://127.0.0.1:8080")
    flow.add_argument("--user", required=True)
    flow.add_argument("--password", required=True)
    flow.add_argument("--binding", choices=sorted(BINDINGS), required=True)
    flow.add_argument("--idp-initiated", action="store_true")
    flow.add_argument("--request-signature", choices=sorted(REQUEST_SIGNATURES),
                      default="rsa-sha256",
                      help="how to sign the AuthnRequest; with anything but rsa-sha256 the IdP "
                           "is expected to refuse it, and the refusal is what is reported")
    flow.add_argument("--logout", choices=["sp", "idp"])

    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.WARNING)
    run = {"cert": run_cert, "config": run_config, "flow": run_flow}[args.command]
    try:
        summary = run(args)
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # an unexpected answer: say what, with where
        traceback.print_exc()
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
