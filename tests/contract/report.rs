//! What the suite did, reported once when the test binary exits: how many
//! tests passed, failed and were skipped, and why each skip happened. The line
//! is printed outside any test's captured output, so it shows in every run
//! (`cargo test`, `tests/e2e/testenv.sh`, CI logs), e.g.
//!
//! ```text
//! contract: 11 passed, 1 skipped, 0 failed against real kube-apiserver (KCLM_E2E_KUBECONFIG)
//! contract: skipped shoot_deletion_confirmation: core.gardener.cloud not served by this API server (expected there)
//! ```
//!
//! A skip must be on the expected list ([`Skip::expected_on`]); any other
//! skip fails its test, so a suite can never go green by skipping.

use std::io::Write;
use std::sync::{Mutex, Once};

/// Why a test did not run its assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The server does not serve this API group.
    NotServed(&'static str),
}

impl Skip {
    /// Whether this skip is expected on the target: only a real
    /// kube-apiserver lacks Gardener's API (gardener-apiserver cannot be
    /// built here), the demo serves every group the suite uses.
    pub fn expected_on(self, demo: bool) -> bool {
        match self {
            Skip::NotServed(group) => !demo && group == "core.gardener.cloud",
        }
    }

    fn reason(self) -> String {
        match self {
            Skip::NotServed(group) => format!("{group} not served by this API server"),
        }
    }
}

#[derive(Debug)]
enum Outcome {
    Passed,
    Failed,
    Skipped(String),
}

struct Record {
    test: String,
    target: String,
    outcome: Outcome,
}

static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());
static AT_EXIT: Once = Once::new();

unsafe extern "C" {
    fn atexit(f: extern "C" fn()) -> std::ffi::c_int;
}

extern "C" fn print_summary() {
    // Nothing may unwind out of an exit handler.
    let _ = std::panic::catch_unwind(|| {
        let records = RECORDS.lock().unwrap_or_else(|e| e.into_inner());
        let _ = std::io::stdout().write_all(summary(&records).as_bytes());
        let _ = std::io::stdout().flush();
    });
}

fn summary(records: &[Record]) -> String {
    if records.is_empty() {
        return String::new();
    }
    let count = |f: fn(&Outcome) -> bool| records.iter().filter(|r| f(&r.outcome)).count();
    let mut targets: Vec<&str> = records.iter().map(|r| r.target.as_str()).collect();
    targets.sort_unstable();
    targets.dedup();
    let mut out = format!(
        "\ncontract: {} passed, {} skipped, {} failed against {}\n",
        count(|o| matches!(o, Outcome::Passed)),
        count(|o| matches!(o, Outcome::Skipped(_))),
        count(|o| matches!(o, Outcome::Failed)),
        targets.join(", "),
    );
    for r in records {
        if let Outcome::Skipped(why) = &r.outcome {
            out.push_str(&format!("contract: skipped {}: {why}\n", r.test));
        }
    }
    out
}

/// One test's entry; recorded when dropped: failed if the test is
/// panicking, skipped if [`Running::skip`] was called, else passed.
pub struct Running {
    test: String,
    target: String,
    demo: bool,
    skipped: Option<String>,
}

impl Running {
    pub fn new(test: &str, target: &str, demo: bool) -> Self {
        AT_EXIT.call_once(|| {
            // SAFETY: registers a plain function that neither unwinds nor
            // exits; libc's atexit has no other precondition.
            unsafe {
                atexit(print_summary);
            }
        });
        Self {
            test: test.to_string(),
            target: target.to_string(),
            demo,
            skipped: None,
        }
    }

    /// Records a skip and prints it; panics (fails the test) when the skip is
    /// not expected on this target.
    pub fn skip(&mut self, why: Skip) {
        let reason = why.reason();
        println!("SKIP {} ({reason})", self.test);
        assert!(
            why.expected_on(self.demo),
            "{} skipped unexpectedly on {}: {reason}",
            self.test,
            self.target
        );
        self.skipped = Some(format!("{reason} (expected there)"));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() {
            Outcome::Failed
        } else if let Some(why) = self.skipped.take() {
            Outcome::Skipped(why)
        } else {
            Outcome::Passed
        };
        RECORDS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Record {
                test: std::mem::take(&mut self.test),
                target: std::mem::take(&mut self.target),
                outcome,
            });
    }
}

#[test]
fn only_gardener_on_a_real_server_may_be_skipped_and_the_summary_counts() {
    assert!(Skip::NotServed("core.gardener.cloud").expected_on(false));
    assert!(!Skip::NotServed("core.gardener.cloud").expected_on(true));
    assert!(!Skip::NotServed("cluster.x-k8s.io").expected_on(false));
    let rec = |test: &str, outcome| Record {
        test: test.into(),
        target: "real".into(),
        outcome,
    };
    let s = summary(&[
        rec("a", Outcome::Passed),
        rec("b", Outcome::Skipped("why (expected there)".into())),
        rec("c", Outcome::Failed),
        rec("d", Outcome::Passed),
    ]);
    assert_eq!(
        s,
        "\ncontract: 2 passed, 1 skipped, 1 failed against real\n\
         contract: skipped b: why (expected there)\n"
    );
    assert_eq!(summary(&[]), "");
}
