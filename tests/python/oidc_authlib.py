"""An independent OpenID Connect relying party built on Python Authlib, run against a live idaas.

Configured only with the server's base URL and a client's credentials, it does what a deployed
relying party does: discovery (OpenID Connect Discovery 1.0) → authorization code with PKCE S256
(RFC 6749 §4.1, RFC 7636) through the hosted login page → code exchange with the chosen client
authentication method (RFC 6749 §2.3.1) → id_token verification against the JWKS (OIDC Core
§3.1.3.7) → userinfo (OIDC Core §5.3) → introspection (RFC 7662) → refresh with rotation
(RFC 6749 §6) → revocation (RFC 7009).

Every OAuth step goes through Authlib's `OAuth2Session`; the id_token is verified twice, with
`authlib.jose` (`jwt` + `JsonWebKey`) and the way Authlib 1.9's own OpenID clients do it
(joserfc + `authlib.oidc.core.CodeIDToken`). Only the browser part (following redirects, filling
in the login form) is plain `requests`.

On success it prints one JSON object (the summary) on stdout and exits 0; on any failure it
prints `FAILED: <step>: <reason>` on stderr and exits 1.
"""

import argparse
import base64
import json
import os
import sys
import time
import warnings
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

# The test server listens on loopback over plain HTTP; Authlib refuses http:// token endpoints
# otherwise (RFC 6749 §3.2 asks for TLS).
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session, OAuthError  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402
from joserfc import jwt as jose_jwt  # noqa: E402
from joserfc.jwk import KeySet  # noqa: E402
from joserfc.jws import JWSRegistry  # noqa: E402

with warnings.catch_warnings():
    # `authlib.jose` is deprecated in favour of joserfc but still Authlib's public JWT API.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt  # noqa: E402

TIMEOUT = 10
SCOPE = "openid profile email"


class Failure(Exception):
    def __init__(self, step, reason):
        super().__init__(f"{step}: {reason}")


def check(condition, step, reason):
    if not condition:
        raise Failure(step, reason)


class HiddenInputs(HTMLParser):
    """The hidden inputs of an HTML page, by name."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def hidden_inputs(html):
    parser = HiddenInputs()
    parser.feed(html)
    return parser.values


def on_server(base, url):
    return urlsplit(url).netloc == urlsplit(base).netloc


def browse(base, authorization_url, redirect_uri, username, password):
    """A browser: follows the server's redirects, signs in on the hosted login page, and stops at
    the redirect to the client. Returns that URL."""
    browser = requests.Session()
    url = authorization_url
    signed_in = False
    for _ in range(15):
        response = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
        if response.is_redirect:
            target = urljoin(url, response.headers["Location"])
            if target.startswith(redirect_uri):
                return target
            check(on_server(base, target), "browser", f"redirected off the server to {target}")
            url = target
            continue
        check(response.status_code == 200, "browser", f"{url} answered {response.status_code}")
        fields = hidden_inputs(response.text)
        check("csrf" in fields, "login page", f"no csrf field on {url}: {response.text[:300]}")
        check(not signed_in, "login", "the login page came back after signing in")
        form = {"username": username, "password": password, "csrf": fields["csrf"]}
        for name in ("return_to", "client_id"):
            if name in fields:
                form[name] = fields[name]
        posted = browser.post(
            urljoin(base, "/api/v1/login/form"), data=form, allow_redirects=False, timeout=TIMEOUT
        )
        check(
            posted.is_redirect,
            "login",
            f"the login form answered {posted.status_code}: {posted.text[:300]}",
        )
        signed_in = True
        target = urljoin(base, posted.headers["Location"])
        if target.startswith(redirect_uri):
            return target
        url = target
    raise Failure("browser", "too many redirects")


def verify_with_authlib_jose(id_token, jwks, issuer, client_id, nonce):
    """`authlib.jose`: signature against the JWK Set, then the OIDC claim rules."""
    keys = JsonWebKey.import_key_set(jwks)
    claims = jwt.decode(
        id_token,
        keys,
        claims_options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
            "nonce": {"essential": nonce is not None, "value": nonce},
        },
    )
    claims.validate(now=int(time.time()), leeway=5)
    return dict(claims)


def verify_like_authlib_clients(id_token, jwks, metadata, client_id, nonce, access_token):
    """What `authlib.integrations.base_client.OpenIDMixin.parse_id_token` does: joserfc with the
    algorithms the provider advertises, then `CodeIDToken` (iss, exp, iat, nonce, aud through
    azp, at_hash)."""
    registry = JWSRegistry(
        algorithms=metadata["id_token_signing_alg_values_supported"], strict_check_header=False
    )
    token = jose_jwt.decode(id_token, KeySet.import_key_set(jwks), registry=registry)
    params = {"client_id": client_id, "access_token": access_token}
    if nonce is not None:
        params["nonce"] = nonce
    claims = CodeIDToken(
        token.claims, token.header, {"iss": {"values": [metadata["issuer"]]}}, params
    )
    claims.validate(leeway=5)
    return dict(claims), token.header


def verify_id_token(step, id_token, jwks, metadata, client_id, nonce, access_token):
    check(id_token, step, "no id_token in the token response")
    try:
        by_jose = verify_with_authlib_jose(id_token, jwks, metadata["issuer"], client_id, nonce)
        claims, header = verify_like_authlib_clients(
            id_token, jwks, metadata, client_id, nonce, access_token
        )
    except Exception as e:  # every Authlib/joserfc validation error names the claim
        raise Failure(step, f"id_token rejected: {type(e).__name__}: {e}") from e
    check(by_jose == claims, step, "authlib.jose and joserfc read different claims")
    check("at_hash" in claims, step, "no at_hash in the id_token")
    check(
        header.get("kid") in {k.get("kid") for k in jwks["keys"]},
        step,
        f"kid {header.get('kid')} not in the JWKS",
    )
    return claims, header


def rejected_by_both(id_token, jwks, metadata, client_id, nonce, access_token):
    """Whether both verifiers refuse an id_token (checked against the wrong values)."""
    verifiers = (
        lambda: verify_with_authlib_jose(id_token, jwks, metadata["issuer"], client_id, nonce),
        lambda: verify_like_authlib_clients(
            id_token, jwks, metadata, client_id, nonce, access_token
        ),
    )
    refusals = 0
    for verify in verifiers:
        try:
            verify()
        except Exception:  # any validation error is a refusal
            refusals += 1
    return refusals == len(verifiers)


def tampered(id_token):
    """The same token with one signature byte changed."""
    head, payload, signature = id_token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([head, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def token_error(step, call):
    """Runs an Authlib call that must fail with an OAuth error; that error's code."""
    try:
        call()
    except OAuthError as e:
        return e.error
    raise Failure(step, "the server accepted it")


