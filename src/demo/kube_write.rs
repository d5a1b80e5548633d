//! Mutations of the simulated API server: create, update (PUT), patch, delete,
//! each with `?dryRun=All`, preconditions and the Gardener admission rules.

use std::sync::Arc;

use serde_json::{Value, json};

use super::gardener_rules::{
    admit_delete, admit_shoot, admit_shoot_update, set_status_label, validate_shoot,
};
use super::kube_store::now_str;
use super::managed_fields;
use super::patch::{json_patch, merge_patch};
use super::resources::{NAMESPACES, RESOURCES, ResourceDef, SHOOTS};
use super::status::ApiError;
use super::{Shared, World, simulate};

/// Who writes: the authenticated user, and the field manager it writes as.
pub(crate) struct Writer<'a> {
    pub user: &'a str,
    pub manager: &'a str,
    /// Server-side apply with `force=true`: take over conflicting fields.
    pub force: bool,
}

/// Which object (or collection) a request addresses.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub res: usize,
    pub ns: String,
    pub name: Option<String>,
    pub sub: Option<String>,
}

impl Target {
    pub fn def(&self) -> &'static ResourceDef {
        &RESOURCES[self.res]
    }
    fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

fn parse_object(body: &[u8]) -> Result<Value, ApiError> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the object provided is unrecognized: {e}")))?;
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "the object provided is not a JSON object",
        ));
    }
    Ok(v)
}

fn check_type(def: &ResourceDef, obj: &Value) -> Result<(), ApiError> {
    let api = obj["apiVersion"].as_str().unwrap_or("");
    let kind = obj["kind"].as_str().unwrap_or("");
    if (!api.is_empty() && api != def.api_version()) || (!kind.is_empty() && kind != def.kind) {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api}) does not match the expected API version ({})",
            def.api_version()
        )));
    }
    Ok(())
}

fn meta_str<'a>(obj: &'a Value, f: &str) -> &'a str {
    obj["metadata"][f].as_str().unwrap_or("")
}

/// Checks the namespace exists and is not terminating (NamespaceLifecycle).
fn check_namespace(world: &World, def: &ResourceDef, ns: &str) -> Result<(), ApiError> {
    if !def.namespaced {
        return Ok(());
    }
    match world.kube.get(NAMESPACES, "", ns) {
        None => Err(ApiError::not_found(&RESOURCES[NAMESPACES], ns)),
        Some(n) if !n["metadata"]["deletionTimestamp"].is_null() => Err(ApiError::forbidden(
            def,
            "",
            &format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
        )),
        Some(_) => Ok(()),
    }
}

pub(crate) fn create(
    shared: &Shared,
    t: &Target,
    body: &[u8],
    dry_run: bool,
    w: &Writer,
) -> Result<Value, ApiError> {
    let obj = parse_object(body)?;
    let mut world = shared.lock();
    create_locked(&mut world, t, obj, dry_run, w, false)
}

