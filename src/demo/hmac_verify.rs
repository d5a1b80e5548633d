//! The server side of metal-stack's HMAC authentication, as metal-api checks
//! it. The signing side (what a client sends) is `crate::source::hmac`.

use crate::source::hmac::{AUTH_TYPES, mac};

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
    use crate::source::hmac::sign;

    #[test]
    fn signed_requests_verify_and_tampering_is_caught() {
        let now: jiff::Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        let h = sign(b"edit-key", "Metal-Edit", "POST", now);
        assert_eq!(h.x_date, "2026-11-24T10:00:00Z");
        assert_eq!(h.x_data_salt.len(), 24);
        let keys: [(&str, &[u8]); 2] = [("Metal-View", b"view-key"), ("Metal-Edit", b"edit-key")];
        let check = |auth: &str, method: &str, at: jiff::Timestamp| {
            verify(
                &keys,
                Some(auth),
                Some(&h.x_date),
                Some(&h.x_data_salt),
                method,
                at,
            )
        };
        assert_eq!(check(&h.authorization, "POST", now), Ok("Metal-Edit"));
        assert_eq!(
            check(&h.authorization, "GET", now),
            Err(VerifyError::Mismatch)
        );
        let later = now
            .checked_add(jiff::SignedDuration::from_secs(31))
            .unwrap();
        assert_eq!(
            check(&h.authorization, "POST", later),
            Err(VerifyError::Expired)
        );
        let as_admin = h.authorization.replace("Metal-Edit", "Metal-Admin");
        assert_eq!(
            check(&as_admin, "POST", now),
            Err(VerifyError::UnknownUser("Metal-Admin".into()))
        );
        assert_eq!(
            verify(&keys, None, None, None, "POST", now),
            Err(VerifyError::Missing)
        );
    }
}
