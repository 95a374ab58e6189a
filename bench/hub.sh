#!/usr/bin/env bash
# Hub audit benchmark: `hf-scan hub --author` against a stand-in on loopback (listing, cloning
# and scanning N generated repositories), and kingfisher scanning the same repositories' git
# history from local clones (kingfisher's `scan huggingface` only talks to huggingface.co, so it
# cannot be pointed at a stand-in). Wall time and peak memory of each, one run each, cold cache
# for hf-scan (a fresh --cache-dir, so the cloning is measured).
#
# Usage: bench/hub.sh [N] (default 60). Needs git, python3, /usr/bin/time and kingfisher
# (`pip install kingfisher-bin`; KINGFISHER=path to choose one). HF_SCAN=path times another
# hf-scan binary as well (a build before a change), cold, after this one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
count=${1:-60}
kingfisher=${KINGFISHER:-kingfisher}
command -v "$kingfisher" >/dev/null && [ -x /usr/bin/time ] || {
  echo "needs kingfisher (pip install kingfisher-bin) and /usr/bin/time" >&2; exit 2; }
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/root/acme" "$work/root/datasets/acme" "$work/root/spaces/acme" "$work/gen"
planted=0
for i in $(seq 1 "$count"); do
  case $((i % 3)) in 0) dir=acme ;; 1) dir=datasets/acme ;; *) dir=spaces/acme ;; esac
  planted=$((planted + $(python3 "$here/gen_repo.py" "$work/gen/r$i" --commits 300 --files 200 --seed "$i" | grep -oE '[0-9]+ distinct' | grep -oE '[0-9]+')))
  git clone -q --bare "$work/gen/r$i" "$work/root/$dir/repo-$i"
  rm -rf "$work/gen/r$i"
done
python3 "$here/hub_standin.py" "$work/root" > "$work/url" &
server=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(cat "$work/url")
echo "$count repositories on $url, $planted distinct tokens planted"
distinct() { grep -oE 'hf_[A-Za-z0-9]{34}' | sort -u | wc -l; }
audit() { # binary, cache directory, label
  /usr/bin/time -f "$3: %e s wall, %U s user + %S s system (with its git children), %M KB peak" \
    "$1" hub --author acme --hf-endpoint "$url" --cache-dir "$2" -q --format jsonl \
    --show-secrets > "$work/found.jsonl" || true
  echo "  distinct tokens found: $(distinct < "$work/found.jsonl")"
}
server_cpu() { awk '{print $14 + $15 + $16 + $17}' "/proc/$server/stat"; }
cpu_since() { awk -v a="$1" -v b="$(server_cpu)" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz}'; }
before=$(server_cpu)
audit "$bin" "$work/cache" hf-scan
echo "  the stand-in (python and its git http-backend children): $(cpu_since "$before") s CPU"
if [ -n "${HF_SCAN:-}" ]; then
  before=$(server_cpu)
  audit "$HF_SCAN" "$work/cache-other" "HF_SCAN=$HF_SCAN"
  echo "  the stand-in: $(cpu_since "$before") s CPU"
fi
# kingfisher on the same history, from local clones (the mirrors hf-scan just made).
# The planted tokens are letters only, as real ones are, so its rule (`hf_[a-zA-Z]{34}`) can
# match every one of them.
/usr/bin/time -o "$work/time" -f "kingfisher (local clones): %e s, %M KB peak" \
  "$kingfisher" scan "$work/cache" --no-validate --no-update-check --format json \
  > "$work/kingfisher.json" 2>/dev/null || true
cat "$work/time"
echo "  distinct tokens found: $(distinct < "$work/kingfisher.json")"
