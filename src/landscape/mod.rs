//! The landscape: the store of every object, the joins between them, and the
//! values derived from them.

pub mod filterable;
pub mod health;
pub mod rows;
pub mod store;
pub mod update;

pub use store::{
    Kind, KubeObject, Landscape, MetalSnapshot, ObjKey, SourceGroup, SourceState, Update,
};
