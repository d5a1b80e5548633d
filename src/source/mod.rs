//! Sources: everything that talks to the network. Kubernetes watchers and the
//! metal-api poller run as tasks and send [`Update`]s to the one owner of the
//! landscape store.

pub mod fetch;
pub mod hmac;
pub mod kinds;
pub mod kube;
pub mod kube_auth;
pub mod metal;
pub mod metal_share;

use crate::landscape::Update;

/// Where sources send their updates.
pub type UpdateTx = tokio::sync::mpsc::UnboundedSender<Update>;
pub type UpdateRx = tokio::sync::mpsc::UnboundedReceiver<Update>;
