#!/usr/bin/env bash
# Working-tree benchmark: hf-scan against ripgrep on the same synthetic tree, warm cache.
#
#   bash bench/tree.sh [DIR]
#
# Generates the tree (a few hundred MB: 30,000 source-like files full of hf_-prefixed
# identifiers, 300 planted fake tokens, 200 binaries) unless DIR already holds it, checks that
# hf-scan finds every planted token, then times both tools with hyperfine. hf-scan exits 1
# because it finds tokens, hence -i.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:-/tmp/hf-scan-bench-tree}
command -v hyperfine >/dev/null && command -v rg >/dev/null || {
  echo "needs hyperfine and ripgrep (apt-get install hyperfine ripgrep)" >&2; exit 2; }
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
[ -d "$tree" ] || python3 "$here/gen_tree.py" "$tree"
found=$("$bin" --format jsonl "$tree" | wc -l || true)
echo "hf-scan found $found tokens (300 planted)"
[ "$found" -eq 300 ] || { echo "hf-scan missed planted tokens" >&2; exit 1; }
json=$(mktemp)
hyperfine --warmup 2 --runs 10 -i --export-markdown "$json.md" --export-json "$json" \
  "$bin --quiet $tree" \
  "rg --hidden -a -F -c hf_ $tree"
cat "$json.md"
python3 "$here/medians.py" "$json"
rm -f "$json" "$json.md"
