//! The simulated metal-api v1 under `/metal/v1/...`: HMAC (or admin bearer)
//! authentication as metal-api verifies it, the viewer/editor split, and the
//! machine, firewall, partition, size, image and issue endpoints.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::metal_store::{ISSUES, push_event, ts};
use super::status::json_response;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// metal-api's `httperrors.HTTPErrorResponse`.
struct MetalErr {
    code: u16,
    message: String,
}

impl axum::response::IntoResponse for MetalErr {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(
            status,
            &json!({"statuscode": self.code, "message": self.message}),
        )
    }
}

fn err(code: u16, message: impl Into<String>) -> MetalErr {
    MetalErr {
        code,
        message: message.into(),
    }
}

fn ok(v: &Value) -> Response {
    json_response(StatusCode::OK, v)
}

/// Which HMAC user (or the admin bearer token) signed the request.
fn authenticate(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
) -> Result<&'static str, MetalErr> {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let auth = h("authorization");
    if let Some(token) = auth.and_then(|a| a.strip_prefix("Bearer ")) {
        return if token.trim() == shared.keys.admin {
            Ok("Metal-Admin")
        } else {
            Err(err(403, "access denied: invalid token"))
        };
    }
    let keys: [(&str, &[u8]); 3] = [
        ("Metal-View", shared.keys.view.as_bytes()),
        ("Metal-Edit", shared.keys.edit.as_bytes()),
        ("Metal-Admin", shared.keys.admin.as_bytes()),
    ];
    super::hmac_verify::verify(
        &keys,
        auth,
        h("x-date"),
        h("x-data-salt"),
        method.as_str(),
        jiff::Timestamp::now(),
    )
    .map_err(|e| err(403, format!("access denied: {e}")))
}

fn require_edit(user: &str) -> Result<(), MetalErr> {
    if user == "Metal-View" {
        return Err(err(
            403,
            "you are not member in one of [maas-all-all-edit maas-all-all-admin]",
        ));
    }
    Ok(())
}

fn body_json(body: &[u8]) -> Result<Value, MetalErr> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| err(400, format!("unable to parse request body: {e}")))
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match route(&shared, &method, &uri, &headers, &body) {
        Ok(r) => r,
        Err(e) => axum::response::IntoResponse::into_response(e),
    }
}

