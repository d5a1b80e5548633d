//! Field ownership as kube-apiserver tracks it in `metadata.managedFields`,
//! simplified: a field set is the set of leaf paths (maps are descended, lists
//! and scalars are atomic). Server-side apply conflicts when it changes a field
//! another manager owns, and removes fields its manager applied before and no
//! longer applies; other writes ("Update") take over what they change.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::kube_store::now_str;
use super::status::ApiError;

type Path = Vec<String>;

/// Metadata the server owns: never part of a field set.
const SYSTEM_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
];

struct Entry {
    manager: String,
    operation: String,
    subresource: Option<String>,
    api_version: String,
    time: String,
    fields: BTreeSet<Path>,
}

fn leaves(v: &Value, prefix: &mut Path, out: &mut BTreeSet<Path>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                prefix.push(k.clone());
                leaves(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Null => {}
        _ => {
            out.insert(prefix.clone());
        }
    }
}

/// The fields of an object a manager can own: `status` only for the status
/// subresource, everything but `status` and system metadata otherwise.
fn field_set(obj: &Value, status: bool) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    let Some(m) = obj.as_object() else {
        return out;
    };
    for (k, v) in m {
        let include = match k.as_str() {
            "status" => status,
            "apiVersion" | "kind" => false,
            _ => !status,
        };
        if !include {
            continue;
        }
        let mut prefix = vec![k.clone()];
        if k == "metadata" {
            for (mk, mv) in v.as_object().into_iter().flatten() {
                if !SYSTEM_META.contains(&mk.as_str()) {
                    prefix.push(mk.clone());
                    leaves(mv, &mut prefix, &mut out);
                    prefix.pop();
                }
            }
        } else {
            leaves(v, &mut prefix, &mut out);
        }
    }
    out
}

fn get<'a>(v: &'a Value, p: &[String]) -> Option<&'a Value> {
    p.iter().try_fold(v, |v, k| v.get(k))
}

fn overlaps(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

fn dotted(p: &[String]) -> String {
    p.iter().map(|k| format!(".{k}")).collect()
}

fn to_tree(fields: &BTreeSet<Path>) -> Value {
    let mut root = Map::new();
    for p in fields {
        let mut node = &mut root;
        for k in p {
            node = node
                .entry(format!("f:{k}"))
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("tree nodes are objects");
        }
    }
    Value::Object(root)
}

fn from_tree(v: &Value, prefix: &mut Path, out: &mut BTreeSet<Path>) {
    let children: Vec<(&String, &Value)> = v
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("f:"))
        .collect();
    if children.is_empty() {
        if !prefix.is_empty() {
            out.insert(prefix.clone());
        }
        return;
    }
    for (k, child) in children {
        prefix.push(k[2..].to_string());
        from_tree(child, prefix, out);
        prefix.pop();
    }
}

fn read(obj: Option<&Value>) -> Vec<Entry> {
    let list = obj.and_then(|o| o["metadata"]["managedFields"].as_array());
    list.into_iter()
        .flatten()
        .map(|e| {
            let mut fields = BTreeSet::new();
            from_tree(&e["fieldsV1"], &mut Vec::new(), &mut fields);
            let s = |f: &str| e[f].as_str().unwrap_or("").to_string();
            Entry {
                manager: s("manager"),
                operation: s("operation"),
                subresource: e["subresource"].as_str().map(str::to_string),
                api_version: s("apiVersion"),
                time: s("time"),
                fields,
            }
        })
        .collect()
}

fn write(obj: &mut Value, entries: Vec<Entry>) {
    let list: Vec<Value> = entries
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut v = json!({"manager": e.manager, "operation": e.operation,
                "apiVersion": e.api_version, "time": e.time,
                "fieldsType": "FieldsV1", "fieldsV1": to_tree(&e.fields)});
            if let Some(s) = e.subresource {
                v["subresource"] = json!(s);
            }
            v
        })
        .collect();
    if list.is_empty() {
        obj["metadata"]
            .as_object_mut()
            .map(|m| m.remove("managedFields"));
    } else {
        obj["metadata"]["managedFields"] = Value::Array(list);
    }
}

/// How a manager is named in conflict messages (apiserver's `printManager`).
fn shown(e: &Entry) -> String {
    let mut s = format!("{:?}", e.manager);
    if let Some(sub) = &e.subresource {
        s.push_str(&format!(" with subresource {sub:?}"));
    }
    if e.operation == "Update" {
        s.push_str(&format!(" using {}", e.api_version));
    }
    s
}

