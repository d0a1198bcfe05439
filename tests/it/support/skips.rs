//! Checks this machine cannot run, said where a person reads them: a test that needs a
//! program that is not installed here (the reference `avn`, GNU time, util-linux `script`,
//! a shell) calls [`skip`] and returns. Never a silent pass.
//!
//! libtest captures what a passing test prints (`print!`, `eprint!`), so a skip reported
//! from inside the test would vanish from `cargo test`'s output and the test would just
//! say `ok`. The skips are therefore counted, and reported once, when the test binary
//! exits, straight to the process's stderr (which libtest does not capture), after its own
//! summary: per reason, how many checks were skipped and what runs them.
//!
//! A check that needs what a whole *platform* lacks (signals, file modes and symbolic links
//! on Windows) is not skipped at run time but marked
//! `#[cfg_attr(not(unix), ignore = "why")]`: `cargo test` lists it there as ignored, with
//! the reason, and counts it in its summary.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Mutex, Once};

/// Why checks were skipped: what they check, what was missing, and what runs them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skip {
    /// What the skipped checks are about: `compatibility with the reference avn`.
    pub about: String,
    /// What is missing here: `no avn at .venv/bin/avn`.
    pub missing: String,
    /// What a person does to run them.
    pub remedy: String,
}

/// Every skip so far, by reason.
static SKIPPED: Mutex<BTreeMap<Skip, usize>> = Mutex::new(BTreeMap::new());
static REPORT_AT_EXIT: Once = Once::new();

/// Count one skipped check; the first arranges for [`report`] to run at exit.
pub fn skip(about: &str, missing: &str, remedy: &str) {
    let reason = Skip {
        about: about.to_owned(),
        missing: missing.to_owned(),
        remedy: remedy.to_owned(),
    };
    *SKIPPED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(reason)
        .or_default() += 1;
    REPORT_AT_EXIT.call_once(|| {
        // SAFETY: `atexit` stores a plain function pointer, called once when the process
        // exits normally; the function touches only a static and stderr.
        unsafe {
            atexit(report);
        }
    });
}

unsafe extern "C" {
    /// The C library's `atexit`: in glibc and musl, macOS's libSystem and the Windows C
    /// runtime alike (Rust programs link it on every platform). It runs when the test
    /// binary returns from `main` (every test passed) or calls `exit` on Unix; on Windows a
    /// failed run ends through `ExitProcess`, which skips it, and the failures speak anyway.
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

/// One paragraph per reason: the count, `SKIPPED` (once per reason, for a search), what
/// was missing and how to run them.
extern "C" fn report() {
    let skipped = SKIPPED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut text = String::new();
    for (reason, &count) in skipped.iter() {
        text.push_str(&paragraph(reason, count));
    }
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// The report of `count` checks skipped for `reason`.
fn paragraph(reason: &Skip, count: usize) -> String {
    let (checks, them) = if count == 1 {
        ("check was", "it")
    } else {
        ("checks were", "them")
    };
    format!(
        "\nwarning: {count} {checks} SKIPPED ({}): {}.\n         To run {them}: {}.\n",
        reason.about, reason.missing, reason.remedy
    )
}

#[test]
fn a_skip_is_reported_with_its_count_reason_and_remedy() {
    let reason = Skip {
        about: "peak memory".into(),
        missing: "no GNU time".into(),
        remedy: "install it".into(),
    };
    assert_eq!(
        paragraph(&reason, 3),
        "\nwarning: 3 checks were SKIPPED (peak memory): no GNU time.\n         \
         To run them: install it.\n"
    );
    assert!(paragraph(&reason, 1).contains("1 check was SKIPPED"));
}
