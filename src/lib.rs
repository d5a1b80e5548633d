//! kclm core: models, sources, the landscape store, operations and maintenance
//! logic. This library never touches the terminal; the TUI and the headless CLI
//! in the binary are thin layers over it.

pub mod demo;
pub mod landscape;
pub mod model;
pub mod source;
