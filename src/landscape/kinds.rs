//! The one table of kinds kclm shows. Everything that differs per kind is
//! generated from the [`kinds!`] invocation at the bottom of this file: the
//! flat [`Kind`], its split into [`KubeKind`] and [`MetalKind`], the
//! [`KubeObject`] a watcher sends, the store's insert/remove/clear dispatch,
//! names and source groups. Adding a Kubernetes kind is one row there (plus its
//! model and its store map, which the compiler then asks for); every match on
//! a kind is generated and exhaustive.
//!
//! A Kubernetes kind's API group, version, plural and scope are its model's
//! `kube::Resource` implementation (`kube_resource!`), so the watcher, the
//! YAML fetch and [`KubeKind::api_resource`] read them from one place.

use std::fmt;
use std::sync::Arc;

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, ResourceScope};
use serde::Serialize;

use super::store::{Landscape, Map};
use super::update::{ObjKey, SourceGroup};
use crate::model::capi::{
    CapiMachine, Cluster, KubeadmControlPlane, MachineDeployment, MetalStackCluster,
    MetalStackMachine,
};
use crate::model::gardener::{CloudProfile, Project, Seed, Shoot};
use crate::model::kamaji::TenantControlPlane;

/// Whether a Kubernetes kind lives in namespaces, read from its model's
/// `kube::Resource::Scope`; builds the right `Api` for either scope.
pub trait KindScope: ResourceScope + Send + Sync + 'static {
    const NAMESPACED: bool;
    /// The API to read one object of the kind: in `namespace` if the kind is
    /// namespaced, else cluster-wide (`namespace` is ignored).
    fn api<K>(client: kube::Client, namespace: &str) -> kube::Api<K>
    where
        K: kube::Resource<Scope = Self, DynamicType = ()>;
}

impl KindScope for NamespaceResourceScope {
    const NAMESPACED: bool = true;
    fn api<K>(client: kube::Client, namespace: &str) -> kube::Api<K>
    where
        K: kube::Resource<Scope = Self, DynamicType = ()>,
    {
        kube::Api::namespaced(client, namespace)
    }
}

impl KindScope for ClusterResourceScope {
    const NAMESPACED: bool = false;
    fn api<K>(client: kube::Client, _namespace: &str) -> kube::Api<K>
    where
        K: kube::Resource<Scope = Self, DynamicType = ()>,
    {
        kube::Api::all(client)
    }
}

/// A model type of a Kubernetes kind in the table: generated for every row.
pub trait KubeModel:
    kube::Resource<DynamicType = (), Scope: KindScope>
    + Clone
    + fmt::Debug
    + serde::de::DeserializeOwned
    + Serialize
    + Send
    + Sync
    + 'static
{
    const KIND: KubeKind;
    fn wrap(o: Arc<Self>) -> KubeObject;
    fn map(ls: &Landscape) -> &Map<Self>;
    fn map_mut(ls: &mut Landscape) -> &mut Map<Self>;
}

/// How the store keeps a Kubernetes kind. Rows marked `plain` in the table
/// take the defaults (one map, nothing else); rows marked `indexed` implement
/// it by hand beside the indexes they keep (see `store.rs`).
pub trait Stored: KubeModel {
    /// What the watcher keeps of a freshly decoded object.
    fn keep(self) -> Self {
        self
    }
    fn upsert(ls: &mut Landscape, key: ObjKey, o: Arc<Self>) {
        Self::map_mut(ls).insert(key, o);
    }
    /// Whether there was such an object.
    fn remove(ls: &mut Landscape, key: &ObjKey) -> bool {
        Self::map_mut(ls).remove(key).is_some()
    }
    fn clear(ls: &mut Landscape) {
        Self::map_mut(ls).clear();
    }
}

/// Code generic over the model type of a Kubernetes kind; run for one kind
/// with [`KubeKind::visit`] (the watcher and the YAML fetch are visitors).
pub trait KindVisitor {
    type Out;
    fn visit<K: Stored>(self) -> Self::Out;
}

