//! The contract suite: the same tests against whatever `KCLM_E2E_KUBECONFIG`
//! points at (a real kube-apiserver from `tests/e2e/testenv.sh`), or else the
//! embedded demo landscape. Where the two disagree, the demo is wrong.
//!
//!   cargo test --test contract                          # the demo
//!   tests/e2e/testenv.sh cargo test --test contract     # a real kube-apiserver
//!
//! Each test prints its target; tests that need Gardener print `SKIP ...`
//! where `core.gardener.cloud` is not served.

#[path = "contract/capi.rs"]
mod capi;
#[path = "contract/fixture.rs"]
mod fixture;
#[path = "contract/gardener.rs"]
mod gardener;
#[path = "contract/lists.rs"]
mod lists;
#[path = "contract/objects.rs"]
mod objects;
#[path = "contract/proxy.rs"]
mod proxy;
#[path = "contract/tui.rs"]
mod tui;
#[path = "contract/writes.rs"]
mod writes;
