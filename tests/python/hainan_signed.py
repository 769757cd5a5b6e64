"""An independent client of the Hainan gateway's signed calls, written from the README alone
with the Python standard library (hmac, hashlib, base64, urllib), run against a live idaas.

The canonical text is seven lines joined by "\\n": POST, the API name, the Uaa-App-Key, the
Uaa-Tenant-Id (empty when not sent), the timestamp (Unix milliseconds), the nonce, and the
lower-case hex SHA-256 of the body; the signature is the standard base64 of its HMAC-SHA256
with the secret key, sent in X-Uaa-Signature beside X-Uaa-Access-Key, X-Uaa-Timestamp and
X-Uaa-Nonce.

Usage: hainan_signed.py BASE_URL CALLS_JSON, where CALLS_JSON is a list of objects:
{"api", "app_key", "access_key", "secret", "body" (sent), "signed_body" (signed; default the
body), "skew_ms" (default 0), "nonce" (default fresh), "repeat" (send the same request twice),
"tenant" (the Uaa-Tenant-Id signed and sent; default "1", null: not sent, signed as empty),
"send_tenant" and "send_api" (sent instead of what was signed)}.
Prints one JSON object: {"answers": [{"status", "body"}, ...]} (two per repeated call). Exits 1
with "FAILED: <reason>" on stderr on a transport error.
"""

import base64
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.error
import urllib.request


def send(base, call):
    body = call.get("body", "{}")
    signed_body = call.get("signed_body", body)
    timestamp = str(int(time.time() * 1000) + int(call.get("skew_ms", 0)))
    nonce = call.get("nonce") or secrets.token_hex(16)
    tenant = call.get("tenant", "1")
    send_tenant = call.get("send_tenant", tenant)
    text = "\n".join([
        "POST",
        call["api"],
        call["app_key"],
        tenant or "",
        timestamp,
        nonce,
        hashlib.sha256(signed_body.encode()).hexdigest(),
    ])
    signature = base64.b64encode(
        hmac.new(call["secret"].encode(), text.encode(), hashlib.sha256).digest()
    ).decode()
    headers = {
        "Content-Type": "application/json",
        "Uaa-App-Key": call["app_key"],
        "X-Uaa-Access-Key": call["access_key"],
        "X-Uaa-Timestamp": timestamp,
        "X-Uaa-Nonce": nonce,
        "X-Uaa-Signature": signature,
    }
    if send_tenant is not None:
        headers["Uaa-Tenant-Id"] = send_tenant
    request = urllib.request.Request(
        f"{base}/apione/{call.get('send_api', call['api'])}",
        data=body.encode(),
        method="POST",
        headers=headers,
    )
    answers = []
    for _ in range(2 if call.get("repeat") else 1):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answers.append({"status": response.status, "body": json.load(response)})
        except urllib.error.HTTPError as error:
            answers.append({"status": error.code, "body": json.load(error)})
    return answers


def main():
    base, calls = sys.argv[1], json.loads(sys.argv[2])
    answers = []
    try:
        for call in calls:
            answers.extend(send(base, call))
    except (urllib.error.URLError, OSError, ValueError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"answers": answers}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