/// Creates an object; `applied`: by server-side apply (else a plain create).
fn create_locked(
    world: &mut World,
    t: &Target,
    mut obj: Value,
    dry_run: bool,
    w: &Writer,
    applied: bool,
) -> Result<Value, ApiError> {
    let def = t.def();
    check_type(def, &obj)?;
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    let body_ns = meta_str(&obj, "namespace").to_string();
    if def.namespaced {
        if !body_ns.is_empty() && body_ns != t.ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        obj["metadata"]["namespace"] = json!(t.ns);
    } else if let Some(m) = obj["metadata"].as_object_mut() {
        m.remove("namespace");
    }
    if meta_str(&obj, "name").is_empty() {
        let prefix = meta_str(&obj, "generateName").to_string();
        if prefix.is_empty() {
            return Err(ApiError::invalid(
                def,
                "",
                &[(
                    "FieldValueRequired",
                    "metadata.name".into(),
                    "Required value: name or generateName is required".into(),
                )],
            ));
        }
        let suffix = world.sim.rng.suffix(5);
        obj["metadata"]["name"] = json!(format!("{prefix}{suffix}"));
    }
    if !meta_str(&obj, "resourceVersion").is_empty() {
        return Err(ApiError::bad_request(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    let name = meta_str(&obj, "name").to_string();
    check_namespace(world, def, &t.ns)?;
    if world.kube.get(t.res, &t.ns, &name).is_some() {
        return Err(ApiError::already_exists(def, &name));
    }
    obj["apiVersion"] = json!(def.api_version());
    obj["kind"] = json!(def.kind);
    if let Some(m) = obj["metadata"].as_object_mut() {
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "managedFields",
        ] {
            m.remove(f);
        }
    }
    // Status is owned by controllers: dropped on create, as with a status subresource.
    obj.as_object_mut().map(|o| o.remove("status"));
    let api_version = def.api_version();
    if applied {
        obj = managed_fields::apply(&json!({}), &obj, w.manager, w.force, &api_version)?;
    } else {
        managed_fields::record_update(None, &mut obj, w.manager, None, &api_version);
    }
    if t.res == NAMESPACES {
        obj["spec"] = json!({"finalizers": ["kubernetes"]});
        obj["status"] = json!({"phase": "Active"});
        obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
    }
    if t.res == SHOOTS {
        validate_shoot(&obj, None)?;
        admit_shoot(&world.kube, &mut obj, None, w.user)?;
        super::four_eyes::maintain_confirmed_by(None, &mut obj, w.user);
        obj["status"] = json!({});
        set_status_label(&mut obj);
    }
    if dry_run {
        obj["metadata"]["uid"] = json!(super::rng::Rng::new(rand::random()).uuid());
        obj["metadata"]["creationTimestamp"] = json!(now_str());
        obj["metadata"]["generation"] = json!(1);
        return Ok(obj);
    }
    let stored = world.kube.create(t.res, obj);
    simulate::on_write(world, t.res, None, Some(&stored));
    Ok((*stored).clone())
}

/// Applies the new version of an existing object (PUT or patched result).
fn commit_update(
    world: &mut World,
    t: &Target,
    old: &Arc<Value>,
    mut new: Value,
    dry_run: bool,
    w: &Writer,
    applied: bool,
) -> Result<Value, ApiError> {
    let def = t.def();
    check_type(def, &new)?;
    if !new["metadata"].is_object() {
        return Err(ApiError::bad_request("metadata is required"));
    }
    let body_name = meta_str(&new, "name");
    if !body_name.is_empty() && body_name != t.name() {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({})",
            t.name()
        )));
    }
    let rv = meta_str(&new, "resourceVersion");
    if !rv.is_empty() && rv != meta_str(old, "resourceVersion") {
        return Err(ApiError::conflict(def, t.name()));
    }
    match t.sub.as_deref() {
        Some("status") => {
            let status = new["status"].take();
            new = (**old).clone();
            new["status"] = status;
        }
        None => {
            new["status"] = old["status"].clone();
            if new["status"].is_null() {
                new.as_object_mut().map(|o| o.remove("status"));
            }
        }
        Some(other) => {
            return Err(ApiError::new(
                404,
                "NotFound",
                format!("the server could not find the requested resource ({other})"),
            ));
        }
    }
    new["apiVersion"] = json!(def.api_version());
    new["kind"] = json!(def.kind);
    for f in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
        "resourceVersion",
    ] {
        match old["metadata"].get(f) {
            Some(v) => new["metadata"][f] = v.clone(),
            None => {
                new["metadata"].as_object_mut().map(|m| m.remove(f));
            }
        }
    }
    if t.res == SHOOTS && t.sub.is_none() {
        validate_shoot(&new, Some(old))?;
        if new["spec"]["kubernetes"]["version"] != old["spec"]["kubernetes"]["version"]
            || new["spec"]["provider"]["workers"] != old["spec"]["provider"]["workers"]
        {
            admit_shoot(&world.kube, &mut new, Some(old), w.user)?;
        }
        admit_shoot_update(old, &mut new)?;
        super::four_eyes::maintain_confirmed_by(Some(old), &mut new, w.user);
    } else if t.sub.is_none() && new["spec"] != old["spec"] {
        let g = old["metadata"]["generation"].as_i64().unwrap_or(1);
        new["metadata"]["generation"] = json!(g + 1);
    }
    if t.res == SHOOTS {
        set_status_label(&mut new);
    }
    if !applied {
        let api_version = def.api_version();
        managed_fields::record_update(
            Some(old),
            &mut new,
            w.manager,
            t.sub.as_deref(),
            &api_version,
        );
    }
    let deleting = !new["metadata"]["deletionTimestamp"].is_null();
    let no_finalizers = new["metadata"]["finalizers"]
        .as_array()
        .is_none_or(|f| f.is_empty());
    if dry_run {
        return Ok(new);
    }
    if deleting && no_finalizers {
        // The last finalizer is gone: the object goes away.
        let gone = world.kube.remove(t.res, &t.ns, t.name());
        simulate::on_write(world, t.res, Some(old), None);
        return Ok(gone.map(|g| (*g).clone()).unwrap_or(new));
    }
    if new == **old {
        // A no-op update does not change the resourceVersion.
        return Ok(new);
    }
    let stored = world.kube.update(t.res, new);
    simulate::on_write(world, t.res, Some(old), Some(&stored));
    Ok((*stored).clone())
}

