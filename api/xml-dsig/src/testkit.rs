//! Test helpers: throwaway keys and certificates, fixtures, and the `xmlsec1` oracle.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

pub const AUTHN_REQUEST: &str = include_str!("testdata/authn_request.xml");
pub const LOGOUT_REQUEST: &str = include_str!("testdata/logout_request.xml");
pub const RESPONSE: &str = include_str!("testdata/response.xml");
pub const ASSERTION: &str = include_str!("testdata/assertion.xml");

/// An RSA-2048 key with a self-signed certificate, in the forms the tests and `xmlsec1` need.
pub struct Identity {
    pub key: RsaKeyPair,
    pub key_pem: String,
    pub certificate_der: Vec<u8>,
    pub certificate_pem: String,
}

impl Identity {
    fn generate(name: &str) -> Self {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).expect("PKCS#8");
        let key_pem = pem("PRIVATE KEY", pkcs8.as_ref());
        let signer =
            rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256)
                .expect("rcgen key");
        let certificate = rcgen::CertificateParams::new(vec![name.to_owned()])
            .expect("certificate parameters")
            .self_signed(&signer)
            .expect("self-signed certificate");
        Identity {
            key,
            key_pem,
            certificate_der: certificate.der().to_vec(),
            certificate_pem: certificate.pem(),
        }
    }

    /// The trusted-certificate list holding only this identity.
    pub fn trusted(&self) -> Vec<Vec<u8>> {
        vec![self.certificate_der.clone()]
    }
}

/// The identity provider (or a service provider: one key serves both roles in these tests).
pub fn signer() -> &'static Identity {
    static SIGNER: OnceLock<Identity> = OnceLock::new();
    SIGNER.get_or_init(|| Identity::generate("idp.test"))
}

/// A second, untrusted key.
pub fn stranger() -> &'static Identity {
    static STRANGER: OnceLock<Identity> = OnceLock::new();
    STRANGER.get_or_init(|| Identity::generate("attacker.test"))
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A scratch directory removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "idaas-dsig-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("scratch directory");
        Scratch(path)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write scratch file");
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `xmlsec1` and returns (succeeded, stdout, stderr). Fails the test, rather than skipping
/// it, when `xmlsec1` is not installed: it is the independent oracle these tests rely on.
pub fn xmlsec1<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (bool, String, String) {
    let output = match Command::new("xmlsec1").args(args).output() {
        Ok(output) => output,
        Err(error) => panic!(
            "cannot run xmlsec1 ({error}); install it (Debian/Ubuntu: apt-get install xmlsec1) \
             to run the XML signature interoperability tests"
        ),
    };
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `--id-attr` arguments naming `ID` as the ID attribute of every SAML element we sign.
pub fn id_attr_args() -> Vec<String> {
    [
        "urn:oasis:names:tc:SAML:2.0:protocol:Response",
        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest",
        "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest",
        "urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse",
    ]
    .iter()
    .flat_map(|element| ["--id-attr:ID".to_owned(), (*element).to_owned()])
    .collect()
}

/// Asks `xmlsec1` to verify the signature selected by `signature_xpath` with the public key of
/// `certificate_pem` only (`--enabled-key-data rsa` ignores the certificate in KeyInfo).
pub fn xmlsec_verify(
    xml: &str,
    certificate_pem: &str,
    signature_xpath: &str,
) -> Result<(), String> {
    let scratch = Scratch::new();
    let document = scratch.write("signed.xml", xml);
    let certificate = scratch.write("cert.pem", certificate_pem);
    let mut args: Vec<String> = vec![
        "--verify".into(),
        "--enabled-key-data".into(),
        "rsa".into(),
        "--pubkey-cert-pem".into(),
        path_arg(&certificate),
    ];
    args.extend(id_attr_args());
    args.extend([
        "--node-xpath".into(),
        signature_xpath.into(),
        path_arg(&document),
    ]);
    match xmlsec1(&args) {
        (true, _, _) => Ok(()),
        (false, stdout, stderr) => Err(format!("{stdout}{stderr}")),
    }
}

/// Signs the template in `xml` (which holds an empty `ds:Signature`) with `xmlsec1 --sign`.
pub fn xmlsec_sign(xml: &str, identity: &Identity) -> String {
    let scratch = Scratch::new();
    let template = scratch.write("template.xml", xml);
    let key = scratch.write("key.pem", &identity.key_pem);
    let certificate = scratch.write("cert.pem", &identity.certificate_pem);
    let output = scratch.path("signed.xml");
    let mut args: Vec<String> = vec![
        "--sign".into(),
        "--privkey-pem".into(),
        format!("{},{}", path_arg(&key), path_arg(&certificate)),
        "--output".into(),
        path_arg(&output),
    ];
    args.extend(id_attr_args());
    args.push(path_arg(&template));
    let (ok, stdout, stderr) = xmlsec1(&args);
    assert!(ok, "xmlsec1 --sign failed: {stdout}{stderr}");
    std::fs::read_to_string(output).expect("xmlsec1 output")
}

pub fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// XPath selecting the `ds:Signature` child of the element whose `ID` is `id`.
pub fn signature_of(id: &str) -> String {
    format!("//*[@ID='{id}']/*[local-name()='Signature']")
}