/// A kind split into where it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KindClass {
    Kube(KubeKind),
    Metal(MetalKind),
}

/// A name that is no kind's (see [`Kind::name`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {0:?}")]
pub struct UnknownKind(pub String);

macro_rules! unit {
    ($x:tt) => {
        ()
    };
}

macro_rules! kinds {
    (
        kube {$(
            $group:ident => $group_const:ident [$(
                $kk:ident($model:ty) $kname:literal, $field:ident, $hooks:ident;
            )*]
        )*}
        metal [$(
            $mk:ident $mname:literal;
        )*]
    ) => {
        /// Every kind kclm shows, Kubernetes kinds first (the order of the
        /// status bar and of `kclm debug sync`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Kind {
            $($($kk,)*)*
            $($mk,)*
        }

        /// The kinds read from a Kubernetes API server.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum KubeKind {
            $($($kk,)*)*
        }

        /// The kinds read from metal-api (one poller, one snapshot per round).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum MetalKind {
            $($mk,)*
        }

        $(
            /// Which kinds one connection watches.
            pub const $group_const: [Kind; [$(unit!($kk)),*].len()] = [$(Kind::$kk),*];
        )*

        impl Kind {
            pub const ALL: [Kind; [$($(unit!($kk),)*)* $(unit!($mk),)*].len()] =
                [$($(Kind::$kk,)*)* $(Kind::$mk,)*];

            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn class(self) -> KindClass {
                match self {
                    $($(Kind::$kk => KindClass::Kube(KubeKind::$kk),)*)*
                    $(Kind::$mk => KindClass::Metal(MetalKind::$mk),)*
                }
            }
            pub fn as_kube(self) -> Option<KubeKind> {
                match self.class() {
                    KindClass::Kube(k) => Some(k),
                    KindClass::Metal(_) => None,
                }
            }
            pub fn as_metal(self) -> Option<MetalKind> {
                match self.class() {
                    KindClass::Kube(_) => None,
                    KindClass::Metal(m) => Some(m),
                }
            }
            pub fn group(self) -> SourceGroup {
                match self.class() {
                    KindClass::Kube(k) => k.group(),
                    KindClass::Metal(_) => SourceGroup::Metal,
                }
            }
            /// Plural, lower-case name as used on the command line and in
            /// messages; [`Display`](fmt::Display) and `FromStr` use it.
            pub fn name(self) -> &'static str {
                match self.class() {
                    KindClass::Kube(k) => k.name(),
                    KindClass::Metal(m) => m.name(),
                }
            }
            /// Same as [`Self::name`].
            pub fn plural(self) -> &'static str {
                self.name()
            }
        }

        impl KubeKind {
            pub const ALL: [KubeKind; [$($(unit!($kk),)*)*].len()] = [$($(KubeKind::$kk,)*)*];

            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn group(self) -> SourceGroup {
                match self {
                    $($(KubeKind::$kk => SourceGroup::$group,)*)*
                }
            }
            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn name(self) -> &'static str {
                match self {
                    $($(KubeKind::$kk => $kname,)*)*
                }
            }
            /// Runs code generic over this kind's model type.
            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn visit<V: KindVisitor>(self, v: V) -> V::Out {
                match self {
                    $($(KubeKind::$kk => v.visit::<$model>(),)*)*
                }
            }
        }

        impl MetalKind {
            pub const ALL: [MetalKind; [$(unit!($mk)),*].len()] = [$(MetalKind::$mk),*];

            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn name(self) -> &'static str {
                match self {
                    $(MetalKind::$mk => $mname,)*
                }
            }
        }

        impl From<KubeKind> for Kind {
            #[deny(clippy::wildcard_enum_match_arm)]
            fn from(k: KubeKind) -> Kind {
                match k {
                    $($(KubeKind::$kk => Kind::$kk,)*)*
                }
            }
        }

        impl From<MetalKind> for Kind {
            #[deny(clippy::wildcard_enum_match_arm)]
            fn from(m: MetalKind) -> Kind {
                match m {
                    $(MetalKind::$mk => Kind::$mk,)*
                }
            }
        }

        /// One object from a Kubernetes watch, already shared: the store keeps
        /// the same allocation, so a re-list of 10,000 shoots is buffered as
        /// pointers, not as 10,000 inline copies (that buffer was 28 MB at the
        /// `large` scale).
        #[derive(Clone, Debug)]
        pub enum KubeObject {
            $($($kk(Arc<$model>),)*)*
        }

        impl KubeObject {
            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn kube_kind(&self) -> KubeKind {
                match self {
                    $($(KubeObject::$kk(_) => KubeKind::$kk,)*)*
                }
            }
            pub fn kind(&self) -> Kind {
                self.kube_kind().into()
            }
            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn key(&self) -> ObjKey {
                match self {
                    $($(KubeObject::$kk(o) => ObjKey::of(kube::Resource::meta(&**o)),)*)*
                }
            }
        }

        $($(
            impl KubeModel for $model {
                const KIND: KubeKind = KubeKind::$kk;
                fn wrap(o: Arc<Self>) -> KubeObject {
                    KubeObject::$kk(o)
                }
                fn map(ls: &Landscape) -> &Map<Self> {
                    &ls.$field
                }
                fn map_mut(ls: &mut Landscape) -> &mut Map<Self> {
                    &mut ls.$field
                }
            }
            kinds!(@hooks $hooks $model);
            impl From<$model> for KubeObject {
                fn from(o: $model) -> Self {
                    KubeObject::$kk(Arc::new(o))
                }
            }
            impl From<Arc<$model>> for KubeObject {
                fn from(o: Arc<$model>) -> Self {
                    KubeObject::$kk(o)
                }
            }
        )*)*

        impl Landscape {
            /// Inserts or replaces an object, keeping its kind's indexes.
            #[deny(clippy::wildcard_enum_match_arm)]
            pub(super) fn upsert(&mut self, obj: KubeObject) {
                let key = obj.key();
                match obj {
                    $($(KubeObject::$kk(o) => <$model as Stored>::upsert(self, key, o),)*)*
                }
            }
            /// Removes one object; returns whether there was one.
            #[deny(clippy::wildcard_enum_match_arm)]
            pub(super) fn remove_object(&mut self, kind: KubeKind, key: &ObjKey) -> bool {
                match kind {
                    $($(KubeKind::$kk => <$model as Stored>::remove(self, key),)*)*
                }
            }
            /// Forgets every object of a kind (before its re-list).
            #[deny(clippy::wildcard_enum_match_arm)]
            pub(super) fn clear_objects(&mut self, kind: KubeKind) {
                match kind {
                    $($(KubeKind::$kk => <$model as Stored>::clear(self),)*)*
                }
            }
            /// How many objects of a Kubernetes kind the store holds.
            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn count(&self, kind: KubeKind) -> usize {
                match kind {
                    $($(KubeKind::$kk => <$model as KubeModel>::map(self).len(),)*)*
                }
            }
            /// Whether the store holds an object of a Kubernetes kind.
            #[deny(clippy::wildcard_enum_match_arm)]
            pub fn contains(&self, kind: KubeKind, key: &ObjKey) -> bool {
                match kind {
                    $($(KubeKind::$kk => <$model as KubeModel>::map(self).contains_key(key),)*)*
                }
            }
        }
    };
    (@hooks plain $model:ty) => {
        impl Stored for $model {}
    };
    (@hooks indexed $model:ty) => {};
}

