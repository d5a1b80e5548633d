//! Typed resources the console understands, one file per API family.
//!
//! Every struct keeps the fields kclm shows as typed values and everything
//! else in a flattened `extra` map, so an object read from the API and written
//! back loses nothing.

pub mod capi;
pub mod gardener;
pub mod kamaji;
pub mod metal;

pub mod istr;
pub mod slim;

pub use istr::IStr;
pub use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
pub use slim::{Extra, Slim};

/// Implements `kube::Resource` for a typed model with a static GVK.
#[macro_export]
macro_rules! kube_resource {
    ($ty:ty, $group:literal, $version:literal, $kind:literal, $plural:literal, $scope:ty) => {
        impl kube::Resource for $ty {
            type DynamicType = ();
            type Scope = $scope;
            fn kind(_: &()) -> std::borrow::Cow<'_, str> {
                $kind.into()
            }
            fn group(_: &()) -> std::borrow::Cow<'_, str> {
                $group.into()
            }
            fn version(_: &()) -> std::borrow::Cow<'_, str> {
                $version.into()
            }
            fn plural(_: &()) -> std::borrow::Cow<'_, str> {
                $plural.into()
            }
            fn meta(&self) -> &$crate::model::ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut $crate::model::ObjectMeta {
                &mut self.metadata
            }
        }
    };
}

/// A Kubernetes-style condition (Gardener and metav1 share this shape).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: IStr,
    #[serde(default)]
    pub status: IStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<IStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<IStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<IStr>,
    /// Not kept in the store (the console shows `lastTransitionTime`).
    #[serde(
        default,
        deserialize_with = "slim::unread",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_update_time: Option<IStr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Label or annotation value of an object, if present.
pub fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// Label value of an object, if present.
pub fn label<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

/// Parses a Kubernetes boolean-ish annotation value the way Go's `strconv.ParseBool` does.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Error when a manifest cannot be turned into a model.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("manifest is a template with unfilled placeholders ({0}); fill them in before use")]
    Template(String),
    #[error("manifest is not valid YAML/JSON: {0}")]
    Syntax(String),
    #[error("manifest does not match {kind}: {reason}")]
    Shape { kind: String, reason: String },
}

/// Parses one YAML or JSON document into a model, recognising clusterctl/Gardener
/// example templates (`<placeholder>` or `${VAR}`) and saying so instead of a type error.
pub fn from_manifest<T: serde::de::DeserializeOwned>(
    text: &str,
    kind: &str,
) -> Result<T, ManifestError> {
    if let Some(p) = find_placeholder(text) {
        return Err(ManifestError::Template(p));
    }
    let value: serde_json::Value =
        serde_saphyr::from_str(text).map_err(|e| ManifestError::Syntax(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| ManifestError::Shape {
        kind: kind.to_string(),
        reason: e.to_string(),
    })
}

fn find_placeholder(text: &str) -> Option<String> {
    for line in text.lines() {
        // Jinja2 (metal-roles) templates
        for open in ["{{", "{%"] {
            if let Some(start) = line.find(open) {
                let end = line[start..]
                    .find(['}'])
                    .map_or(line.len(), |e| (start + e + 2).min(line.len()));
                return Some(line[start..end].to_string());
            }
        }
        let body = line.split('#').next().unwrap_or("");
        if let Some(start) = body.find("${") {
            let end = body[start..].find('}').map(|e| start + e + 1)?;
            return Some(body[start..end].to_string());
        }
        if let Some(start) = body.find(": <") {
            let rest = &body[start + 2..];
            if let Some(end) = rest.find('>') {
                return Some(rest[..=end].to_string());
            }
        }
        if let Some(start) = body.find("- <") {
            let rest = &body[start + 2..];
            if let Some(end) = rest.find('>') {
                return Some(rest[..=end].to_string());
            }
        }
    }
    None
}
