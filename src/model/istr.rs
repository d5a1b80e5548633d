//! [`IStr`]: an immutable string shared between objects.
//!
//! Ten thousand shoots carry seventy thousand conditions whose types, statuses,
//! reasons, messages and timestamps mostly repeat; ten thousand machines repeat
//! their provisioning events. Stored as `String`s these were one allocation
//! each (about 17 MB of a large landscape). Decoding an `IStr` looks the text
//! up in a small per-thread cache first, so equal values share one allocation.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// An immutable, cheaply cloned string; equal decoded values share storage.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IStr(Arc<str>);

/// Entries the per-thread cache holds before it starts over. Bounded, so text
/// that never repeats (a message with a timestamp in it) cannot pile up in a
/// console that runs for weeks; what the store holds keeps its own reference.
const CACHE_LIMIT: usize = 4096;

/// A bounded per-thread set of shared values; [`intern_in`] hands out the
/// one `Arc` a thread has for an equal value.
pub type Interner<T> = std::thread::LocalKey<RefCell<HashSet<Arc<T>>>>;

/// The shared copy of `value` from `cache` (made with `make` when this thread
/// has not seen it recently); the cache starts over after `limit` entries.
pub fn intern_in<T: ?Sized + std::hash::Hash + Eq>(
    cache: &'static Interner<T>,
    limit: usize,
    value: &T,
    make: impl FnOnce(&T) -> Arc<T>,
) -> Arc<T> {
    cache.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(hit) = c.get(value) {
            return Arc::clone(hit);
        }
        if c.len() >= limit {
            c.clear();
        }
        let new = make(value);
        c.insert(Arc::clone(&new));
        new
    })
}

thread_local! {
    static CACHE: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::new());
}

impl IStr {
    /// The shared copy of `s` (allocates only when this thread has not seen it
    /// recently).
    pub fn intern(s: &str) -> Self {
        IStr(intern_in(&CACHE, CACHE_LIMIT, s, |s| Arc::from(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for IStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for IStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for IStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for IStr {
    fn from(s: &str) -> Self {
        IStr(Arc::from(s))
    }
}

impl From<String> for IStr {
    fn from(s: String) -> Self {
        IStr(Arc::from(s))
    }
}

impl From<&String> for IStr {
    fn from(s: &String) -> Self {
        IStr(Arc::from(s.as_str()))
    }
}

impl From<IStr> for String {
    fn from(s: IStr) -> Self {
        s.0.to_string()
    }
}

impl From<&IStr> for String {
    fn from(s: &IStr) -> Self {
        s.as_str().to_string()
    }
}

impl From<IStr> for std::borrow::Cow<'_, str> {
    fn from(s: IStr) -> Self {
        std::borrow::Cow::Owned(s.as_str().to_string())
    }
}

impl PartialEq<str> for IStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for IStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for IStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<IStr> for &str {
    fn eq(&self, other: &IStr) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for IStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for IStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for IStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

struct IStrVisitor;

impl Visitor<'_> for IStrVisitor {
    type Value = IStr;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<IStr, E> {
        Ok(IStr::intern(v))
    }
}

impl<'de> Deserialize<'de> for IStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(IStrVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_decoded_values_share_one_allocation() {
        let a: Vec<IStr> = serde_json::from_str(r#"["True","True","False"]"#).unwrap();
        assert!(Arc::ptr_eq(&a[0].0, &a[1].0));
        assert!(!Arc::ptr_eq(&a[0].0, &a[2].0));
        assert_eq!(a[0], "True");
        assert_eq!(format!("[{:<6}|{:>6}]", a[0], a[2]), "[True  | False]");
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"["True","True","False"]"#
        );
    }

    #[test]
    fn the_cache_is_bounded() {
        for i in 0..CACHE_LIMIT * 2 {
            IStr::intern(&format!("message {i}"));
        }
        assert!(CACHE.with(|c| c.borrow().len()) <= CACHE_LIMIT);
        // Values handed out before a reset stay valid and equal.
        let kept = IStr::intern("kept");
        for i in 0..CACHE_LIMIT {
            IStr::intern(&format!("other {i}"));
        }
        assert_eq!(IStr::intern("kept"), kept);
    }

    #[test]
    fn escaped_json_strings_decode() {
        let v: IStr = serde_json::from_str(r#""a \"quoted\" \u00e9""#).unwrap();
        assert_eq!(v, "a \"quoted\" é");
    }
}
