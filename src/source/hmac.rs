//! metal-stack's HMAC request authentication, exactly as metal-stack/security
//! does it: `HMAC-SHA256(key, ts || METHOD || salt)`, lower-case hex, with the
//! timestamp in `X-Date` and the salt in `X-Data-Salt`. Path and body are not signed.

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

/// Why a server refused a signed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no Authorization header")]
    Missing,
    #[error("malformed Authorization header")]
    Malformed,
    #[error("unknown HMAC user {0}")]
    UnknownUser(String),
    #[error("X-Date is not RFC3339: {0}")]
    BadDate(String),
    #[error("request timestamp is too old")]
    Expired,
    #[error("signature mismatch")]
    Mismatch,
}

/// Server-side check as metal-api does it: scheme = user, signature over the
/// sent X-Date/method/salt, and a maximum age (30 s view/edit, 90 s admin).
pub fn verify(
    keys: &[(&str, &[u8])],
    authorization: Option<&str>,
    x_date: Option<&str>,
    salt: Option<&str>,
    method: &str,
    now: jiff::Timestamp,
) -> Result<&'static str, VerifyError> {
    let auth = authorization.ok_or(VerifyError::Missing)?;
    let mut parts = auth.split(' ');
    let (Some(user), Some(sig), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(VerifyError::Malformed);
    };
    let (name, key) = keys
        .iter()
        .find(|(n, _)| *n == user)
        .ok_or_else(|| VerifyError::UnknownUser(user.to_string()))?;
    let date = x_date.ok_or(VerifyError::Malformed)?;
    let ts: jiff::Timestamp = date
        .parse()
        .map_err(|_| VerifyError::BadDate(date.to_string()))?;
    let lifetime = if *name == "Metal-Admin" { 90 } else { 30 };
    if now.as_second() - ts.as_second() > lifetime {
        return Err(VerifyError::Expired);
    }
    let expected = mac(key, date, method, salt.unwrap_or("").as_bytes());
    if expected != sig {
        return Err(VerifyError::Mismatch);
    }
    Ok(AUTH_TYPES
        .iter()
        .find(|t| **t == *name)
        .copied()
        .unwrap_or("Metal-View"))
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

    #[test]
    fn signed_requests_verify_and_tampering_is_caught() {
        let now: jiff::Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        let h = sign(b"edit-key", "Metal-Edit", "POST", now);
        assert_eq!(h.x_date, "2026-11-24T10:00:00Z");
        assert_eq!(h.x_data_salt.len(), 24);
        let keys: [(&str, &[u8]); 2] = [("Metal-View", b"view-key"), ("Metal-Edit", b"edit-key")];
        let ok = verify(
            &keys,
            Some(&h.authorization),
            Some(&h.x_date),
            Some(&h.x_data_salt),
            "POST",
            now,
        );
        assert_eq!(ok, Ok("Metal-Edit"));
        let wrong_method = verify(
            &keys,
            Some(&h.authorization),
            Some(&h.x_date),
            Some(&h.x_data_salt),
            "GET",
            now,
        );
        assert_eq!(wrong_method, Err(VerifyError::Mismatch));
        let later = now
            .checked_add(jiff::SignedDuration::from_secs(31))
            .unwrap();
        let expired = verify(
            &keys,
            Some(&h.authorization),
            Some(&h.x_date),
            Some(&h.x_data_salt),
            "POST",
            later,
        );
        assert_eq!(expired, Err(VerifyError::Expired));
    }
}
