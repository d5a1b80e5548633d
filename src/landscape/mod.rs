//! The landscape: the store of every object, the joins between them, and the
//! values derived from them.

pub mod filterable;
pub mod health;
pub mod kinds;
pub mod rows;
pub mod store;
pub mod update;

pub use kinds::{KindClass, KubeKind, MetalKind, UnknownKind};
pub use store::{
    Kind, KubeObject, Landscape, MetalSnapshot, ObjKey, SourceGroup, SourceState, Update,
};
