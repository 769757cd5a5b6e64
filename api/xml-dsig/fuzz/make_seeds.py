#!/usr/bin/env python3
"""Writes the seed corpora of these fuzz targets and the certificate `verify` and `redirect` trust.

A throwaway RSA-2048 key and self-signed certificate are made with `openssl`; the key is discarded,
the certificate kept as fixtures/sp-cert.der. The AuthnRequest and LogoutRequest of ../src/testdata
are signed with `xmlsec1` (an implementation independent of ours) for `verify`, and as
HTTP-Redirect queries with `openssl dgst` for `redirect`. Run it from anywhere; it overwrites the
generated seeds (names starting with `gen-`) and the certificate, nothing else.
"""
import base64
import pathlib
import shutil
import subprocess
import tempfile
import urllib.parse
import zlib

HERE = pathlib.Path(__file__).resolve().parent
TESTDATA = HERE.parent / "src" / "testdata"
CORPUS = HERE / "corpus"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SIGNED = {"authn_request.xml": "_authn-request-1", "logout_request.xml": "_logout-request-1"}
ID_ATTRS = [
    "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest",
    "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest",
]


def template(xml: str, ref: str) -> str:
    signature = (
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
        f'<ds:SignatureMethod Algorithm="{RSA_SHA256}"/><ds:Reference URI="#{ref}"><ds:Transforms>'
        '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
        '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
        '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
        "</ds:Reference></ds:SignedInfo><ds:SignatureValue/>"
        "<ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"
    )
    return xml.replace("</saml:Issuer>", "</saml:Issuer>" + signature, 1)


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def quote(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def main() -> None:
    for target in ["parse", "c14n", "verify", "inflate", "redirect"]:
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
        for old in (CORPUS / target).glob("gen-*"):
            old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        key, cert = tmp / "key.pem", tmp / "cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
             "-out", cert, "-days", "36500", "-subj", "/CN=sp.fuzz.test"],
            check=True, capture_output=True)
        subprocess.run(
            ["openssl", "x509", "-in", cert, "-outform", "DER",
             "-out", HERE / "fixtures" / "sp-cert.der"], check=True)

        for name in sorted(p.name for p in TESTDATA.glob("*.xml")):
            xml = (TESTDATA / name).read_text()
            for target in ["parse", "c14n", "verify"]:
                shutil.copy(TESTDATA / name, CORPUS / target / f"gen-{name}")
            # inflate: first byte × 64 is the limit; one that fits, one that does not.
            deflated = raw_deflate(xml.encode())
            (CORPUS / "inflate" / f"gen-{name}.fits").write_bytes(bytes([0x40]) + deflated)
            (CORPUS / "inflate" / f"gen-{name}.too-large").write_bytes(bytes([0x02]) + deflated)

        for name, ref in SIGNED.items():
            xml = (TESTDATA / name).read_text()
            unsigned = tmp / f"template-{name}"
            unsigned.write_text(template(xml, ref))
            signed = CORPUS / "verify" / f"gen-signed-{name}"
            args = ["xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}", "--output", signed]
            for element in ID_ATTRS:
                args += ["--id-attr:ID", element]
            subprocess.run(args + [unsigned], check=True, capture_output=True)
            for target in ["parse", "c14n"]:
                shutil.copy(signed, CORPUS / target / f"gen-signed-{name}")

            message = "SAMLRequest"
            encoded = quote(base64.b64encode(raw_deflate(xml.encode())).decode())
            signed_part = f"{message}={encoded}&RelayState=r-1&SigAlg={quote(RSA_SHA256)}"
            data = tmp / "signed-part"
            data.write_text(signed_part)
            signature = subprocess.run(
                ["openssl", "dgst", "-sha256", "-sign", key, data],
                check=True, capture_output=True).stdout
            query = f"{signed_part}&Signature={quote(base64.b64encode(signature).decode())}"
            (CORPUS / "redirect" / f"gen-signed-{name}.query").write_text(query)
            (CORPUS / "redirect" / f"gen-unsigned-{name}.query").write_text(
                f"{message}={encoded}&RelayState=r-1")


if __name__ == "__main__":
    main()