fn route(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, MetalErr> {
    let path = uri.path().trim_end_matches('/');
    let Some(rest) = path.strip_prefix("/metal/v1/") else {
        return Err(err(404, format!("no route for {path}")));
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let m = method.as_str();
    match (m, segs.as_slice()) {
        ("GET", ["health"]) => {
            return Ok(ok(
                &json!({"status": "healthy", "message": "", "services": {
                "rethinkdb": {"status": "healthy", "message": ""}, "ipam": {"status": "healthy", "message": ""},
                "masterdata-api": {"status": "healthy", "message": ""}}}),
            ));
        }
        ("GET", ["version"]) => {
            return Ok(ok(
                &json!({"version": "v0.44.1", "revision": "kclm-demo", "gitsha1": "a405f46",
                "builddate": "2026-06-23T00:00:00Z", "min_client_version": "v0.18.0", "release_version": "v0.32.0"}),
            ));
        }
        _ => {}
    }
    let user = authenticate(shared, method, headers)?;
    let world_guard = || shared.lock();
    let not_found = |what: &str, id: &str| err(404, format!("no {what} with id \"{id}\" found"));
    let all = |role: Option<&str>| {
        let w = world_guard();
        let list: Vec<&Value> = w.metal.find(&json!({}), role);
        ok(&Value::Array(list.into_iter().cloned().collect()))
    };
    match (m, segs.as_slice()) {
        ("GET", ["user", "me"]) => Ok(ok(
            &json!({"EMail": email(user), "Name": user, "Groups": [group(user)],
            "Tenant": "metal-stack", "Issuer": "", "Subject": ""}),
        )),
        ("GET", ["machine"]) => Ok(all(None)),
        ("POST", ["machine", "find"]) => {
            let q = body_json(body)?;
            let w = world_guard();
            Ok(ok(&Value::Array(
                w.metal.find(&q, None).into_iter().cloned().collect(),
            )))
        }
        ("POST", ["machine", "ipmi", "find"]) => {
            let q = body_json(body)?;
            let w = world_guard();
            let list: Vec<Value> = w
                .metal
                .find(&q, None)
                .into_iter()
                .map(|m| with_ipmi(m, &w.metal.ipmi))
                .collect();
            Ok(ok(&Value::Array(list)))
        }
        ("GET", ["machine", "issues"]) => {
            let catalog: Vec<Value> = ISSUES.iter().map(|(id, sev, desc)| json!({
                "id": id, "severity": sev, "description": desc,
                "ref_url": format!("https://docs.metal-stack.io/stable/installation/troubleshoot/#{id}"), "details": ""
            })).collect();
            Ok(ok(&Value::Array(catalog)))
        }
        ("POST", ["machine", "issues", "evaluate"]) => {
            let q = body_json(body)?;
            let w = world_guard();
            let res = w.metal.evaluate_issues(&q).map_err(|e| err(400, e))?;
            Ok(ok(&Value::Array(
                res.into_iter()
                    .map(|(id, issues)| json!({"machineid": id, "issues": issues}))
                    .collect(),
            )))
        }
        ("GET", ["machine", id]) => {
            let w = world_guard();
            w.metal
                .machines
                .get(*id)
                .map(ok)
                .ok_or_else(|| not_found("machine", id))
        }
        ("GET", ["machine", id, "ipmi"]) => {
            let w = world_guard();
            w.metal
                .machines
                .get(*id)
                .map(|mm| ok(&with_ipmi(mm, &w.metal.ipmi)))
                .ok_or_else(|| not_found("machine", id))
        }
        ("POST", ["machine", id, "power", cmd]) => {
            require_edit(user)?;
            let q: std::collections::HashMap<String, String> = Query::try_from_uri(uri)
                .map(|Query(q)| q)
                .unwrap_or_default();
            power(
                shared,
                id,
                cmd,
                q.get("description").map(String::as_str).unwrap_or(""),
            )
        }
        ("POST", ["machine", id, "state"]) => {
            require_edit(user)?;
            let b = body_json(body)?;
            set_state(shared, id, &b, user)
        }
        ("GET", ["firewall"]) => Ok(all(Some("firewall"))),
        ("POST", ["firewall", "find"]) => {
            let mut q = body_json(body)?;
            if let Some(o) = q.as_object_mut() {
                o.insert("allocation_role".into(), json!("firewall"));
            }
            let w = world_guard();
            Ok(ok(&Value::Array(
                w.metal.find(&q, None).into_iter().cloned().collect(),
            )))
        }
        ("GET", ["firewall", id]) => {
            let w = world_guard();
            w.metal
                .machines
                .get(*id)
                .filter(|mm| mm["allocation"]["role"] == "firewall")
                .map(ok)
                .ok_or_else(|| not_found("firewall", id))
        }
        ("GET", ["partition"]) => Ok(ok(&json!(world_guard().metal.partitions))),
        ("GET", ["partition", id]) => {
            let w = world_guard();
            w.metal
                .partitions
                .iter()
                .find(|p| p["id"] == *id)
                .map(ok)
                .ok_or_else(|| not_found("partition", id))
        }
        ("POST", ["partition", "capacity"]) => {
            let q = body_json(body)?;
            Ok(ok(&Value::Array(world_guard().metal.capacity(&q))))
        }
        ("GET", ["size"]) => Ok(ok(&json!(world_guard().metal.sizes))),
        ("GET", ["size", id]) => {
            let w = world_guard();
            w.metal
                .sizes
                .iter()
                .find(|p| p["id"] == *id)
                .map(ok)
                .ok_or_else(|| not_found("size", id))
        }
        ("GET", ["image"]) => Ok(ok(&json!(world_guard().metal.images))),
        ("GET", ["image", id]) => {
            let w = world_guard();
            w.metal
                .images
                .iter()
                .find(|p| p["id"] == *id)
                .map(ok)
                .ok_or_else(|| not_found("image", id))
        }
        _ => Err(err(404, format!("no route for {m} {path}"))),
    }
}

fn email(user: &str) -> String {
    format!("{}@metal-stack.io", user.to_lowercase())
}

fn group(user: &str) -> &'static str {
    match user {
        "Metal-Admin" => "maas-all-all-admin",
        "Metal-Edit" => "maas-all-all-edit",
        _ => "maas-all-all-view",
    }
}

fn with_ipmi(m: &Value, ipmi: &std::collections::HashMap<String, Value>) -> Value {
    let mut out = m.clone();
    out["ipmi"] = m["id"]
        .as_str()
        .and_then(|id| ipmi.get(id))
        .cloned()
        .unwrap_or(Value::Null);
    out
}

fn power(shared: &Shared, id: &str, cmd: &str, description: &str) -> Result<Response, MetalErr> {
    let mut w = shared.lock();
    let world = &mut *w;
    let Some(m) = world.metal.machines.get_mut(id) else {
        return Err(err(404, format!("no machine with id \"{id}\" found")));
    };
    match cmd {
        "on" | "off" | "reset" | "cycle" | "bios" | "disk" | "pxe" => {
            if matches!(cmd, "reset" | "off" | "cycle") {
                // metal-api records the reboot it triggers; it also ends a crash loop.
                push_event(m, &ts(0), "Planned Reboot", cmd);
                m["events"]["crash_loop"] = json!(false);
            }
            if let Some(i) = world.metal.ipmi.get_mut(id) {
                match cmd {
                    "off" => i["powerstate"] = json!("OFF"),
                    "on" | "reset" | "cycle" => i["powerstate"] = json!("ON"),
                    _ => {}
                }
            }
        }
        "chassis-identify-led-on" => {
            m["ledstate"] = json!({"value": "LED-ON", "description": description})
        }
        "chassis-identify-led-off" => {
            m["ledstate"] = json!({"value": "LED-OFF", "description": description})
        }
        other => return Err(err(404, format!("unknown power command {other:?}"))),
    }
    m["changed"] = json!(ts(0));
    Ok(ok(m))
}

fn set_state(shared: &Shared, id: &str, body: &Value, user: &str) -> Result<Response, MetalErr> {
    let value = body["value"].as_str().unwrap_or("");
    let description = body["description"].as_str().unwrap_or("");
    if !matches!(value, "" | "RESERVED" | "LOCKED") {
        return Err(err(400, format!("unknown MachineState: {value:?}")));
    }
    if !value.is_empty() && description.is_empty() {
        return Err(err(400, "you must supply a description"));
    }
    let mut w = shared.lock();
    let Some(m) = w.metal.machines.get_mut(id) else {
        return Err(err(404, format!("no machine with id \"{id}\" found")));
    };
    let hammer = m["state"]["metal_hammer_version"].clone();
    m["state"] = if value.is_empty() {
        json!({"value": "", "description": description, "metal_hammer_version": hammer})
    } else {
        json!({"value": value, "description": description, "issuer": email(user), "metal_hammer_version": hammer})
    };
    m["changed"] = json!(ts(0));
    Ok(ok(m))
}
