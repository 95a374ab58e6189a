#!/usr/bin/env bash
# History on a real repository with every ref: `hf-scan --history` against the floor for
# reading a repository, `git cat-file --batch-all-objects --batch --unordered` (every object
# inflated once, single-threaded), side by side in one hyperfine run (warm cache, medians).
#
#   bash bench/real-history.sh MIRROR [--no-archives]
#
# MIRROR is a bare mirror holding every ref (branches, tags, a GitHub mirror's refs/pull/*):
#   git clone --mirror https://github.com/huggingface/diffusers /tmp/diffusers.git
# Extra arguments are passed to hf-scan (--no-archives compares like for like: cat-file does
# not open the zip and gzip files a repository holds). Prints one row of the README's table:
# commits, refs, cat-file, hf-scan, their ratio, and hf-scan's peak memory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=$(cd "${1:?usage: real-history.sh MIRROR [HF-SCAN ARGS...]}" && pwd)
shift
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
[ "$(git -C "$mirror" rev-parse --is-bare-repository)" = true ] || { echo "$mirror is not a bare mirror" >&2; exit 2; }
commits=$(git -C "$mirror" rev-list --all | wc -l)
refs=$(git -C "$mirror" for-each-ref | wc -l)
# hf-scan exits 1 on findings, and 2 on an error or on an incomplete scan (a snapshot missing
# a few blobs, as the rails/rails one does): findings and an incomplete scan are answers, not
# failures; an error is.
status=0
err=$(mktemp)
"$bin" --history --quiet "$@" "$mirror" >/dev/null 2>"$err" || status=$?
if [ "$status" -gt 1 ] && ! grep -q "the scan is incomplete" "$err"; then
  echo "hf-scan failed (exit $status):" >&2; cat "$err" >&2; rm -f "$err"; exit 1
fi
rm -f "$err"
json=$(mktemp)
/usr/bin/time -o "$json" -f "%M" "$bin" --history --quiet "$@" "$mirror" >/dev/null 2>&1 || true
peak=$(tail -1 "$json")
hyperfine --warmup 1 --runs "${RUNS:-5}" -i --style basic --export-json "$json" \
  -n cat-file "git -C '$mirror' cat-file --batch-all-objects --batch --unordered > /dev/null" \
  -n hf-scan "'$bin' --history --quiet $* '$mirror' > /dev/null" >&2
python3 - "$json" "$mirror" "$commits" "$refs" "$peak" "$*" <<'EOF'
import json, os, sys
results = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
name = os.path.basename(sys.argv[2].rstrip("/"))
cat_file, hf_scan = results["cat-file"], results["hf-scan"]
print("| repository (all refs) | commits | refs | `git cat-file` | hf-scan `--history`"
      f"{' ' + sys.argv[6] if sys.argv[6] else ''} | ratio | hf-scan peak RSS |")
print("|---|---|---|---|---|---|---|")
print(f"| {name} | {int(sys.argv[3]):,} | {int(sys.argv[4]):,} | {cat_file:.2f} s | {hf_scan:.2f} s"
      f" | {hf_scan / cat_file:.2f}x | {int(sys.argv[5]) // 1024} MB |")
EOF
rm -f "$json"
