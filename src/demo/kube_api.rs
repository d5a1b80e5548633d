//! The HTTP face of the simulated Kubernetes API server: authentication,
//! discovery, list (paged), watch (resumable, bookmarks, 410), get, and the
//! routing of mutations to `kube_write`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::Shared;
use super::kube_query::{FieldSelector, LabelSelector, decode_continue, encode_continue};
use super::kube_store::WatchEvent;
use super::kube_table::table;
use super::kube_write::{self, Target, Writer};
use super::resources::{self, RESOURCES, SSAR};
use super::status::{ApiError, json_response};

const ADMIN: &str = "demo-admin";

/// kube-apiserver's answer to a continue token whose snapshot was compacted away.
const CONTINUE_TOO_OLD: &str = "The provided continue parameter is too old to display a consistent \
    list result. You can start a new list without the continue parameter, or use the continue token \
    in this response to retrieve the remainder of the results. Continuing with the provided token \
    results in an inconsistent list - objects that were created, modified, or deleted between the \
    time the first chunk was returned and now may show up in the list.";
const VIEWER: &str = "demo-viewer";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// An unknown resource of the core group (`/api/...`).
fn not_found() -> ApiError {
    ApiError {
        details: Some(json!({})),
        ..ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }
}

fn user_of(headers: &HeaderMap) -> Option<&'static str> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    match auth.strip_prefix("Bearer ")?.trim() {
        ADMIN => Some(ADMIN),
        VIEWER => Some(VIEWER),
        _ => None,
    }
}

