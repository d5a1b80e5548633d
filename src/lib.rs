//! kclm core: models, sources, the landscape store, operations and maintenance
//! logic. This library never touches the terminal; the TUI and the headless CLI
//! in the binary are thin layers over it.

pub mod age;
pub mod config;
/// The embedded demo landscape (cargo feature `demo`, on by default). The core
/// never starts it: the binary does, and hands [`session::Session`] an ordinary target.
#[cfg(feature = "demo")]
pub mod demo;
pub mod filter;
pub mod landscape;
pub mod maintenance;
pub mod model;
pub mod ops;
pub mod session;
pub mod source;
pub mod text;
