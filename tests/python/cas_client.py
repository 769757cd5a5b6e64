"""An independent CAS client built on python-cas, run against a live idaas.

Configured only with the CAS server URL (the standard base, `.../cas/`), a service URL and the
protocol version, it does what a deployed python-cas service does: builds the login and logout
URLs it would send a browser to, and validates the service tickets it is given with
`verify_ticket`, each version through its own endpoint and parser:

- `1`: `CASClientV1`, `GET validate` (CAS Protocol 3.0 §2.4, the CAS 1.0 `yes`/`no` text);
- `2`: `CASClientV2`, `GET serviceValidate` (§2.5, CAS 2.0 XML);
- `3`: `CASClientV3`, `GET p3/serviceValidate` (§2.8, with attributes);
- `CAS_2_SAML_1_0`: `CASClientWithSAMLV1`, `POST samlValidate?TARGET=` (§4.2, a SAML 1.1
  request in a SOAP envelope).

The browser part (following the login URL with a signed-in session) is the caller's.

On success it prints one JSON object on stdout and exits 0: the client class, `login_url`,
`logout_url` (for `--logout-redirect`) and, for each `--ticket` in order, python-cas's
`user`, `attributes` and `pgtiou`. On any failure it prints `FAILED: <reason>` on stderr and
exits 1. A ticket python-cas refuses is not a failure: its `user` is null.
"""

import argparse
import json
import sys

import requests
from cas import CASClient

TIMEOUT = 10
VERSIONS = ("1", "2", "3", "CAS_2_SAML_1_0")


class TimeoutSession(requests.Session):
    """A session whose every request gives up after `TIMEOUT`: python-cas sets none."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


def run(args):
    version = int(args.version) if args.version.isdigit() else args.version
    client = CASClient(
        version=version,
        server_url=args.server_url,
        service_url=args.service_url,
        session=TimeoutSession(),
    )
    validations = []
    for ticket in args.ticket:
        user, attributes, pgtiou = client.verify_ticket(ticket)
        validations.append({"user": user, "attributes": attributes, "pgtiou": pgtiou})
    return {
        "client": type(client).__name__,
        "login_url": client.get_login_url(),
        "logout_url": client.get_logout_url(args.logout_redirect),
        "validations": validations,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server-url", required=True, help="the CAS base, e.g. http://127.0.0.1:8080/cas/"
    )
    parser.add_argument("--service-url", required=True)
    parser.add_argument("--version", required=True, choices=VERSIONS)
    parser.add_argument("--ticket", action="append", default=[], help="a ticket to validate")
    parser.add_argument("--logout-redirect", help="where the logout URL asks to go afterwards")
    args = parser.parse_args()
    try:
        summary = run(args)
    except Exception as e:  # an unexpected answer: say what, not a bare traceback
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
