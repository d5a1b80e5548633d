//! JSON merge patch (RFC 7386) and JSON patch (RFC 6902) on `serde_json::Value`,
//! by the `json-patch` crate (the one kube-core uses for `Patch::Json`).

use serde::Deserialize as _;
use serde_json::Value;

/// RFC 7386: objects merge recursively, `null` deletes, everything else replaces.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

/// RFC 6902. All or nothing: `doc` is left as it was when an operation fails.
pub(crate) fn json_patch(doc: &mut Value, ops: &Value) -> Result<(), String> {
    let ops =
        json_patch::Patch::deserialize(ops).map_err(|e| format!("invalid JSON patch: {e}"))?;
    json_patch::patch(doc, &ops).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_rfc7386() {
        let mut doc = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge_patch(&mut doc, &json!({"a": {"b": null, "d": 3}, "l": [3]}));
        assert_eq!(doc, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn json_patch_rfc6902() {
        let mut doc = json!({"metadata": {"annotations": {"a/b": "1"}}, "l": [1]});
        json_patch(
            &mut doc,
            &json!([
                {"op": "replace", "path": "/metadata/annotations/a~1b", "value": "2"},
                {"op": "add", "path": "/l/-", "value": 2},
                {"op": "test", "path": "/l/1", "value": 2},
                {"op": "remove", "path": "/l/0"}
            ]),
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"metadata": {"annotations": {"a/b": "2"}}, "l": [2]})
        );
        assert!(json_patch(&mut doc, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        // A failing operation leaves the document as it was.
        let before = doc.clone();
        let e = json_patch(
            &mut doc,
            &json!([
                {"op": "add", "path": "/x", "value": 1},
                {"op": "remove", "path": "/nope"}
            ]),
        )
        .unwrap_err();
        assert!(e.contains("/nope"), "{e}");
        assert_eq!(doc, before);
        let e = json_patch(&mut doc, &json!([{"op": "frobnicate", "path": "/l"}])).unwrap_err();
        assert!(e.starts_with("invalid JSON patch"), "{e}");
        assert!(
            json_patch(
                &mut doc,
                &json!([{"op": "test", "path": "/l/0", "value": 9}])
            )
            .is_err()
        );
    }
}