// The table. Kubernetes rows: kind (model) "name", store map, store hooks.
kinds! {
    kube {
        Garden => GARDEN_KINDS [
            Project(Project) "projects", projects, indexed;
            Seed(Seed) "seeds", seeds, plain;
            Shoot(Shoot) "shoots", shoots, indexed;
            CloudProfile(CloudProfile) "cloudprofiles", cloudprofiles, plain;
        ]
        Capi => CAPI_KINDS [
            Cluster(Cluster) "clusters", clusters, plain;
            CapiMachine(CapiMachine) "machines.cluster.x-k8s.io", capi_machines, plain;
            MachineDeployment(MachineDeployment) "machinedeployments", machine_deployments, plain;
            KubeadmControlPlane(KubeadmControlPlane) "kubeadmcontrolplanes", kubeadm_control_planes, plain;
            MetalStackCluster(MetalStackCluster) "metalstackclusters", metal_stack_clusters, plain;
            MetalStackMachine(MetalStackMachine) "metalstackmachines", metal_stack_machines, plain;
            TenantControlPlane(TenantControlPlane) "tenantcontrolplanes", tenant_control_planes, plain;
        ]
    }
    metal [
        Machine "machines";
        Firewall "firewalls";
        Partition "partitions";
        Size "sizes";
        Image "images";
    ]
}

