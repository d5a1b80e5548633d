//! Mutations: create, merge patch, server-side apply, dry run, deletion,
//! conflicts, and what the limited user may do.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kclm::model::capi::Cluster;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::fixture::{Target, api_error, list, retry};
use crate::objects::cluster;

fn labels(c: &Cluster) -> Vec<(String, String)> {
    c.metadata
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[tokio::test]
async fn create_merge_patch_dry_run_and_delete() {
    let t = Target::start("create_patch_dry_run").await;
    let ns = t.namespace("writes").await;
    let api: Api<Cluster> = Api::namespaced(t.admin().await, &ns);
    let mut with_status = cluster("c");
    with_status.status = Some(serde_json::from_value(json!({"phase": "Provisioned"})).unwrap());
    let created = retry(async || api.create(&PostParams::default(), &with_status).await)
        .await
        .unwrap();
    assert!(
        created.status.is_none(),
        "status is a subresource: dropped on create"
    );
    assert_eq!(created.metadata.generation, Some(1));
    assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());

    let patch = json!({"metadata": {"labels": {"team": "a"}}, "spec": {"paused": true}});
    let patched = api
        .patch("c", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(labels(&patched), [("team".into(), "a".into())]);
    assert_eq!(patched.spec.paused, Some(true));
    assert_eq!(
        patched.metadata.generation,
        Some(2),
        "a spec change bumps generation"
    );

    // dryRun=All: answers as if, stores nothing.
    let dry = api
        .create(
            &PostParams {
                dry_run: true,
                ..Default::default()
            },
            &cluster("d"),
        )
        .await
        .unwrap();
    assert_eq!(dry.metadata.name.as_deref(), Some("d"));
    let (code, reason, msg) = api_error(api.get("d").await);
    assert_eq!((code, reason.as_str()), (404, "NotFound"));
    assert_eq!(msg, "clusters.cluster.x-k8s.io \"d\" not found");
    let dry_patch = json!({"metadata": {"labels": {"team": "dry"}}});
    let answered = api
        .patch(
            "c",
            &PatchParams::default().dry_run(),
            &Patch::Merge(&dry_patch),
        )
        .await
        .unwrap();
    assert_eq!(labels(&answered), [("team".into(), "dry".into())]);
    let stored = api.get("c").await.unwrap();
    assert_eq!(labels(&stored), [("team".into(), "a".into())]);
    assert_eq!(
        stored.metadata.resource_version,
        patched.metadata.resource_version
    );
    api.delete("c", &DeleteParams::default().dry_run())
        .await
        .unwrap();
    assert!(
        api.get_opt("c").await.unwrap().is_some(),
        "dry-run delete keeps it"
    );

    // Deleting an object without finalizers answers with a Status.
    let gone = api.delete("c", &DeleteParams::default()).await.unwrap();
    let status = gone.right().expect("a Status, not the object");
    assert_eq!(
        status.status,
        Some(kube::core::response::StatusSummary::Success)
    );
    assert_eq!(status.details.as_ref().map(|d| d.name.as_str()), Some("c"));
    assert!(api.get_opt("c").await.unwrap().is_none());

    // With a finalizer: the object comes back with a deletionTimestamp and stays.
    let mut held = cluster("held");
    held.metadata.finalizers = Some(vec!["contract.kclm.io/hold".into()]);
    api.create(&PostParams::default(), &held).await.unwrap();
    let deleting = api.delete("held", &DeleteParams::default()).await.unwrap();
    let obj = deleting.left().expect("the object, still there");
    assert!(obj.metadata.deletion_timestamp.is_some());
    let release = json!({"metadata": {"finalizers": null}});
    api.patch("held", &PatchParams::default(), &Patch::Merge(&release))
        .await
        .unwrap();
    assert!(
        api.get_opt("held").await.unwrap().is_none(),
        "gone with its last finalizer"
    );
    t.shutdown().await;
}

#[tokio::test]
async fn server_side_apply_with_field_manager_kclm() {
    let t = Target::start("server_side_apply").await;
    let ns = t.namespace("apply").await;
    let api: Api<Cluster> = Api::namespaced(t.admin().await, &ns);
    let applied = |labels: serde_json::Value, paused: bool| {
        let mut c = cluster("s");
        c.metadata.labels = serde_json::from_value(labels).unwrap();
        c.spec.paused = Some(paused);
        c
    };
    let kclm = PatchParams::apply("kclm");
    let first = retry(async || {
        api.patch("s", &kclm, &Patch::Apply(applied(json!({"a": "b"}), true)))
            .await
    })
    .await
    .unwrap();
    assert_eq!(first.spec.paused, Some(true));
    let managers: Vec<(String, String)> = first
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|m| {
            (
                m.manager.clone().unwrap_or_default(),
                m.operation.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(managers, [("kclm".into(), "Apply".into())]);

    // Another manager may not take kclm's field without force.
    let other = PatchParams::apply("other");
    let (code, reason, msg) = api_error(
        api.patch("s", &other, &Patch::Apply(applied(json!(null), false)))
            .await,
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        msg,
        "Apply failed with 1 conflict: conflict with \"kclm\": .spec.paused"
    );

    // A dry-run apply answers, stores nothing.
    let dry = api
        .patch(
            "s",
            &kclm.clone().dry_run(),
            &Patch::Apply(applied(json!({"a": "dry"}), true)),
        )
        .await
        .unwrap();
    assert_eq!(labels(&dry), [("a".into(), "dry".into())]);
    assert_eq!(
        labels(&api.get("s").await.unwrap()),
        [("a".into(), "b".into())]
    );

    let forced = api
        .patch(
            "s",
            &other.clone().force(),
            &Patch::Apply(applied(json!(null), false)),
        )
        .await
        .unwrap();
    assert_eq!(forced.spec.paused, Some(false));
    // kclm applies again without its label: the label it alone owned goes away;
    // the now shared spec.paused (same value) stays.
    let again = api
        .patch("s", &kclm, &Patch::Apply(applied(json!(null), false)))
        .await
        .unwrap();
    assert!(labels(&again).is_empty(), "{:?}", again.metadata.labels);
    assert_eq!(again.spec.paused, Some(false));

    // A plain patch takes the fields it changes; kclm's apply then conflicts with it.
    let patcher = PatchParams {
        field_manager: Some("patcher".into()),
        ..Default::default()
    };
    let unpause = json!({"spec": {"paused": true}});
    api.patch("s", &patcher, &Patch::Merge(&unpause))
        .await
        .unwrap();
    let (code, _, msg) = api_error(
        api.patch("s", &kclm, &Patch::Apply(applied(json!(null), false)))
            .await,
    );
    assert_eq!(code, 409);
    assert_eq!(
        msg,
        "Apply failed with 1 conflict: conflict with \"patcher\" using cluster.x-k8s.io/v1beta2: .spec.paused"
    );
    t.shutdown().await;
}

#[tokio::test]
async fn stale_update_conflicts_with_the_kubernetes_message() {
    let t = Target::start("stale_update").await;
    let ns = t.namespace("conflict").await;
    let api: Api<Cluster> = Api::namespaced(t.admin().await, &ns);
    retry(async || api.create(&PostParams::default(), &cluster("c")).await)
        .await
        .unwrap();
    let mut stale = api.get("c").await.unwrap();
    let bump = json!({"metadata": {"labels": {"v": "2"}}});
    api.patch("c", &PatchParams::default(), &Patch::Merge(&bump))
        .await
        .unwrap();
    stale.spec.paused = Some(true);
    let (code, reason, msg) = api_error(api.replace("c", &PostParams::default(), &stale).await);
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        msg,
        "Operation cannot be fulfilled on clusters.cluster.x-k8s.io \"c\": the object has been \
         modified; please apply your changes to the latest version and try again"
    );
    stale.metadata.resource_version = None;
    let (code, reason, msg) = api_error(api.replace("c", &PostParams::default(), &stale).await);
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert_eq!(
        msg,
        "clusters.cluster.x-k8s.io \"c\" is invalid: metadata.resourceVersion: Invalid value: 0: \
         must be specified for an update"
    );
    let (code, reason, msg) = api_error(api.create(&PostParams::default(), &cluster("c")).await);
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));
    assert_eq!(msg, "clusters.cluster.x-k8s.io \"c\" already exists");
    t.shutdown().await;
}

