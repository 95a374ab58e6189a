#!/usr/bin/env bash
# Bounded input (issue 21): the hostile inputs the security review found, each small on disk,
# scanned by the release build with its time and peak memory (GNU time). Target: each finishes
# within 30 s and 512 MB on the 2-core machine, ends in a warning, and the report is written.
#
#   bash bench/bounded-input.sh [DIR] [HF_SCAN]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-/tmp/hf-scan-bench-bounded}
bin=${2:-}
if [ -z "$bin" ]; then
  cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
  bin="$here/../target/release/hf-scan"
fi
rm -rf "$dir"
mkdir -p "$dir"/{flood,notebook,longname,history}
python3 - "$dir" <<'PY'
import gzip, io, random, string, sys, tarfile
out = sys.argv[1]
rng = random.Random(21)
token = "hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))
line = (token + "\n").encode()
# 200 MiB of token lines, gzipped (about 610 KB).
with gzip.open(f"{out}/flood/tokens.txt.gz", "wb", compresslevel=9) as f:
    block = line * 10000
    for _ in range((200 << 20) // len(block)):
        f.write(block)
# A notebook of `{},` x 100M cells, gzipped (about 300 KB).
with gzip.open(f"{out}/notebook/cells.ipynb.gz", "wb", compresslevel=9) as f:
    f.write(b'{"cells": [')
    block = b"{}," * 1_000_000
    for _ in range(100):
        f.write(block)
    f.write(b'{"source": "' + token.encode() + b'"}]}')
# A tar.gz whose one member has a 200 MiB GNU long name.
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT) as tar:
    body = line
    info = tarfile.TarInfo("d" * (200 << 20))
    info.size = len(body)
    tar.addfile(info, io.BytesIO(body))
open(f"{out}/longname/long.tar.gz", "wb").write(buffer.getvalue())
PY
cp "$dir/flood/tokens.txt.gz" "$dir/history/"
git -C "$dir/history" init -q
git -C "$dir/history" add -A
git -C "$dir/history" -c user.name=bench -c user.email=bench@example.org commit -qm flood

echo "| input | on disk | time | peak memory | exit | findings |"
echo "| --- | --- | --- | --- | --- | --- |"
run() {
  local name=$1 size=$2; shift 2
  local report=$dir/report.json code=0
  /usr/bin/time -o "$dir/time" -f "%e %M" "$bin" --quiet --format json -o "$report" "$@" \
    >/dev/null 2>&1 || code=$?
  local seconds kilobytes found
  read -r seconds kilobytes < <(tail -1 "$dir/time")
  found=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['findings']))" "$report")
  echo "| $name | $size | ${seconds} s | $((kilobytes / 1024)) MB | $code | $found |"
}
size() { du -h "$1" | cut -f1; }
run "200 MiB of tokens, gzipped" "$(size "$dir/flood/tokens.txt.gz")" "$dir/flood"
run "the same, committed (--history)" "$(size "$dir/flood/tokens.txt.gz")" --history "$dir/history"
run "notebook of 100M cells, gzipped" "$(size "$dir/notebook/cells.ipynb.gz")" "$dir/notebook"
run "tar.gz with a 200 MiB member name" "$(size "$dir/longname/long.tar.gz")" "$dir/longname"
