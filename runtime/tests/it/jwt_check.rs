//! An RSA key made for the test run, and the check of a JWT assertion
//! signed with it: shared by the runtime's auth tests and the generated
//! crate's example tests (which include this file by path).

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::EncodePrivateKey;
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::Value;

/// One key per test binary: generating RSA keys is slow in debug builds.
fn key() -> &'static (RsaPrivateKey, String) {
    static KEY: OnceLock<(RsaPrivateKey, String)> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("an RSA key");
        let pem = private.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).expect("PEM").to_string();
        (private, pem)
    })
}

/// The private key in PKCS #8 PEM form, as key files hold it.
pub fn key_pem() -> &'static str {
    &key().1
}

/// Decodes and checks a JWT assertion: RS256, signed by the test key,
/// claims as a service account must send them. Returns the claims.
pub fn verified_claims(assertion: &str) -> Value {
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT has three parts");
    let decode = |part: &str| -> Value { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap() };
    let header = decode(parts[0]);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "key-1");
    let signature = Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice()).unwrap();
    let verifier = VerifyingKey::<rsa::sha2::Sha256>::new(RsaPublicKey::from(&key().0));
    let signed = format!("{}.{}", parts[0], parts[1]);
    verifier.verify(signed.as_bytes(), &signature).expect("the JWT is signed with the key file's private key");
    // Any other key fails the check, so the verification above is real.
    let tampered = format!("{}.{}x", parts[0], parts[1]);
    assert!(verifier.verify(tampered.as_bytes(), &signature).is_err());
    decode(parts[1])
}
