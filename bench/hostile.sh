#!/usr/bin/env bash
# Hostile input, two parts (both by default):
#
#   bash bench/hostile.sh [bounded|matcher|all] [DIR]
#
# bounded (issue 21): every hostile input the security review found, each small on disk,
# scanned by the release build with its time and peak memory (GNU time): target, each
# finishes within 30 s and 512 MB on the 2-core machine, ends in a warning where a limit
# stopped it, and the report is written. Delta chains are timed against `git cat-file` on the
# same repository, in one hyperfine run.
#
# matcher (issue 8): 16 MiB files made of nothing but encoded prefixes, against 16 MiB of
# ordinary source-like text, single-threaded, hf-scan and ripgrep on the same files in one
# hyperfine run. Every input must stay linear (within a small factor of ordinary text).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
part=${1:-all}
dir=${2:-/tmp/hf-scan-bench-hostile}
command -v hyperfine >/dev/null && command -v rg >/dev/null || {
  echo "needs hyperfine and ripgrep (apt-get install hyperfine ripgrep)" >&2; exit 2; }
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
mkdir -p "$dir"

bounded() {
  local out=$dir/bounded
  rm -rf "$out"
  mkdir -p "$out"/{flood,notebook,longname,history,bzip2,zipshared,pickle,utf16,metadata,threads}
  python3 "$here/hostile_inputs.py" "$out"
  cp "$out/flood/tokens.txt.gz" "$out/history/"
  git -C "$out/history" init -q
  git -C "$out/history" add -A
  git -C "$out/history" -c user.name=bench -c user.email=bench@example.org commit -qm flood

  echo "| input | on disk | time | peak memory | exit | findings | warnings |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  run() {
    local name=$1 size=$2; shift 2
    local report=$out/report.json code=0
    /usr/bin/time -o "$out/time" -f "%e %M" "$bin" --quiet --format json -o "$report" "$@" \
      >/dev/null 2>&1 || code=$?
    local seconds kilobytes counts
    read -r seconds kilobytes < <(tail -1 "$out/time")
    counts=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(len(r['findings']), '|', len(r['stats']['warnings']))" "$report")
    echo "| $name | $size | ${seconds} s | $((kilobytes / 1024)) MB | $code | $counts |"
  }
  size() { du -h "$1" | cut -f1; }
  run "200 MiB of tokens, gzipped" "$(size "$out/flood/tokens.txt.gz")" "$out/flood"
  run "the same, committed (--history)" "$(size "$out/flood/tokens.txt.gz")" --history "$out/history"
  run "notebook of 100M cells, gzipped" "$(size "$out/notebook/cells.ipynb.gz")" "$out/notebook"
  run "tar.gz with a 200 MiB member name" "$(size "$out/longname/long.tar.gz")" "$out/longname"
  run "tar of 8 bzip2 bombs (1 GiB each)" "$(size "$out/bzip2/bombs.tar")" "$out/bzip2"
  run "zip: one 1 GiB deflate stream, 8 entries" "$(size "$out/zipshared/shared.zip")" "$out/zipshared"
  run "gzipped pickle of 341M opcodes" "$(size "$out/pickle/flood.pkl.gz")" "$out/pickle"
  run "UTF-16 transcript continued in ASCII" "$(size "$out/utf16/log.txt")" "$out/utf16"
  run "archive metadata (PAX, links, comments, gzip header, appended)" "$(du -sh "$out/metadata" | cut -f1)" "$out/metadata"
  run "-j 4000 on 3 files" "$(du -sh "$out/threads" | cut -f1)" -j 4000 "$out/threads"

  # Delta chains: one 4 MiB file in N versions, each its own commit, packed as one chain.
  for versions in 400 1000; do
    local repo=$out/chain-$versions
    python3 "$here/hostile_inputs.py" --chain "$repo" "$versions"
    git -C "$repo" repack -adfq --depth=4095 --window=10
    echo
    echo "Delta chain, $versions versions of a 4 MiB file ($(du -sh "$repo/.git/objects" | cut -f1) packed):"
    hyperfine -N -i -w 1 -r 3 --export-markdown "$out/chain.md" \
      "git -C $repo cat-file --batch-all-objects --batch --unordered" \
      "$bin --quiet --history $repo" >/dev/null
    cat "$out/chain.md"
    /usr/bin/time -f "hf-scan peak memory: %M KB" "$bin" --quiet --history "$repo" >/dev/null || true
  done
}

matcher() {
  local out=$dir/matcher
  mkdir -p "$out"
  python3 - "$out" <<'PY'
import random, sys
out, size = sys.argv[1], 16 << 20
def fill(name, unit):
    with open(f"{out}/{name}", "wb") as f:
        f.write((unit * (size // len(unit) + 1))[:size])
fill("hmx", b"hmX")
fill("agzf", b"aGZf")
fill("utf16", b"h\0f\0_\0")
fill("mixed", b"aGZfhmXoZl_h\0f\0_\0")
# Prefixes of the long-token rules, whose bodies may hold `_` and `-`: every `hf_` starts a
# candidate that could run on for a kilobyte.
fill("oauth", b"hf_oauth_")
fill("jwt", b"hf_jwt_eyJAbcdEfgh12.eyJ")
random.seed(1)
words = [b"import", b"model", b"from_pretrained", b"def", b"return", b"self",
         b"hf_hub_download", b"token", b"\n", b"=", b"(", b")"]
text = bytearray()
while len(text) < size:
    text += random.choice(words) + b" "
with open(f"{out}/text", "wb") as f:
    f.write(text[:size])
PY
  commands=()
  for name in text hmx agzf utf16 mixed oauth jwt; do
    commands+=("$bin -j1 --quiet $out/$name" "rg -j1 -a -F -c hf_ $out/$name")
  done
  json=$(mktemp)
  hyperfine -N --warmup 1 --runs 5 -i --export-markdown "$json.md" --export-json "$json" "${commands[@]}"
  cat "$json.md"
  echo "Ratios to hf-scan on ordinary text:"
  python3 "$here/medians.py" "$json" 0
  rm -f "$json" "$json.md"
}

case $part in
  bounded) bounded ;;
  matcher) matcher ;;
  all) bounded; echo; matcher ;;
  *) echo "usage: bash bench/hostile.sh [bounded|matcher|all] [DIR]" >&2; exit 2 ;;
esac
