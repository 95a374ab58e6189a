#!/usr/bin/env bash
# History benchmark: `hf-scan --history` against git itself on the same repository.
#
#   bash bench/history.sh [DIR]
#
# Generates a repository (20,001 commits editing 3,000 files on two branches with merges,
# fake tokens planted and removed, repacked with deltas) unless DIR already holds it, checks
# that hf-scan reports every planted token exactly once, reports its peak memory, then times
# three commands with hyperfine: hf-scan --history; `git log -p --all` (what a naive scanner
# reads); `git cat-file --batch-all-objects --batch --unordered` (inflating every object once,
# the floor for reading a repository).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=${1:-/tmp/hf-scan-bench-repo}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
[ -d "$repo" ] || python3 "$here/gen_repo.py" "$repo"
# -m: show merges' diffs too; the generator's merges carry edits of their own, which a plain
# `git log -p` does not show (and a scanner built on it misses).
planted=$(git -C "$repo" log -p -m --all | grep -oE 'hf_[A-Za-z0-9]{34}' | sort -u | wc -l)
found=$("$bin" --history --format jsonl "$repo" | wc -l || true)
echo "hf-scan reported $found findings for $planted distinct planted tokens"
[ "$found" -eq "$planted" ] || { echo "mismatch" >&2; exit 1; }
/usr/bin/time -f "hf-scan --history peak memory: %M KiB" "$bin" --history --quiet "$repo" >/dev/null || true
json=$(mktemp)
cd "$repo"
hyperfine --warmup 1 --runs 5 -i --export-markdown "$json.md" --export-json "$json" \
  "$bin --history --quiet ." \
  "git log -p --all > /dev/null" \
  "git cat-file --batch-all-objects --batch --unordered > /dev/null"
cat "$json.md"
python3 "$here/medians.py" "$json"
rm -f "$json" "$json.md"
