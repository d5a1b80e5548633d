//! List query handling: label and field selectors, and opaque continue tokens.

use serde_json::{Value, json};

use super::kube_store::Key;
use super::resources::{PROJECTS, SHOOTS};
use super::status::ApiError;

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Eq(String),
    Ne(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
}

/// A parsed label selector: all requirements must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LabelSelector(Vec<(String, Op)>);

fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn set_values(s: &str) -> Option<Vec<String>> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let bad = |p: &str| {
            ApiError::bad_request(format!(
                "unable to parse requirement: found '{p}', expected: identifier"
            ))
        };
        let mut reqs = Vec::new();
        for part in split_top(s) {
            let req = if let Some(k) = part.strip_prefix('!') {
                (k.trim().to_string(), Op::NotExists)
            } else if let Some((k, v)) = part.split_once("!=") {
                (k.trim().to_string(), Op::Ne(v.trim().to_string()))
            } else if let Some((k, v)) = part.split_once("==") {
                (k.trim().to_string(), Op::Eq(v.trim().to_string()))
            } else if let Some((k, v)) = part.split_once('=') {
                (k.trim().to_string(), Op::Eq(v.trim().to_string()))
            } else if let Some((k, v)) = part.split_once(" notin ") {
                (
                    k.trim().to_string(),
                    Op::NotIn(set_values(v).ok_or_else(|| bad(part))?),
                )
            } else if let Some((k, v)) = part.split_once(" in ") {
                (
                    k.trim().to_string(),
                    Op::In(set_values(v).ok_or_else(|| bad(part))?),
                )
            } else {
                (part.to_string(), Op::Exists)
            };
            if req.0.is_empty() || req.0.contains(char::is_whitespace) {
                return Err(bad(part));
            }
            reqs.push(req);
        }
        Ok(Self(reqs))
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let labels = &obj["metadata"]["labels"];
        self.0.iter().all(|(k, op)| {
            let v = labels.get(k).and_then(Value::as_str);
            match op {
                Op::Eq(x) => v == Some(x.as_str()),
                Op::Ne(x) => v != Some(x.as_str()),
                Op::In(xs) => v.is_some_and(|v| xs.iter().any(|x| x == v)),
                Op::NotIn(xs) => v.is_none_or(|v| !xs.iter().any(|x| x == v)),
                Op::Exists => v.is_some(),
                Op::NotExists => v.is_none(),
            }
        })
    }
}

/// A parsed field selector (`=`, `==`, `!=` on supported fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FieldSelector(Vec<(String, bool, String)>);

/// JSON pointer of a selectable field, per resource.
fn field_pointer(res: usize, field: &str) -> Option<&'static str> {
    Some(match (res, field) {
        (_, "metadata.name") => "/metadata/name",
        (_, "metadata.namespace") => "/metadata/namespace",
        (SHOOTS, "spec.seedName") => "/spec/seedName",
        (SHOOTS, "status.seedName") => "/status/seedName",
        (SHOOTS, "spec.cloudProfileName") => "/spec/cloudProfileName",
        (SHOOTS, "spec.cloudProfile.Name") => "/spec/cloudProfile/name",
        (SHOOTS, "spec.cloudProfile.Kind") => "/spec/cloudProfile/kind",
        (PROJECTS, "spec.namespace") => "/spec/namespace",
        _ => return None,
    })
}

impl FieldSelector {
    pub fn parse(res: usize, s: &str) -> Result<Self, ApiError> {
        let mut reqs = Vec::new();
        for part in split_top(s) {
            let (k, eq, v) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                )));
            };
            let k = k.trim();
            if field_pointer(res, k).is_none() {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {k}"
                )));
            }
            reqs.push((k.to_string(), eq, v.trim().to_string()));
        }
        Ok(Self(reqs))
    }

    pub fn matches(&self, res: usize, obj: &Value) -> bool {
        self.0.iter().all(|(k, eq, want)| {
            let got = field_pointer(res, k)
                .and_then(|p| obj.pointer(p))
                .and_then(Value::as_str)
                .unwrap_or("");
            (got == want) == *eq
        })
    }
}

/// Encodes where the next page starts (after `last`) and the list's resourceVersion.
pub(crate) fn encode_continue(rv: u64, last: &Key) -> String {
    let raw = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": [last.0, last.1]}).to_string();
    hex::encode(raw)
}

pub(crate) fn decode_continue(token: &str) -> Result<(u64, Key), ApiError> {
    let bad = || ApiError::bad_request("continue key is not valid: illegal token");
    let raw = hex::decode(token).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let rv = v["rv"].as_u64().ok_or_else(bad)?;
    let ns = v["start"][0].as_str().ok_or_else(bad)?;
    let name = v["start"][1].as_str().ok_or_else(bad)?;
    Ok((rv, (ns.to_string(), name.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors_follow_kubernetes_semantics() {
        let obj = json!({"metadata": {"labels": {"a": "1", "b": "x"}}});
        let ok = |s: &str| LabelSelector::parse(s).unwrap().matches(&obj);
        assert!(ok("a=1"));
        assert!(ok("a==1,b"));
        assert!(!ok("a!=1"));
        assert!(ok("b in (x, y)"));
        assert!(!ok("b notin (x)"));
        assert!(ok("!c"));
        assert!(!ok("c"));
        assert!(LabelSelector::parse("b in x").is_err());
    }

    #[test]
    fn field_selectors_and_continue_tokens() {
        let shoot =
            json!({"metadata": {"name": "a", "namespace": "garden-x"}, "spec": {"seedName": "s1"}});
        let f =
            FieldSelector::parse(SHOOTS, "metadata.namespace=garden-x,spec.seedName!=s2").unwrap();
        assert!(f.matches(SHOOTS, &shoot));
        let e = FieldSelector::parse(SHOOTS, "spec.foo=1").unwrap_err();
        assert_eq!(e.code, 400);
        let key = ("ns".to_string(), "n".to_string());
        assert_eq!(
            decode_continue(&encode_continue(7, &key)).unwrap(),
            (7, key)
        );
        assert!(decode_continue("zz").is_err());
    }
}