async fn access(client: kube::Client, ns: &str, verb: &str) -> (bool, Option<String>) {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(ns.into()),
                verb: Some(verb.into()),
                group: Some("cluster.x-k8s.io".into()),
                resource: Some("clusters".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = Api::<SelfSubjectAccessReview>::all(client)
        .create(&PostParams::default(), &review)
        .await
        .expect("SelfSubjectAccessReview");
    let status = answer.status.expect("a review has a status");
    (status.allowed, status.reason)
}

#[tokio::test]
async fn viewer_is_forbidden_to_write_and_access_reviews_say_so() {
    let t = Target::start("viewer_forbidden").await;
    let ns = t.namespace("rbac").await;
    let admin: Api<Cluster> = Api::namespaced(t.admin().await, &ns);
    retry(async || admin.create(&PostParams::default(), &cluster("c")).await)
        .await
        .unwrap();
    let viewer: Api<Cluster> = Api::namespaced(t.viewer().await, &ns);
    assert_eq!(list(&viewer, &ListParams::default()).await.items.len(), 1);
    let user = t.viewer_user;
    let denied = |verb: &str, name: &str| {
        let subject = if name.is_empty() {
            "clusters.cluster.x-k8s.io".to_string()
        } else {
            format!("clusters.cluster.x-k8s.io \"{name}\"")
        };
        format!(
            "{subject} is forbidden: User \"{user}\" cannot {verb} resource \"clusters\" in API \
             group \"cluster.x-k8s.io\" in the namespace \"{ns}\""
        )
    };
    let (code, reason, msg) = api_error(viewer.create(&PostParams::default(), &cluster("v")).await);
    assert_eq!(
        (code, reason.as_str(), msg),
        (403, "Forbidden", denied("create", ""))
    );
    let patch = json!({"metadata": {"labels": {"x": "y"}}});
    let (code, _, msg) = api_error(
        viewer
            .patch("c", &PatchParams::default(), &Patch::Merge(&patch))
            .await,
    );
    assert_eq!((code, msg), (403, denied("patch", "c")));
    let (code, _, msg) = api_error(viewer.delete("c", &DeleteParams::default()).await);
    assert_eq!((code, msg), (403, denied("delete", "c")));

    assert_eq!(access(t.viewer().await, &ns, "create").await, (false, None));
    let (allowed, reason) = access(t.viewer().await, &ns, "list").await;
    assert!(allowed);
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.starts_with("RBAC: allowed by ClusterRoleBinding \"")),
        "{reason:?}"
    );
    // The admin is in system:masters: allowed without an RBAC reason.
    assert_eq!(access(t.admin().await, &ns, "create").await, (true, None));
    t.shutdown().await;
}
