//! Random values and digests of the sign-in flows: `state`, PKCE verifier and challenge, nonce,
//! request and JWT ids.

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// `bytes` random bytes as unpadded base64url (16 bytes → 22 chars, 32 → 43).
pub(crate) fn urlsafe_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The PKCE S256 challenge of `verifier` (RFC 7636 §4.2).
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// Lowercase hex SHA-256, as MSAL hashes the nonce it sends.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(digest::digest(&digest::SHA256, text.as_bytes()).as_ref())
}

/// A random version-4 UUID, formatted `8-4-4-4-12`.
pub(crate) fn uuid4() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_base64url_sha256() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mJ92IZ7NUEFOXGQOZEfZzNbl0gl4fQ"),
            "mDSNjTwWOgW2yTp5OrafNrSzrIS7cbiXI01M-QtAqF0"
        );
        assert_eq!(urlsafe_token(16).len(), 22);
        assert_eq!(urlsafe_token(32).len(), 43);
        assert_ne!(urlsafe_token(32), urlsafe_token(32));
    }

    #[test]
    fn uuid_has_version_and_variant() {
        let id = uuid4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
