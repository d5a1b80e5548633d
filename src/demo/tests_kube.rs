//! Tests of the simulated Kubernetes API through kube-rs.