def run(args):
    base = args.base.rstrip("/")
    expected_issuer = f"{base}/api/v1/oauth2"
    summary = {"auth_method": args.auth_method}

    # Discovery.
    response = requests.get(f"{expected_issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
    check(response.status_code == 200, "discovery", f"status {response.status_code}")
    metadata = response.json()
    check(
        metadata.get("issuer") == expected_issuer,
        "discovery",
        f"issuer {metadata.get('issuer')!r}, expected {expected_issuer!r}",
    )
    for field in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "introspection_endpoint",
        "revocation_endpoint",
    ):
        check(field in metadata, "discovery", f"no {field}")
    check(
        "S256" in metadata.get("code_challenge_methods_supported", []),
        "discovery",
        "S256 not advertised",
    )
    check(
        args.auth_method in metadata.get("token_endpoint_auth_methods_supported", []),
        "discovery",
        f"{args.auth_method} not advertised",
    )
    jwks = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()
    check(jwks.get("keys"), "jwks", "empty JWK Set")

    client = OAuth2Session(
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_endpoint_auth_method=args.auth_method,
        revocation_endpoint_auth_method=args.auth_method,
        scope=SCOPE,
        redirect_uri=args.redirect_uri,
        code_challenge_method="S256",
        default_timeout=TIMEOUT,
    )
    # How Authlib authenticated each POST to the token, introspection and revocation endpoints.
    seen = set()

    def record_client_authentication(response, *_args, **_kwargs):
        request = response.request
        if request.method == "POST":
            basic = request.headers.get("Authorization", "").startswith("Basic ")
            body = request.body or ""
            body = body.decode() if isinstance(body, bytes) else body
            posted = "client_secret" in parse_qs(body)
            if basic and not posted:
                seen.add("client_secret_basic")
            elif posted and not basic:
                seen.add("client_secret_post")
            else:
                seen.add(f"basic={basic} posted={posted}")
        return response

    client.hooks["response"].append(record_client_authentication)

    # Authorization code + PKCE through the hosted login page.
    code_verifier = generate_token(64)
    nonce = generate_token(20)
    authorization_url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )
    check("code_challenge_method=S256" in authorization_url, "authorize", "no S256 challenge")
    callback = browse(base, authorization_url, args.redirect_uri, args.username, args.password)
    summary["callback_state_matches"] = f"state={state}" in callback

    # Code exchange: Authlib checks `state` and sends the verifier.
    try:
        token = client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=code_verifier,
        )
    except OAuthError as e:
        raise Failure("token", f"{e.error}: {e.description}") from e
    check(token.get("token_type", "").lower() == "bearer", "token", f"token_type {token}")
    check(token.get("refresh_token"), "token", "no refresh_token")
    claims, header = verify_id_token(
        "id_token", token.get("id_token"), jwks, metadata, args.client_id, nonce,
        token["access_token"],
    )
    summary["id_token"] = {
        "wrong_nonce_rejected": rejected_by_both(
            token["id_token"], jwks, metadata, args.client_id, "another nonce",
            token["access_token"],
        ),
        "wrong_audience_rejected": rejected_by_both(
            token["id_token"], jwks, metadata, "another-client", nonce, token["access_token"]
        ),
        "tampered_signature_rejected": rejected_by_both(
            tampered(token["id_token"]), jwks, metadata, args.client_id, nonce,
            token["access_token"],
        ),
        "alg": header["alg"],
        "sub": claims["sub"],
        "iss": claims["iss"],
        "aud": claims["aud"],
        "nonce_matches": claims.get("nonce") == nonce,
        "auth_time": claims.get("auth_time"),
        "exp_after_now": claims["exp"] > time.time(),
        "preferred_username": claims.get("preferred_username"),
    }

    # Userinfo with the access token in the Authorization header (RFC 6750 §2.1).
    response = client.get(metadata["userinfo_endpoint"])
    check(response.status_code == 200, "userinfo", f"status {response.status_code}")
    userinfo = response.json()
    check(userinfo.get("sub") == claims["sub"], "userinfo", "sub differs from the id_token's")
    summary["userinfo"] = {
        k: userinfo.get(k) for k in ("sub", "userName", "email", "preferred_username", "name")
    }

    # Introspection (RFC 7662) of the access token.
    first_access = token["access_token"]
    response = client.introspect_token(
        metadata["introspection_endpoint"], token=first_access, token_type_hint="access_token"
    )
    check(response.status_code == 200, "introspect", f"status {response.status_code}")
    introspected = response.json()
    summary["introspection"] = {
        k: introspected.get(k) for k in ("active", "sub", "client_id", "username", "scope")
    }

    # Refresh (RFC 6749 §6): a new refresh token, and a new id_token for the same user.
    first_refresh = token["refresh_token"]
    try:
        refreshed = dict(
            client.refresh_token(metadata["token_endpoint"], refresh_token=first_refresh)
        )
    except OAuthError as e:
        raise Failure("refresh", f"{e.error}: {e.description}") from e
    check(refreshed.get("refresh_token"), "refresh", "no refresh_token")
    renewed, _ = verify_id_token(
        "refreshed id_token", refreshed.get("id_token"), jwks, metadata, args.client_id, None,
        refreshed["access_token"],
    )
    # OIDC Core §12.2: same iss, sub, aud and auth_time; a nonce, when present, unchanged.
    for claim in ("iss", "sub", "aud", "auth_time"):
        check(renewed.get(claim) == claims.get(claim), "refresh", f"{claim} changed")
    check(renewed.get("nonce") in (None, nonce), "refresh", "nonce changed")
    summary["refresh"] = {
        "rotated": refreshed["refresh_token"] != first_refresh,
        "new_access_token": refreshed["access_token"] != first_access,
        "sub": renewed["sub"],
    }

    # Revocation (RFC 7009) of the new access token: introspection and userinfo stop taking it.
    second_access = refreshed["access_token"]
    response = client.revoke_token(
        metadata["revocation_endpoint"], token=second_access, token_type_hint="access_token"
    )
    check(response.status_code == 200, "revoke access token", f"status {response.status_code}")
    after = client.introspect_token(
        metadata["introspection_endpoint"], token=second_access, token_type_hint="access_token"
    ).json()
    userinfo_after = requests.get(
        metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {second_access}"},
        timeout=TIMEOUT,
    )
    # Revoking the refresh token ends the whole grant.
    second_refresh = refreshed["refresh_token"]
    response = client.revoke_token(
        metadata["revocation_endpoint"], token=second_refresh, token_type_hint="refresh_token"
    )
    check(response.status_code == 200, "revoke refresh token", f"status {response.status_code}")
    summary["revocation"] = {
        "access_token_active": after.get("active"),
        "userinfo_status": userinfo_after.status_code,
        "refresh_after_revocation": token_error(
            "refresh after revocation",
            lambda: client.refresh_token(metadata["token_endpoint"], refresh_token=second_refresh),
        ),
        "rotated_out_refresh": token_error(
            "refresh with the rotated-out token",
            lambda: client.refresh_token(metadata["token_endpoint"], refresh_token=first_refresh),
        ),
    }
    summary["client_authentication_seen"] = sorted(seen)
    check(
        seen == {args.auth_method},
        "client authentication",
        f"Authlib authenticated as {sorted(seen)}, not only {args.auth_method}",
    )
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="server base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument(
        "--auth-method",
        choices=("client_secret_basic", "client_secret_post"),
        default="client_secret_basic",
    )
    args = parser.parse_args()
    try:
        summary = run(args)
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # an unexpected answer: say what, not a bare traceback
        print(f"FAILED: unexpected {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
