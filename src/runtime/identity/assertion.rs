//! The signed JWT client assertion a certificate credential sends instead of a client secret
//! (`private_key_jwt`, RFC 7523), as MSAL builds it.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::credentials::{AssertionAlgorithm, CertificateCredential};
use super::random::uuid4;
use crate::{Error, Result};

/// How long an assertion is valid, as MSAL: ten minutes.
const ASSERTION_LIFETIME_SECS: u64 = 600;

/// The `client_assertion_type` of a JWT assertion.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    iat: u64,
    nbf: u64,
    exp: u64,
}

/// Signs an assertion for `client_id` at the token endpoint `audience`, issued at `now`.
pub(crate) fn client_assertion(
    certificate: &CertificateCredential,
    client_id: &str,
    audience: &str,
    now: SystemTime,
) -> Result<SecretString> {
    let der = certificate_der(&certificate.certificate_pem)?;
    let mut header = match certificate.algorithm {
        AssertionAlgorithm::Rs256 => {
            let mut h = Header::new(Algorithm::RS256);
            h.x5t = Some(thumbprint(&digest::SHA1_FOR_LEGACY_USE_ONLY, &der));
            h
        }
        AssertionAlgorithm::Ps256 => {
            let mut h = Header::new(Algorithm::PS256);
            h.x5t_s256 = Some(thumbprint(&digest::SHA256, &der));
            h
        }
    };
    header.typ = Some("JWT".into());
    let key = EncodingKey::from_rsa_pem(certificate.private_key_pem.expose_secret().as_bytes())
        .map_err(|_| {
            Error::config("the certificate credential's private key is not an RSA PEM key")
        })?;
    let iat = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let claims = Claims {
        aud: audience,
        iss: client_id,
        sub: client_id,
        jti: uuid4(),
        iat,
        nbf: iat,
        exp: iat + ASSERTION_LIFETIME_SECS,
    };
    jsonwebtoken::encode(&header, &claims, &key)
        .map(SecretString::from)
        .map_err(|e| Error::config("could not sign the client assertion").with_source(e))
}

/// base64url (unpadded, RFC 7515 §4.1.7) of the certificate's digest.
fn thumbprint(algorithm: &'static digest::Algorithm, der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(algorithm, der))
}

/// The DER bytes of the first `CERTIFICATE` block of a PEM text.
pub(crate) fn certificate_der(text: &str) -> Result<Vec<u8>> {
    let blocks = pem::parse_many(text)
        .map_err(|_| Error::config("the certificate credential's PEM block is not base64"))?;
    blocks
        .into_iter()
        .find(|block| block.tag() == "CERTIFICATE")
        .map(pem::Pem::into_contents)
        .ok_or_else(|| Error::config("the certificate credential has no PEM CERTIFICATE block"))
}
