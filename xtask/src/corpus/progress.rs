//! Progress of a long corpus run: an `indicatif` bar when stderr is a
//! terminal, plain lines otherwise.
//!
//! A CI log cannot redraw a line, and carriage returns make it unreadable,
//! so without a terminal each phase prints a line every so often instead.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// How many plain lines a phase prints at most, besides its last one.
const PLAIN_LINES_PER_PHASE: usize = 10;

pub struct Progress {
    what: &'static str,
    total: usize,
    done: AtomicUsize,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(what: &'static str, total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            // The template is fixed text, so it cannot fail to parse; fall
            // back to the default style rather than panic if it ever does.
            let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed} {wide_msg}")
                .map(|s| s.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(what);
            bar
        });
        Progress { what, total, done: AtomicUsize::new(0), started: Instant::now(), bar }
    }

    /// One item finished; `name` says which.
    pub fn step(&self, name: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(name.to_string());
                bar.set_position(done as u64);
            }
            None => {
                let every = self.total.div_ceil(PLAIN_LINES_PER_PHASE).max(1);
                if done % every == 0 && done < self.total {
                    eprintln!("{}: {done}/{} ({:.0} s)", self.what, self.total, self.started.elapsed().as_secs_f64());
                }
            }
        }
    }

    /// Prints a line above the bar (or just a line), so that messages and
    /// the bar do not overwrite each other.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!(
            "{}: {}/{} in {:.1} s",
            self.what,
            self.done.load(Ordering::Relaxed),
            self.total,
            self.started.elapsed().as_secs_f64()
        );
    }
}