fn ok(v: &Value) -> Response {
    json_response(StatusCode::OK, v)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match route(&shared, &method, &uri, &headers, &body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn route(
    shared: &Arc<Shared>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let segs: Vec<&str> = uri
        .path()
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segs.as_slice() {
        ["version"] => return Ok(ok(&resources::version_doc())),
        ["healthz" | "readyz" | "livez"] => return Ok((StatusCode::OK, "ok").into_response()),
        _ => {}
    }
    let user = user_of(headers).ok_or_else(ApiError::unauthorized)?;
    let q: HashMap<String, String> = Query::try_from_uri(uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    let target = match segs.as_slice() {
        ["api"] => return Ok(ok(&resources::api_versions())),
        ["apis"] => return Ok(ok(&resources::api_group_list())),
        ["api", "v1"] => {
            return resources::resource_list("", "v1")
                .map(|v| ok(&v))
                .ok_or_else(not_found);
        }
        ["apis", g] => {
            return resources::api_group(g)
                .map(|v| ok(&v))
                .ok_or_else(ApiError::page_not_found);
        }
        ["apis", g, v] => {
            return resources::resource_list(g, v)
                .map(|v| ok(&v))
                .ok_or_else(ApiError::page_not_found);
        }
        ["api", "v1", rest @ ..] => parse_target("", "v1", rest)?,
        ["apis", g, v, rest @ ..] => {
            parse_target(g, v, rest).map_err(|_| ApiError::page_not_found())?
        }
        ["api", ..] => return Err(not_found()),
        _ => return Err(ApiError::page_not_found()),
    };
    let def = target.def();
    let dry_run = match q.get("dryRun").map(String::as_str) {
        None | Some("") => false,
        Some("All") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "dryRun: Unsupported value: {other:?}: supported values: \"All\""
            )));
        }
    };
    let verb = match (method.as_str(), target.name.is_some()) {
        ("GET", _) if q.get("watch").is_some_and(|w| w == "true" || w == "1") => "watch",
        ("GET", true) => "get",
        ("GET", false) => "list",
        ("POST", false) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        _ => {
            return Err(ApiError::method_not_allowed(
                "the server does not allow this method on the requested resource",
            ));
        }
    };
    if target.res == SSAR {
        if verb != "create" {
            return Err(ApiError::method_not_allowed(
                "the server does not allow this method on the requested resource",
            ));
        }
        return self_subject_access_review(body, user);
    }
    if !def.stored {
        return Err(not_found());
    }
    if user == VIEWER && !matches!(verb, "get" | "list" | "watch") {
        return Err(ApiError::rbac(
            def,
            target.name.as_deref().unwrap_or(""),
            user,
            verb,
            &target.ns,
        ));
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .unwrap_or("");
    let wants_table = accept.contains("as=Table");
    // Like kube-apiserver: the fieldManager parameter, else the client's User-Agent up to "/".
    let manager = q
        .get("fieldManager")
        .filter(|m| !m.is_empty())
        .cloned()
        .or_else(|| {
            let ua = headers.get(header::USER_AGENT)?.to_str().ok()?;
            Some(ua.split('/').next().unwrap_or(ua).to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let writer = Writer {
        user,
        manager: &manager,
        force: q.get("force").is_some_and(|f| f == "true"),
    };
    match verb {
        "watch" => watch(shared, &target, &q),
        "list" => list(shared, &target, &q, wants_table),
        "get" => {
            let name = target.name.as_deref().unwrap_or("");
            let world = shared.lock();
            let obj = world
                .kube
                .get(target.res, &target.ns, name)
                .cloned()
                .ok_or_else(|| ApiError::not_found(def, name))?;
            let rv = world.kube.current_rv();
            drop(world);
            if target.sub.as_deref().is_some_and(|s| s != "status") {
                return Err(not_found());
            }
            Ok(if wants_table {
                ok(&table(target.res, &[obj], rv, None))
            } else {
                ok(&obj)
            })
        }
        "create" => kube_write::create(shared, &target, body, dry_run, &writer)
            .map(|v| json_response(StatusCode::CREATED, &v)),
        "update" => kube_write::replace(shared, &target, body, dry_run, &writer).map(|v| ok(&v)),
        "patch" => {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|c| c.to_str().ok())
                .unwrap_or("");
            let fm = q.get("fieldManager").map(String::as_str);
            kube_write::patch(shared, &target, ct, body, fm, dry_run, &writer).map(
                |(v, created)| {
                    json_response(
                        if created {
                            StatusCode::CREATED
                        } else {
                            StatusCode::OK
                        },
                        &v,
                    )
                },
            )
        }
        _ => kube_write::delete(shared, &target, body, dry_run, user).map(|v| ok(&v)),
    }
}

fn parse_target(group: &str, version: &str, rest: &[&str]) -> Result<Target, ApiError> {
    let namespaced_path = rest.len() >= 3
        && rest[0] == "namespaces"
        && resources::find(group, version, rest[2]).is_some_and(|i| RESOURCES[i].namespaced);
    let (ns, rest) = if namespaced_path {
        (rest[1].to_string(), &rest[2..])
    } else {
        (String::new(), rest)
    };
    let plural = rest.first().ok_or_else(not_found)?;
    let res = resources::find(group, version, plural).ok_or_else(not_found)?;
    if rest.len() > 3 {
        return Err(not_found());
    }
    let def = &RESOURCES[res];
    let name = rest.get(1).map(|s| s.to_string());
    if def.namespaced && ns.is_empty() && name.is_some() {
        return Err(not_found());
    }
    Ok(Target {
        res,
        ns,
        name,
        sub: rest.get(2).map(|s| s.to_string()),
    })
}

fn self_subject_access_review(body: &[u8], user: &str) -> Result<Response, ApiError> {
    let mut review: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid SelfSubjectAccessReview: {e}")))?;
    let verb = review["spec"]["resourceAttributes"]["verb"]
        .as_str()
        .unwrap_or("get")
        .to_string();
    let allowed = user == ADMIN || matches!(verb.as_str(), "get" | "list" | "watch");
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    review["metadata"] = json!({"creationTimestamp": null});
    // The admin is like system:masters: allowed before RBAC is asked, so no reason.
    review["status"] = if user == ADMIN {
        json!({"allowed": true})
    } else if allowed {
        json!({"allowed": true, "reason": format!(
            "RBAC: allowed by ClusterRoleBinding \"demo-viewers\" of ClusterRole \"view\" to User \"{user}\"")})
    } else {
        json!({"allowed": false})
    };
    Ok(json_response(StatusCode::CREATED, &review))
}

struct Filters {
    ns: String,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filters {
    fn new(t: &Target, q: &HashMap<String, String>) -> Result<Self, ApiError> {
        Ok(Self {
            ns: t.ns.clone(),
            labels: q
                .get("labelSelector")
                .map(|s| LabelSelector::parse(s))
                .transpose()?
                .unwrap_or_default(),
            fields: q
                .get("fieldSelector")
                .map(|s| FieldSelector::parse(t.res, s))
                .transpose()?
                .unwrap_or_default(),
        })
    }
    fn matches(&self, res: usize, o: &Value) -> bool {
        (self.ns.is_empty() || o["metadata"]["namespace"].as_str() == Some(self.ns.as_str()))
            && self.labels.matches(o)
            && self.fields.matches(res, o)
    }
    fn is_empty(&self) -> bool {
        self.labels == LabelSelector::default() && self.fields == FieldSelector::default()
    }
}

fn list(
    shared: &Shared,
    t: &Target,
    q: &HashMap<String, String>,
    wants_table: bool,
) -> Result<Response, ApiError> {
    let def = t.def();
    let filters = Filters::new(t, q)?;
    let limit: usize = match q.get("limit") {
        Some(l) => l
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid limit {l:?}")))?,
        None => 0,
    };
    let token = q
        .get("continue")
        .filter(|c| !c.is_empty())
        .map(|c| decode_continue(c))
        .transpose()?;
    let world = shared.lock();
    let list_rv = token
        .as_ref()
        .map(|(rv, _)| *rv)
        .unwrap_or_else(|| world.kube.current_rv());
    // Every page shows the objects as of the first page's resourceVersion.
    let table_objs = match &token {
        Some((rv, _)) => world
            .kube
            .objects_at(t.res, *rv)
            .map_err(|_| ApiError::expired(CONTINUE_TOO_OLD))?,
        None => Cow::Borrowed(&world.kube.tables[t.res].objects),
    };
    let start = match &token {
        Some((_, key)) => Bound::Excluded(key.clone()),
        None if !t.ns.is_empty() => Bound::Included((t.ns.clone(), String::new())),
        None => Bound::Unbounded,
    };
    let mut items = Vec::new();
    let mut remaining = 0usize;
    let mut last_key = None;
    for (k, o) in table_objs.range((start, Bound::Unbounded)) {
        if !t.ns.is_empty() && k.0 != t.ns {
            break;
        }
        if !filters.matches(t.res, o) {
            continue;
        }
        if limit > 0 && items.len() >= limit {
            remaining += 1;
            if !filters.is_empty() {
                break;
            }
            continue;
        }
        last_key = Some(k.clone());
        items.push(o.clone());
    }
    drop(table_objs);
    drop(world);
    let cont = (remaining > 0)
        .then(|| last_key.as_ref().map(|k| encode_continue(list_rv, k)))
        .flatten();
    if wants_table {
        return Ok(ok(&table(t.res, &items, list_rv, cont.as_deref())));
    }
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if let Some(c) = &cont {
        meta["continue"] = json!(c);
        if filters.is_empty() {
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    // Serialize items straight from the shared objects instead of cloning them into a Value.
    let mut out = Vec::with_capacity(items.len() * 2048 + 256);
    out.extend_from_slice(
        format!(
            "{{\"apiVersion\":\"{}\",\"kind\":\"{}\",\"metadata\":{},\"items\":[",
            def.api_version(),
            def.list_kind(),
            meta
        )
        .as_bytes(),
    );
    for (i, o) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &**o).map_err(|e| ApiError::internal(e.to_string()))?;
    }
    out.extend_from_slice(b"]}");
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        out,
    )
        .into_response())
}

fn event_line(etype: &str, object: &Value) -> Bytes {
    let mut line =
        serde_json::to_vec(&json!({"type": etype, "object": object})).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

fn watch(
    shared: &Arc<Shared>,
    t: &Target,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let def = t.def();
    let filters = Filters::new(t, q)?;
    let bookmarks = q
        .get("allowWatchBookmarks")
        .is_some_and(|b| b == "true" || b == "1");
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(1800);
    let initial_events = q.get("sendInitialEvents").is_some_and(|b| b == "true");
    let rv_param = q.get("resourceVersion").cloned().unwrap_or_default();
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::convert::Infallible>>(256);
    let mut first: Vec<Bytes> = Vec::new();
    let (live, start_rv) = {
        let world = shared.lock();
        let live = shared.events.subscribe();
        let cur = world.kube.current_rv();
        if rv_param.is_empty() || rv_param == "0" || initial_events {
            for o in world.kube.list(t.res).filter(|o| filters.matches(t.res, o)) {
                first.push(event_line("ADDED", o));
            }
            if initial_events {
                let mark = json!({"kind": def.kind, "apiVersion": def.api_version(), "metadata": {
                    "resourceVersion": cur.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}});
                first.push(event_line("BOOKMARK", &mark));
            }
            (live, cur)
        } else {
            let rv: u64 = rv_param.parse().map_err(|_| {
                ApiError::bad_request(format!("invalid resource version: {rv_param}"))
            })?;
            match world.kube.events_since(t.res, rv) {
                Ok(evs) => {
                    for e in evs.iter().filter(|e| filters.matches(t.res, &e.object)) {
                        first.push(event_line(e.etype.as_str(), &e.object));
                    }
                    (live, evs.last().map(|e| e.rv).unwrap_or(rv).max(rv))
                }
                Err(too_old) => {
                    let status = ApiError::expired(format!(
                        "too old resource version: {} ({})",
                        too_old.requested, too_old.oldest
                    ));
                    first.push(event_line("ERROR", &status.to_value()));
                    drop(world);
                    return Ok(stream_response(first, None));
                }
            }
        }
    };
    let shared = shared.clone();
    let res = t.res;
    let (kind, api_version) = (def.kind, def.api_version());
    tokio::spawn(async move {
        for line in first {
            if tx.send(Ok(line)).await.is_err() {
                return;
            }
        }
        pump(
            shared,
            live,
            tx,
            res,
            filters,
            start_rv,
            bookmarks,
            timeout,
            kind,
            api_version,
        )
        .await;
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

fn stream_response(lines: Vec<Bytes>, _: Option<()>) -> Response {
    let stream = futures::stream::iter(lines.into_iter().map(Ok::<_, std::convert::Infallible>));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

#[allow(clippy::too_many_arguments)]
async fn pump(
    shared: Arc<Shared>,
    mut live: broadcast::Receiver<Arc<WatchEvent>>,
    tx: mpsc::Sender<Result<Bytes, std::convert::Infallible>>,
    res: usize,
    filters: Filters,
    mut last_rv: u64,
    bookmarks: bool,
    timeout: u64,
    kind: &'static str,
    api_version: String,
) {
    let mut epoch = shared.watch_epoch.subscribe();
    let deadline = tokio::time::sleep(Duration::from_secs(timeout));
    tokio::pin!(deadline);
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    tick.tick().await;
    let relevant =
        |e: &WatchEvent, last: u64| e.res == res && e.rv > last && filters.matches(res, &e.object);
    loop {
        tokio::select! {
            ev = live.recv() => match ev {
                Ok(e) => {
                    if relevant(&e, last_rv) {
                        last_rv = e.rv;
                        if tx.send(Ok(event_line(e.etype.as_str(), &e.object))).await.is_err() {
                            return;
                        }
                    }
                }
                // A watcher that fell behind is dropped, as kube-apiserver does; the client resumes.
                Err(_) => return,
            },
            _ = tick.tick(), if bookmarks => {
                let snapshot = shared.published_rv.load(Ordering::Acquire);
                while let Ok(e) = live.try_recv() {
                    if relevant(&e, last_rv) {
                        last_rv = e.rv;
                        if tx.send(Ok(event_line(e.etype.as_str(), &e.object))).await.is_err() {
                            return;
                        }
                    }
                }
                if snapshot > last_rv {
                    last_rv = snapshot;
                }
                let mark = json!({"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": last_rv.to_string()}});
                if tx.send(Ok(event_line("BOOKMARK", &mark))).await.is_err() {
                    return;
                }
            }
            _ = &mut deadline => return,
            _ = epoch.changed() => return,
        }
    }
}