pub(crate) fn replace(
    shared: &Shared,
    t: &Target,
    body: &[u8],
    dry_run: bool,
    w: &Writer,
) -> Result<Value, ApiError> {
    let new = parse_object(body)?;
    let mut world = shared.lock();
    let old = world
        .kube
        .get(t.res, &t.ns, t.name())
        .cloned()
        .ok_or_else(|| ApiError::not_found(t.def(), t.name()))?;
    if meta_str(&new, "resourceVersion").is_empty() && !t.def().builtin {
        // Unlike schema errors (`Kind.group`), this one names the resource.
        let def = t.def();
        let why = "Invalid value: 0: must be specified for an update";
        return Err(ApiError {
            details: Some(
                json!({"name": t.name(), "group": def.group, "kind": def.plural,
                "causes": [{"reason": "FieldValueInvalid", "message": why, "field": "metadata.resourceVersion"}]}),
            ),
            ..ApiError::invalid_plain(&format!(
                "{} \"{}\" is invalid: metadata.resourceVersion: {why}",
                def.qualified(),
                t.name()
            ))
        });
    }
    commit_update(&mut world, t, &old, new, dry_run, w, false)
}

/// Returns the object and whether it was created (server-side apply of a new object).
pub(crate) fn patch(
    shared: &Shared,
    t: &Target,
    content_type: &str,
    body: &[u8],
    field_manager: Option<&str>,
    dry_run: bool,
    w: &Writer,
) -> Result<(Value, bool), ApiError> {
    let def = t.def();
    let ct = content_type.split(';').next().unwrap_or("").trim();
    let accepted = "the body of the request was in an unknown format - accepted media types include: \
                    application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
    let bad = |e: String| ApiError::bad_request(format!("error decoding patch: {e}"));
    enum Kind {
        Merge(Value),
        Json(Value),
        Apply(Value),
    }
    let kind = match ct {
        "application/merge-patch+json" => {
            Kind::Merge(serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?)
        }
        "application/strategic-merge-patch+json" if def.builtin => {
            Kind::Merge(serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?)
        }
        "application/json-patch+json" => {
            Kind::Json(serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?)
        }
        "application/apply-patch+yaml" | "application/apply-patch+json" => {
            if field_manager.is_none_or(str::is_empty) {
                return Err(ApiError::invalid_plain(
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                ));
            }
            let text = std::str::from_utf8(body).map_err(|e| bad(e.to_string()))?;
            let v: Value = serde_saphyr::from_str(text).map_err(|e| bad(e.to_string()))?;
            if !v.is_object() {
                return Err(bad("apply patch must be an object".into()));
            }
            if meta_str(&v, "name").is_empty() {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({} based on URL) was undeterminable: name must be provided",
                    t.name()
                )));
            }
            Kind::Apply(v)
        }
        _ => return Err(ApiError::unsupported_media(accepted)),
    };
    let mut world = shared.lock();
    let Some(old) = world.kube.get(t.res, &t.ns, t.name()).cloned() else {
        if let Kind::Apply(obj) = kind {
            return create_locked(&mut world, t, obj, dry_run, w, true).map(|v| (v, true));
        }
        return Err(ApiError::not_found(def, t.name()));
    };
    let mut new = (*old).clone();
    let applied = matches!(kind, Kind::Apply(_));
    match kind {
        Kind::Merge(p) => {
            if !p.is_object() {
                return Err(bad("patch must be a JSON object".into()));
            }
            merge_patch(&mut new, &p);
        }
        Kind::Apply(p) => {
            new = managed_fields::apply(&old, &p, w.manager, w.force, &def.api_version())?;
        }
        Kind::Json(ops) => {
            json_patch(&mut new, &ops).map_err(|e| ApiError::new(422, "Invalid", e))?
        }
    }
    commit_update(&mut world, t, &old, new, dry_run, w, applied).map(|v| (v, false))
}

