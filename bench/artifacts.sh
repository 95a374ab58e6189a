#!/usr/bin/env bash
# Artifact benchmark: hf-scan against kingfisher (no validation) on a generated tree of
# wheels, source tarballs, pickles, torch-style checkpoints and docker-save images, warm cache.
#
#   bash bench/artifacts.sh [DIR] [SCALE]
#
# Generates the tree (about 300 MB at SCALE 2.5) unless DIR already holds it, counts which of
# the planted fake tokens each tool reports, then times both with hyperfine. Both exit non-zero
# because they find tokens, hence -i. kingfisher comes from PyPI (`pip install kingfisher-bin`);
# set KINGFISHER to its path if it is not on PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:-/tmp/hf-scan-bench-artifacts}
scale=${2:-2.5}
kingfisher=${KINGFISHER:-kingfisher}
command -v hyperfine >/dev/null && command -v "$kingfisher" >/dev/null || {
  echo "needs hyperfine and kingfisher (apt-get install hyperfine; pip install kingfisher-bin)" >&2
  exit 2; }
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
[ -d "$tree" ] || python3 "$here/gen_artifacts.py" "$tree" --scale "$scale"
planted="$(dirname "$tree")/artifact-tokens.txt"
count() { grep -oE 'hf_[A-Za-z]{34}' | sort -u | grep -cxFf "$planted" || true; }
echo "planted: $(wc -l < "$planted") tokens in $(du -sh "$tree" | cut -f1)"
echo "hf-scan found:    $("$bin" --show-secrets --format jsonl "$tree" | count)"
echo "kingfisher found: $("$kingfisher" scan "$tree" --no-validate --no-update-check --format json 2>/dev/null | count)"
json=$(mktemp)
hyperfine --warmup 1 --runs 5 -i --export-markdown "$json.md" --export-json "$json" \
  "$bin --quiet $tree" \
  "$kingfisher scan $tree --no-validate --no-update-check --format json"
cat "$json.md"
python3 "$here/medians.py" "$json"
rm -f "$json" "$json.md"
