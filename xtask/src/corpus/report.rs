//! The table, the failures grouped by cause, and the summary line of a
//! corpus run.

use super::known::KnownFailures;
use super::{Compile, Outcome, Row};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many documents to name per group of failures.
const NAMES_SHOWN_PER_GROUP: usize = 12;

pub fn print_table(rows: &[Row], known: Option<&KnownFailures>) {
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max("document".len());
    println!(
        "{:<name_width$} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6}  result",
        "document", "KiB", "schemas", "methods", "lines", "gen ms", "warns"
    );
    for row in rows {
        let generated = !matches!(row.outcome, Outcome::GenerateError(_));
        let dash = |n: usize| if generated { n.to_string() } else { "-".into() };
        let mut result = result_text(&row.outcome);
        if let Some(cause) = known.and_then(|k| k.cause(&row.name)) {
            write!(result, " [known: {cause}]").ok();
        }
        println!(
            "{:<name_width$} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6}  {result}",
            row.name,
            row.size.div_ceil(1024),
            dash(row.schemas),
            dash(row.methods),
            dash(row.lines),
            row.generate_time.as_millis(),
            dash(row.warnings.len()),
        );
    }
}

fn result_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::GenerateError(e) => format!("generate error: {e}"),
        Outcome::ParseError(e) => format!("parse error: {e}"),
        Outcome::Parsed { compile } => match compile {
            Compile::NotRequested => "ok".into(),
            Compile::TooLarge => "ok (not compiled: over --max-compile-bytes)".into(),
            Compile::Pending | Compile::NotBuilt => "compile error: not built (a dependency failed?)".into(),
            Compile::TimedOut => "compile error: timed out".into(),
            Compile::Ok => "ok (compiled)".into(),
            Compile::Failed { errors: 0, warnings, first } => format!("warnings: {warnings}, first: {first}"),
            Compile::Failed { errors, warnings, first } => {
                format!("compile error: {errors} errors, {warnings} warnings, first: {first}")
            }
        },
    }
}

/// The failures again, grouped by their first message with the place taken
/// out, so that one generator bug shows up as one group however many
/// documents it breaks.
pub fn print_failure_groups(rows: &[Row]) {
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for row in rows {
        let cause = match &row.outcome {
            Outcome::GenerateError(e) => format!("generate error: {}", without_place(e)),
            Outcome::ParseError(e) => format!("parse error: {}", without_place(e)),
            Outcome::Parsed { compile: Compile::Failed { first, .. } } => without_place(first),
            Outcome::Parsed { compile: Compile::TimedOut } => "timed out".into(),
            Outcome::Parsed { compile: Compile::Pending | Compile::NotBuilt } => "not built".into(),
            Outcome::Parsed { .. } => continue,
        };
        groups.entry(cause).or_default().push(&row.name);
    }
    if groups.is_empty() {
        return;
    }
    let mut groups: Vec<(String, Vec<&str>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    println!("\nfailures by first message:");
    for (cause, names) in groups {
        let mut shown = names.iter().take(NAMES_SHOWN_PER_GROUP).copied().collect::<Vec<_>>().join(", ");
        if names.len() > NAMES_SHOWN_PER_GROUP {
            write!(shown, ", ... ({} more)", names.len() - NAMES_SHOWN_PER_GROUP).ok();
        }
        println!("{:>5}  {cause}\n       {shown}", names.len());
    }
}

/// A short-form compiler message (`path:line:col: error[E0599]: text`) without
/// its `path:line:col: ` prefix.
fn without_place(message: &str) -> String {
    for marker in ["error", "warning"] {
        if let Some(at) = message.find(&format!(": {marker}")) {
            return message[at + 2..].to_string();
        }
    }
    message.to_string()
}

/// The first line of a compiler message, cut to a length that keeps the
/// table readable; the full text is on stderr.
pub fn first_line(text: &str) -> String {
    const MAX_CHARS: usize = 160;
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_string(),
    }
}

pub struct Summary {
    pub text: String,
    pub failed: usize,
}

pub fn summarize(rows: &[Row], compile: bool) -> Summary {
    let mut generated = 0;
    let mut parsed = 0;
    let mut compiled = 0;
    let mut with_warnings = 0;
    let mut skipped = 0;
    let mut failed = 0;
    for row in rows {
        match &row.outcome {
            Outcome::GenerateError(_) => failed += 1,
            Outcome::ParseError(_) => {
                generated += 1;
                failed += 1;
            }
            Outcome::Parsed { compile } => {
                generated += 1;
                parsed += 1;
                match compile {
                    Compile::Ok => compiled += 1,
                    Compile::NotRequested => {}
                    Compile::TooLarge => skipped += 1,
                    Compile::Failed { errors: 0, .. } => {
                        with_warnings += 1;
                        failed += 1;
                    }
                    Compile::Pending | Compile::NotBuilt | Compile::TimedOut | Compile::Failed { .. } => failed += 1,
                }
            }
        }
    }
    let mut text = format!("{} documents: {generated} generated, {parsed} parsed", rows.len());
    if compile {
        write!(text, ", {compiled} compiled cleanly, {with_warnings} compiled with warnings only").ok();
        if skipped > 0 {
            write!(text, ", {skipped} not compiled (too large)").ok();
        }
    }
    if failed > 0 {
        write!(text, ", {failed} failed").ok();
    }
    Summary { text, failed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_drops_the_place_but_keeps_the_message() {
        assert_eq!(
            without_place("corpus-a/src/a_v1/x.rs:3:9: error[E0592]: duplicate definitions with name `path`"),
            "error[E0592]: duplicate definitions with name `path`"
        );
        assert_eq!(without_place("src/lib.rs:1:1: warning: unused import"), "warning: unused import");
        assert_eq!(without_place("at name: the document has no `name`"), "at name: the document has no `name`");
    }
}
