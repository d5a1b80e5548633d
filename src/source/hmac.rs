//! metal-stack's HMAC request authentication, exactly as metal-stack/security
//! does it: `HMAC-SHA256(key, ts || METHOD || salt)`, lower-case hex, with the
//! timestamp in `X-Date` and the salt in `X-Data-Salt`. Path and body are not signed.
//! (The server-side check lives with the demo's metal-api.)

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;

/// The three HMAC users metal-api knows.
pub const AUTH_TYPES: [&str; 3] = ["Metal-View", "Metal-Edit", "Metal-Admin"];
pub const DEFAULT_AUTH_TYPE: &str = "Metal-Admin";

/// The signature over `ts || method || salt`.
pub fn mac(key: &[u8], ts: &str, method: &str, salt: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    m.update(ts.as_bytes());
    m.update(method.as_bytes());
    m.update(salt);
    hex::encode(m.finalize().into_bytes())
}

/// The three headers of one signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeaders {
    pub authorization: String,
    pub x_date: String,
    pub x_data_salt: String,
}

/// A fresh salt: 24 random ASCII letters.
pub fn random_salt() -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..24)
        .map(|_| LETTERS[rng.random_range(0..LETTERS.len())] as char)
        .collect()
}

/// Go's `time.RFC3339` of a UTC instant: whole seconds, `Z`.
pub fn rfc3339_seconds(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Signs one request afresh (new timestamp, new salt).
pub fn sign(key: &[u8], auth_type: &str, method: &str, now: jiff::Timestamp) -> AuthHeaders {
    let ts = rfc3339_seconds(now);
    let salt = random_salt();
    AuthHeaders {
        authorization: format!("{auth_type} {}", mac(key, &ts, method, salt.as_bytes())),
        x_date: ts,
        x_data_salt: salt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_metal_stack_security_test_vector() {
        // metal-stack/security mac_test.go TestAddAuth
        let got = mac(
            &[1, 2, 3],
            "2019-01-16T14:44:45Z",
            "GET",
            &[1, 2, 3, 4, 5, 6],
        );
        assert_eq!(
            got,
            "f8d293a06bdde899a5bd1dd61b13842564650c717c742db02c4e1a888fc22501"
        );
    }
}
