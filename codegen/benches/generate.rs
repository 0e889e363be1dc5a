//! The stages of `discogen::generate` timed apart, on Vision v1 (315 KB) and
//! compute v1 (5 MB) from `../shared/discovery`: parse (JSON → discovery
//! model), resolve (→ IR), emit (IR → token streams), format (tokens →
//! text), and `generate` whole, which emits and formats on several threads.
//!
//! `cargo bench -p discogen --features internals --bench generate`
//!
//! A missing document panics: a bench never reports on input it did not read.

use discogen::internals::{emit, parse, resolve};
use discogen::Options;

const DOCUMENTS: &[&str] = &["vision.v1", "compute.v1"];

fn main() {
    divan::main();
}

fn source(document: &str) -> String {
    let path = format!("{}/../../shared/discovery/{document}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (../shared beside the checkout)"))
}

#[divan::bench(args = DOCUMENTS, sample_count = 10)]
fn parse_stage(bencher: divan::Bencher, document: &str) {
    let text = source(document);
    bencher.bench_local(|| parse(&text).expect("parses"));
}

#[divan::bench(args = DOCUMENTS, sample_count = 10)]
fn resolve_stage(bencher: divan::Bencher, document: &str) {
    let doc = parse(&source(document)).expect("parses");
    bencher.bench_local(|| resolve::resolve(&doc, &Options::default()).expect("resolves"));
}

#[divan::bench(args = DOCUMENTS, sample_count = 10)]
fn emit_stage(bencher: divan::Bencher, document: &str) {
    let doc = parse(&source(document)).expect("parses");
    let (api, _) = resolve::resolve(&doc, &Options::default()).expect("resolves");
    // The items are produced lazily: collecting them is the emitting.
    bencher.bench_local(|| {
        emit::tokens(&api)
            .into_iter()
            .map(|(path, file)| (path, file.inner, file.items.collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    });
}

#[divan::bench(args = DOCUMENTS, sample_count = 10)]
fn format_stage(bencher: divan::Bencher, document: &str) {
    let doc = parse(&source(document)).expect("parses");
    let (api, _) = resolve::resolve(&doc, &Options::default()).expect("resolves");
    // The items are produced before timing starts, so that only formatting
    // is timed (in `generate` the two interleave, item by item).
    bencher
        .with_inputs(|| {
            emit::tokens(&api)
                .into_iter()
                .map(|(path, file)| {
                    let items: Vec<_> = file.items.collect();
                    let items: Box<dyn Iterator<Item = emit::Item>> = Box::new(items.into_iter());
                    (path, emit::FileTokens { inner: file.inner, items })
                })
                .collect::<Vec<_>>()
        })
        .bench_local_values(|files| emit::format(files, "// header").expect("formats"));
}

#[divan::bench(args = DOCUMENTS, sample_count = 10)]
fn generate(bencher: divan::Bencher, document: &str) {
    let text = source(document);
    bencher.bench_local(|| discogen::generate(&text, &Options::default()).expect("generates"));
}
