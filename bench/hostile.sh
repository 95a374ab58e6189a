#!/usr/bin/env bash
# Hostile-input benchmark: 16 MiB files made of nothing but encoded prefixes, against 16 MiB of
# ordinary source-like text, single-threaded, hf-scan and ripgrep on the same files in one
# hyperfine run. Every input must stay linear (issue 8: within a small factor of ordinary text).
#
#   bash bench/hostile.sh [DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-/tmp/hf-scan-bench-hostile}
command -v hyperfine >/dev/null && command -v rg >/dev/null || {
  echo "needs hyperfine and ripgrep (apt-get install hyperfine ripgrep)" >&2; exit 2; }
cargo build --release --manifest-path "$here/../Cargo.toml" >/dev/null
bin="$here/../target/release/hf-scan"
mkdir -p "$dir"
python3 - "$dir" <<'PY'
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
  commands+=("$bin -j1 --quiet $dir/$name" "rg -j1 -a -F -c hf_ $dir/$name")
done
json=$(mktemp)
hyperfine -N --warmup 1 --runs 5 -i --export-markdown "$json.md" --export-json "$json" "${commands[@]}"
cat "$json.md"
echo "Ratios to hf-scan on ordinary text:"
python3 "$here/medians.py" "$json" 0
rm -f "$json" "$json.md"