fn conflict_error(conflicts: &[(String, String)]) -> ApiError {
    let message = if let [(m, p)] = conflicts {
        format!("Apply failed with 1 conflict: conflict with {m}: {p}")
    } else {
        let mut managers: Vec<&String> = conflicts.iter().map(|(m, _)| m).collect();
        managers.sort();
        managers.dedup();
        let mut lines = Vec::new();
        for m in managers {
            lines.push(format!("conflicts with {m}"));
            for (_, p) in conflicts.iter().filter(|(cm, _)| cm == m) {
                lines.push(format!("- {p}"));
            }
        }
        let n = conflicts.len();
        format!("Apply failed with {n} conflicts: {}", lines.join("\n"))
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, p)| json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"), "field": p}))
        .collect();
    ApiError {
        details: Some(json!({"causes": causes})),
        ..ApiError::new(409, "Conflict", message)
    }
}

/// Removes a field, then the maps it leaves empty (below the top level).
fn remove_field(obj: &mut Value, p: &[String]) {
    let Some((last, parents)) = p.split_last() else {
        return;
    };
    if let Some(m) = parents
        .iter()
        .try_fold(&mut *obj, |v, k| v.get_mut(k))
        .and_then(Value::as_object_mut)
    {
        m.remove(last);
    }
    if parents.len() >= 2
        && get(obj, parents).is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
    {
        remove_field(obj, parents);
    }
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    continue;
                }
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// Server-side apply of `applied` by `manager` onto `current` (an empty object
/// for a create): the merged object with its managedFields, or a 409.
pub(crate) fn apply(
    current: &Value,
    applied: &Value,
    manager: &str,
    force: bool,
    api_version: &str,
) -> Result<Value, ApiError> {
    let mut entries = read(Some(current));
    let mine =
        |e: &Entry| e.manager == manager && e.operation == "Apply" && e.subresource.is_none();
    let wanted = field_set(applied, false);
    let mut conflicts = Vec::new();
    for p in &wanted {
        if get(current, p) == get(applied, p) {
            continue;
        }
        for e in entries
            .iter()
            .filter(|e| !mine(e) && e.subresource.is_none())
        {
            if e.fields.iter().any(|q| overlaps(p, q)) {
                conflicts.push((shown(e), dotted(p)));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(&conflicts));
    }
    let mut out = current.clone();
    // Fields this manager applied before and no longer does, if nobody else owns them.
    let before = entries
        .iter()
        .find(|e| mine(e))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    for p in before.difference(&wanted) {
        let owned_elsewhere = entries
            .iter()
            .filter(|e| !mine(e))
            .any(|e| e.fields.iter().any(|q| overlaps(p, q)));
        if !owned_elsewhere {
            remove_field(&mut out, p);
        }
    }
    merge(&mut out, applied);
    if force {
        for e in entries.iter_mut().filter(|e| !mine(e)) {
            e.fields.retain(|q| {
                !wanted
                    .iter()
                    .any(|p| overlaps(p, q) && get(current, p) != get(applied, p))
            });
        }
    }
    let unchanged = field_set(&out, false) == field_set(current, false)
        && wanted.iter().all(|p| get(&out, p) == get(current, p))
        && before == wanted;
    if unchanged {
        return Ok(out);
    }
    entries.retain(|e| !mine(e));
    entries.push(Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        subresource: None,
        api_version: api_version.to_string(),
        time: now_str(),
        fields: wanted,
    });
    write(&mut out, entries);
    Ok(out)
}

/// Records a non-apply write (create, PUT, merge/JSON patch) by `manager`:
/// it owns what it changed; what it removed nobody owns any more.
pub(crate) fn record_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    api_version: &str,
) {
    let status = subresource == Some("status");
    let empty = json!({});
    let before = old.unwrap_or(&empty);
    let old_set = field_set(before, status);
    let new_set = field_set(new, status);
    let changed: BTreeSet<Path> = new_set
        .iter()
        .filter(|p| get(before, p) != get(new, p))
        .cloned()
        .collect();
    let removed: BTreeSet<Path> = old_set.difference(&new_set).cloned().collect();
    let mut entries = read(old);
    if changed.is_empty() && removed.is_empty() {
        write(new, entries);
        return;
    }
    let is_me = |e: &Entry| {
        e.manager == manager && e.operation == "Update" && e.subresource.as_deref() == subresource
    };
    for e in entries.iter_mut() {
        e.fields.retain(|q| !removed.iter().any(|p| overlaps(p, q)));
        if !is_me(e) {
            e.fields.retain(|q| !changed.iter().any(|p| overlaps(p, q)));
        }
    }
    let mut fields = entries
        .iter()
        .find(|e| is_me(e))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    fields.extend(changed);
    entries.retain(|e| !is_me(e));
    entries.push(Entry {
        manager: manager.to_string(),
        operation: "Update".into(),
        subresource: subresource.map(str::to_string),
        api_version: api_version.to_string(),
        time: now_str(),
        fields,
    });
    write(new, entries);
}