pub(crate) fn delete(
    shared: &Shared,
    t: &Target,
    body: &[u8],
    dry_run: bool,
    user: &str,
) -> Result<Value, ApiError> {
    let def = t.def();
    let opts: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?
    };
    // DeleteOptions may carry dryRun in the body (kube-rs and client-go put it there).
    let dry_run = dry_run
        || opts["dryRun"]
            .as_array()
            .is_some_and(|d| d.iter().any(|v| v == "All"));
    let mut world = shared.lock();
    let old = world
        .kube
        .get(t.res, &t.ns, t.name())
        .cloned()
        .ok_or_else(|| ApiError::not_found(def, t.name()))?;
    let pre = &opts["preconditions"];
    if let Some(uid) = pre["uid"].as_str()
        && uid != meta_str(&old, "uid")
    {
        return Err(ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                def.qualified(),
                t.name(),
                meta_str(&old, "uid")
            ),
        ));
    }
    if let Some(rv) = pre["resourceVersion"].as_str()
        && rv != meta_str(&old, "resourceVersion")
    {
        return Err(ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{}\": Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                def.qualified(),
                t.name(),
                meta_str(&old, "resourceVersion")
            ),
        ));
    }
    admit_delete(&world.kube, t.res, &old, user)?;
    if !old["metadata"]["deletionTimestamp"].is_null() {
        return Ok((*old).clone());
    }
    let has_finalizers = old["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty())
        || (t.res == NAMESPACES);
    if has_finalizers {
        let mut new = (*old).clone();
        new["metadata"]["deletionTimestamp"] = json!(now_str());
        new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        let g = old["metadata"]["generation"].as_i64().unwrap_or(1);
        new["metadata"]["generation"] = json!(g + 1);
        if t.res == NAMESPACES {
            new["status"]["phase"] = json!("Terminating");
        }
        if dry_run {
            return Ok(new);
        }
        let stored = world.kube.update(t.res, new);
        simulate::on_write(&mut world, t.res, Some(&old), Some(&stored));
        return Ok((*stored).clone());
    }
    // Gone at once: kube-apiserver answers with a Status, not the object.
    let mut details = json!({"name": t.name(), "kind": def.plural, "uid": meta_str(&old, "uid")});
    if !def.group.is_empty() {
        details["group"] = json!(def.group);
    }
    let success = json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                         "status": "Success", "details": details});
    if dry_run {
        return Ok(success);
    }
    world.kube.remove(t.res, &t.ns, t.name());
    simulate::on_write(&mut world, t.res, Some(&old), None);
    Ok(success)
}

impl ApiError {
    /// A 422 whose message is given verbatim (option validation, not object validation).
    pub fn invalid_plain(message: &str) -> Self {
        Self::new(422, "Invalid", message)
    }
}