impl KubeKind {
    /// Group, version, kind and plural as the API server serves them (from
    /// the model's `kube::Resource`).
    pub fn api_resource(self) -> kube::core::ApiResource {
        struct Erase;
        impl KindVisitor for Erase {
            type Out = kube::core::ApiResource;
            fn visit<K: Stored>(self) -> Self::Out {
                kube::core::ApiResource::erase::<K>(&())
            }
        }
        self.visit(Erase)
    }
    /// Whether objects of the kind live in namespaces.
    pub fn namespaced(self) -> bool {
        struct Namespaced;
        impl KindVisitor for Namespaced {
            type Out = bool;
            fn visit<K: Stored>(self) -> bool {
                <K::Scope as KindScope>::NAMESPACED
            }
        }
        self.visit(Namespaced)
    }
}

impl MetalKind {
    pub fn group(self) -> SourceGroup {
        SourceGroup::Metal
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for KubeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for MetalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Kind {
    type Err = UnknownKind;
    /// A kind by its [`Kind::name`], ASCII case ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flat_kind_is_the_kube_kinds_then_the_metal_kinds() {
        let split: Vec<Kind> = KubeKind::ALL
            .into_iter()
            .map(Kind::from)
            .chain(MetalKind::ALL.into_iter().map(Kind::from))
            .collect();
        assert_eq!(split, Kind::ALL);
        for k in KubeKind::ALL {
            assert_eq!(Kind::from(k).as_kube(), Some(k));
            assert_eq!(Kind::from(k).as_metal(), None);
            assert_ne!(k.group(), SourceGroup::Metal, "{k}");
        }
        for m in MetalKind::ALL {
            assert_eq!(Kind::from(m).as_metal(), Some(m));
            assert_eq!(Kind::from(m).as_kube(), None);
            assert_eq!(Kind::from(m).group(), SourceGroup::Metal);
        }
        let grouped: Vec<Kind> = GARDEN_KINDS.into_iter().chain(CAPI_KINDS).collect();
        let kube: Vec<Kind> = KubeKind::ALL.into_iter().map(Kind::from).collect();
        assert_eq!(grouped, kube);
        assert!(
            GARDEN_KINDS
                .iter()
                .all(|k| k.group() == SourceGroup::Garden)
        );
        assert!(CAPI_KINDS.iter().all(|k| k.group() == SourceGroup::Capi));
    }

    #[test]
    fn every_name_is_distinct_and_parses_back() {
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Kind::ALL.len(), "names collide: {names:?}");
        for k in Kind::ALL {
            assert_eq!(k.to_string().parse::<Kind>(), Ok(k));
            assert_eq!(k.name().to_uppercase().parse::<Kind>(), Ok(k));
        }
        assert_eq!(
            "shoot".parse::<Kind>(),
            Err(UnknownKind("shoot".to_string()))
        );
    }

    #[test]
    fn scope_and_resource_come_from_the_model() {
        assert!(KubeKind::Shoot.namespaced());
        assert!(!KubeKind::Seed.namespaced());
        assert!(KubeKind::TenantControlPlane.namespaced());
        let ar = KubeKind::CapiMachine.api_resource();
        assert_eq!(
            (ar.group.as_str(), ar.plural.as_str(), ar.kind.as_str()),
            ("cluster.x-k8s.io", "machines", "Machine")
        );
    }
}
