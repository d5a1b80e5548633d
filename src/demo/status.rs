//! Kubernetes `Status` errors with the reasons, codes and message texts
//! kube-apiserver (apimachinery `errors.go`) produces.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::resources::ResourceDef;

#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// Answered as kube-apiserver's mux does for paths nothing serves: a
    /// text/plain `404 page not found`, not a `Status`.
    pub plain: bool,
}

fn details(def: &ResourceDef, name: &str) -> Value {
    let mut d = json!({"group": def.group, "kind": def.plural});
    if !name.is_empty() {
        d["name"] = json!(name);
    }
    d
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
            plain: false,
        }
    }

    /// A path no API group serves (an unknown group, version or resource under
    /// `/apis`): kube-apiserver answers `404 page not found` as plain text.
    pub fn page_not_found() -> Self {
        Self {
            plain: true,
            ..Self::new(404, "NotFound", "404 page not found")
        }
    }

    pub fn not_found(def: &ResourceDef, name: &str) -> Self {
        Self {
            details: Some(details(def, name)),
            ..Self::new(
                404,
                "NotFound",
                format!("{} \"{name}\" not found", def.qualified()),
            )
        }
    }

    pub fn already_exists(def: &ResourceDef, name: &str) -> Self {
        Self {
            details: Some(details(def, name)),
            ..Self::new(
                409,
                "AlreadyExists",
                format!("{} \"{name}\" already exists", def.qualified()),
            )
        }
    }

    pub fn conflict(def: &ResourceDef, name: &str) -> Self {
        Self {
            details: Some(details(def, name)),
            ..Self::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
                     please apply your changes to the latest version and try again",
                    def.qualified()
                ),
            )
        }
    }

    /// Admission denial (`admission.NewForbidden`).
    pub fn forbidden(def: &ResourceDef, name: &str, why: &str) -> Self {
        let subject = if name.is_empty() {
            def.qualified()
        } else {
            format!("{} \"{name}\"", def.qualified())
        };
        Self {
            details: Some(details(def, name)),
            ..Self::new(403, "Forbidden", format!("{subject} is forbidden: {why}"))
        }
    }

    /// RBAC denial, worded like the authorizer's.
    pub fn rbac(def: &ResourceDef, name: &str, user: &str, verb: &str, ns: &str) -> Self {
        let scope = if ns.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{ns}\"")
        };
        let why = format!(
            "User \"{user}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
            def.plural, def.group
        );
        Self::forbidden(def, name, &why)
    }

    /// 422 with field causes `(reason, field, message)`.
    pub fn invalid(def: &ResourceDef, name: &str, causes: &[(&str, String, String)]) -> Self {
        let texts: Vec<String> = causes
            .iter()
            .map(|(_, field, msg)| format!("{field}: {msg}"))
            .collect();
        let joined = if texts.len() == 1 {
            texts[0].clone()
        } else {
            format!("[{}]", texts.join(", "))
        };
        let group = if def.group.is_empty() {
            String::new()
        } else {
            format!(".{}", def.group)
        };
        let causes: Vec<Value> = causes
            .iter()
            .map(|(reason, field, msg)| json!({"reason": reason, "message": msg, "field": field}))
            .collect();
        Self {
            details: Some(
                json!({"name": name, "group": def.group, "kind": def.kind, "causes": causes}),
            ),
            ..Self::new(
                422,
                "Invalid",
                format!("{}{group} \"{name}\" is invalid: {joined}", def.kind),
            )
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    pub fn unsupported_media(message: impl Into<String>) -> Self {
        Self::new(415, "UnsupportedMediaType", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    pub fn to_value(&self) -> Value {
        let mut v = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": self.message, "reason": self.reason, "code": self.code,
        });
        if let Some(d) = &self.details {
            v["details"] = d.clone();
        }
        v
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if self.plain {
            let ct = "text/plain; charset=utf-8";
            return (
                code,
                [(axum::http::header::CONTENT_TYPE, ct)],
                format!("{}\n", self.message),
            )
                .into_response();
        }
        json_response(code, &self.to_value())
    }
}

pub(crate) fn json_response(code: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    (
        code,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}
