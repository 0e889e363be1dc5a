//! `corpus` judged against a known-failures list, and a batch that runs out
//! of time.

use super::{scratch, xtask, GOOD};
use std::path::Path;
use std::process::Output;

fn corpus(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["corpus", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    xtask(&args, &[])
}

#[test]
fn a_known_failures_list_fails_on_new_failures_on_fixed_entries_and_on_absent_entries() {
    let dir = scratch("corpus-known");
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("good.v1.json"), GOOD).unwrap();
    std::fs::write(docs.join("broken.v1.json"), &GOOD[..40]).unwrap();
    let list = dir.join("known.txt");
    let run = |text: &str| {
        std::fs::write(&list, text).unwrap();
        let out = corpus(&docs, &["--known-failures", list.to_str().unwrap()]);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };

    let (code, stderr) = run("# cause after the name\nbroken.v1  truncated on purpose\n");
    assert_eq!(code, Some(0), "the only failure is listed: {stderr}");
    assert!(stderr.contains("1 as listed"), "{stderr}");

    let (code, stderr) = run("");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("broken.v1 failed and is not in"), "{stderr}");

    let (code, stderr) = run("broken.v1 truncated\ngood.v1 thought broken\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("good.v1 passes now; remove it"), "{stderr}");

    let (code, stderr) = run("broken.v1 truncated\ngone.v1 removed upstream\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("gone.v1 is in"), "{stderr}");

    let (code, stderr) = run("broken.v1\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("needs a cause"), "{stderr}");
}

#[test]
fn a_batch_past_its_deadline_is_stopped_and_its_crates_fail_as_timed_out() {
    let dir = scratch("corpus-timeout");
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("good.v1.json"), GOOD).unwrap();
    let work = dir.join("work");
    // A batch stopped a second after it started (the fresh work directory
    // has the runtime and its dependencies to build first, which takes far
    // longer), and one never started.
    for (option, seconds) in [("--batch-timeout", "1"), ("--total-timeout", "0")] {
        let started = std::time::Instant::now();
        let args = ["--compile", "--check", option, seconds, "--work-dir", work.to_str().unwrap()];
        let out = corpus(&docs, &args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{option}: {stdout}\n{stderr}");
        assert!(stdout.contains("compile error: timed out"), "{option}: {stdout}");
        assert!(stderr.contains("ran out of time"), "{option}: {stderr}");
        assert!(started.elapsed().as_secs() < 60, "{option}: the batch was stopped, not waited for");
    }
}
