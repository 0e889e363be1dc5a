#!/usr/bin/env bash
# Whole-process generation time with hyperfine, and the target that `gen`
# be no more than 10 % slower than at commit da6bd01 (when issue 15 was
# filed). Both generators are built in release mode (the baseline from
# `git archive` under target/bench/baseline); then hyperfine times `gen` of
# every document of ../shared/discovery, one process per document, first
# with one generator and then with the other, and Vision v1 and compute v1
# on their own. The figures are hyperfine's JSON exports in target/bench/;
# the script fails when the corpus takes more than 10 % more CPU time
# (user + system) than with the baseline.
#
#   xtask/bench-generation.sh              (RUNS=9 by default)
#   RUNS=1 DOCS=../shared/discovery/x.json xtask/bench-generation.sh   (a quick try)
set -euo pipefail
cd "$(dirname "$0")/.."

base=${BASE:-da6bd01}
runs=${RUNS:-9}
# One line of paths, for the shell loop below.
docs=$(echo ${DOCS:-../shared/discovery/*.json})
[ -n "$docs" ] || { echo "error: no documents (../shared/discovery beside the checkout)" >&2; exit 1; }
work=$PWD/target/bench
command -v hyperfine >/dev/null || cargo install hyperfine --locked --version '~1.20'

cargo build --release --quiet -p xtask --no-default-features
head_bin=$PWD/target/release/xtask
if [ ! -x "$work/baseline/target/release/xtask" ]; then
  rm -rf "$work/baseline/src" && mkdir -p "$work/baseline/src"
  git archive "$base" | tar -x -C "$work/baseline/src"
  CARGO_TARGET_DIR=$work/baseline/target cargo build --release --quiet -p xtask \
    --manifest-path "$work/baseline/src/Cargo.toml"
fi
base_bin=$work/baseline/target/release/xtask

# `gen` of each document into a scratch directory; output discarded.
loop() { echo "for f in $docs; do $1 gen --spec \$f --out $work/gen-out/\$(basename \$f .json) --force; done"; }
hyperfine --warmup 1 --runs "$runs" --export-json "$work/generation-corpus.json" \
  -n "$base" "$(loop "$base_bin")" -n HEAD "$(loop "$head_bin")"
for doc in vision.v1 compute.v1; do
  spec=../shared/discovery/$doc.json
  [ -f "$spec" ] || continue
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/generation-$doc.json" \
    -n "$base $doc" "$base_bin gen --spec $spec --out $work/gen-out/$doc --force" \
    -n "HEAD $doc" "$head_bin gen --spec $spec --out $work/gen-out/$doc --force"
done
rm -rf "$work/gen-out"

python3 - "$work/generation-corpus.json" <<'PY'
import json, sys
base, head = json.load(open(sys.argv[1]))["results"]
cpu = lambda r: r["user"] + r["system"]
ratio = cpu(head) / cpu(base)
print(f"corpus: CPU {cpu(head):.2f} s against {cpu(base):.2f} s at {base['command']} "
      f"(ratio {ratio:.3f}); wall {head['mean']:.2f} s against {base['mean']:.2f} s")
sys.exit(0 if ratio <= 1.10 else f"gen is {100 * (ratio - 1):.0f} % slower than at the baseline (limit 10 %)")
PY
