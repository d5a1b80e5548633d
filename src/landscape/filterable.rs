//! Filter fields of every row kind (see [`crate::filter`]).

use std::borrow::Cow;

use super::rows::{
    CloudProfileRow, ClusterRow, MachineRow, PartitionRow, ProjectRow, SeedRow, ShootRow, TenantRow,
};
use crate::filter::Filterable;

fn s(v: &str) -> Option<Cow<'_, str>> {
    Some(Cow::Borrowed(v))
}
fn o<S: AsRef<str>>(v: &Option<S>) -> Option<Cow<'_, str>> {
    v.as_ref().map(|v| Cow::Borrowed(v.as_ref()))
}

impl Filterable for ShootRow {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "namespace",
        "project",
        "seed",
        "region",
        "version",
        "purpose",
        "health",
        "hibernation",
        "cloudprofile",
        "op",
        "uid",
    ];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => s(&self.name),
            "namespace" => s(&self.namespace),
            "project" => s(&self.project),
            "seed" => o(&self.seed),
            "region" => o(&self.region),
            "version" => o(&self.kubernetes_version),
            "purpose" => o(&self.purpose),
            "health" => s(self.health.as_str()),
            "hibernation" => s(self.hibernation),
            "cloudprofile" => o(&self.cloudprofile),
            "op" => s(&self.last_operation_text),
            "uid" => s(&self.uid),
            _ => None,
        }
    }
}

impl Filterable for SeedRow {
    const FIELDS: &'static [&'static str] = &["name", "status", "provider", "region", "version"];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => s(&self.name),
            "status" => s(self.status),
            "provider" => s(&self.provider),
            "region" => s(&self.region),
            "version" => o(&self.kubernetes_version),
            _ => None,
        }
    }
}

impl Filterable for ProjectRow {
    const FIELDS: &'static [&'static str] = &["name", "namespace", "owner", "purpose", "phase"];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => s(&self.name),
            "namespace" => s(&self.namespace),
            "owner" => o(&self.owner),
            "purpose" => o(&self.purpose),
            "phase" => o(&self.phase),
            _ => None,
        }
    }
}

impl Filterable for MachineRow {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "hostname",
        "project",
        "partition",
        "rack",
        "size",
        "image",
        "state",
        "liveliness",
        "event",
        "shoot",
        "cluster",
        "issue",
    ];
    fn name(&self) -> &str {
        if self.hostname.is_empty() {
            &self.id
        } else {
            &self.hostname
        }
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "id" => s(&self.id),
            "hostname" => s(&self.hostname),
            "project" => s(&self.project),
            "partition" => s(&self.partition),
            "rack" => s(&self.rack),
            "size" => s(&self.size),
            "image" => s(&self.image),
            "state" => s(&self.state),
            "liveliness" => s(&self.liveliness),
            "event" => o(&self.last_event),
            "shoot" => o(&self.shoot),
            "cluster" => o(&self.cluster),
            "issue" => Some(Cow::Owned(
                self.issues
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            )),
            _ => None,
        }
    }
}

impl Filterable for ClusterRow {
    const FIELDS: &'static [&'static str] = &["name", "namespace", "phase", "version"];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => s(&self.name),
            "namespace" => s(&self.namespace),
            "phase" => s(&self.phase),
            "version" => o(&self.version),
            _ => None,
        }
    }
}

impl Filterable for TenantRow {
    const FIELDS: &'static [&'static str] = &["name", "namespace", "status", "version", "cluster"];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => s(&self.name),
            "namespace" => s(&self.namespace),
            "status" => s(&self.status),
            "version" => s(&self.version),
            "cluster" => o(&self.cluster),
            _ => None,
        }
    }
}

impl Filterable for CloudProfileRow {
    const FIELDS: &'static [&'static str] = &["name", "type"];
    fn name(&self) -> &str {
        &self.name
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "name" => s(&self.name),
            "type" => o(&self.type_),
            _ => None,
        }
    }
}

impl Filterable for PartitionRow {
    const FIELDS: &'static [&'static str] = &["id", "name", "description"];
    fn name(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
    fn field(&self, f: &str) -> Option<Cow<'_, str>> {
        match f {
            "id" => s(&self.id),
            "name" => s(&self.name),
            "description" => s(&self.description),
            _ => None,
        }
    }
}
