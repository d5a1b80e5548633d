"""Copies the reference CRDs for installation into a bare kube-apiserver:
strips conversion webhooks (no webhook runs here) and adds the Cluster-API
contract labels that clusterctl/kustomize would add."""
import pathlib
import sys

import yaml  # PyYAML

src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
CONTRACT = {
    "infrastructure.cluster.x-k8s.io": {"cluster.x-k8s.io/v1beta2": "v1alpha1", "cluster.x-k8s.io/v1beta1": "v1alpha1"},
    "controlplane.cluster.x-k8s.io": {"cluster.x-k8s.io/v1beta2": "v1beta2", "cluster.x-k8s.io/v1beta1": "v1beta1"},
    "bootstrap.cluster.x-k8s.io": {"cluster.x-k8s.io/v1beta2": "v1beta2", "cluster.x-k8s.io/v1beta1": "v1beta1"},
}
for f in sorted(src.glob("*.yaml")):  # top level only: the old-version subfolders are not installed
    doc = yaml.safe_load(f.read_text())
    if not doc or doc.get("kind") != "CustomResourceDefinition":
        continue
    spec = doc["spec"]
    spec.pop("conversion", None)
    group = spec["group"]
    labels = doc.setdefault("metadata", {}).setdefault("labels", {}) or {}
    if spec["names"]["kind"].startswith("KamajiControlPlane"):
        labels.update({"cluster.x-k8s.io/v1beta1": "v1alpha1"})
    else:
        labels.update(CONTRACT.get(group, {}))
    doc["metadata"]["labels"] = labels
    (dst / f.name).write_text(yaml.safe_dump(doc, sort_keys=False))
