//! Tests of the simulated API server below the client libraries: raw HTTP
//! (auth, patch types, SSAR, discovery, tables), determinism and scale.

use std::time::Duration;

use serde_json::{Value, json};

use super::tests_kube::{demo, find_shoot};
use super::{DemoHandle, DemoOptions, Scale, start};

#[tokio::test]
async fn raw_http_auth_patch_types_and_errors() {
    let h = demo(1.0).await;
    let (ns, name) = find_shoot(&h, |_| true);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let url = format!(
        "{}/apis/core.gardener.cloud/v1beta1/namespaces/{ns}/shoots/{name}",
        h.kube_http_url
    );
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = http.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let apply = |fm: Option<&str>| {
        let u = match fm {
            Some(m) => format!("{url}?fieldManager={m}"),
            None => url.clone(),
        };
        http.patch(u)
            .bearer_auth("demo-admin")
            .header("Content-Type", "application/apply-patch+yaml")
            .body(format!(
                "metadata:\n  name: {name}\n  labels:\n    applied: \"yes\"\n"
            ))
    };
    let r: Value = apply(None).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["code"], 422);
    assert_eq!(
        r["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    let r: Value = apply(Some("kclm"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["metadata"]["labels"]["applied"], "yes");
    let r: Value = http
        .patch(&url)
        .bearer_auth("demo-admin")
        .header("Content-Type", "application/json-patch+json")
        .body(r#"[{"op":"add","path":"/metadata/labels/jp","value":"1"}]"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["metadata"]["labels"]["jp"], "1");
    let capi = format!(
        "{}/apis/cluster.x-k8s.io/v1beta2/namespaces/metal-clusters/clusters/capi-lab",
        h.kube_http_url
    );
    let r = http
        .patch(&capi)
        .bearer_auth("demo-admin")
        .header("Content-Type", "application/strategic-merge-patch+json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        415,
        "CRDs do not take strategic merge patches"
    );
    let r = http
        .post(format!("{url}/../"))
        .bearer_auth("demo-admin")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    let ssar = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": "patch", "group": "core.gardener.cloud", "resource": "shoots", "namespace": ns}}});
    let ssar_url = format!(
        "{}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        h.kube_http_url
    );
    for (token, allowed) in [("demo-admin", true), ("demo-viewer", false)] {
        let r: Value = http
            .post(&ssar_url)
            .bearer_auth(token)
            .json(&ssar)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["status"]["allowed"], allowed, "{token}");
    }
    let disc: Value = http
        .get(format!(
            "{}/apis/core.gardener.cloud/v1beta1",
            h.kube_http_url
        ))
        .bearer_auth("demo-viewer")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        disc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "shoots" && r["namespaced"] == true)
    );
    let table: Value = http
        .get(format!(
            "{}/apis/core.gardener.cloud/v1beta1/seeds",
            h.kube_http_url
        ))
        .bearer_auth("demo-viewer")
        .header(
            "Accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(table["kind"], "Table");
    assert!(
        table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["cells"][1] == "NotReady")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn same_seed_same_landscape() {
    let a = start(DemoOptions::default()).await.unwrap();
    let b = start(DemoOptions::default()).await.unwrap();
    let c = start(DemoOptions {
        seed: 7,
        ..Default::default()
    })
    .await
    .unwrap();
    let ids = |h: &DemoHandle| -> Vec<(String, String, String)> {
        let w = h.shared().lock();
        w.kube
            .list(super::resources::SHOOTS)
            .map(|s| {
                (
                    s["metadata"]["namespace"].as_str().unwrap().to_string(),
                    s["metadata"]["name"].as_str().unwrap().to_string(),
                    s["metadata"]["uid"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let machines = |h: &DemoHandle| -> Vec<String> {
        h.shared().lock().metal.machines.keys().cloned().collect()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(machines(&a), machines(&b));
    assert_ne!(ids(&a), ids(&c));
    assert_eq!(ids(&a).len(), 25);
    assert_ne!(a.hmac_admin, b.hmac_admin, "keys are random per start");
    for h in [a, b, c] {
        h.shutdown().await;
    }
}

#[tokio::test]
async fn scaled_landscape_generates_quickly() {
    let t = std::time::Instant::now();
    let h = start(DemoOptions {
        scale: Scale::Count(2000),
        ..Default::default()
    })
    .await
    .unwrap();
    let took = t.elapsed();
    {
        let w = h.shared().lock();
        assert_eq!(w.kube.list(super::resources::SHOOTS).count(), 2000);
        assert!(w.metal.machines.len() >= 2000);
    }
    assert!(took < Duration::from_secs(10), "generation took {took:?}");
    assert_eq!("large".parse::<Scale>().unwrap(), Scale::Large);
    assert_eq!("250".parse::<Scale>().unwrap(), Scale::Count(250));
    assert!("huge".parse::<Scale>().is_err());
    h.shutdown().await;
}
