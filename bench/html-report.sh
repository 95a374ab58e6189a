#!/usr/bin/env bash
# What the HTML report costs next to JSON on many findings: a tree of 1,000 files holding
# 10,000 fake tokens (made here, at run time), scanned by one hyperfine run per format, and the
# size of each report. Usage: bash bench/html-report.sh [HF_SCAN_BINARY]
set -euo pipefail
binary=${1:-target/release/hf-scan}
data=$(mktemp -d)
out=$(mktemp -d)
trap 'rm -rf "$data" "$out"' EXIT
python3 - "$data" <<'PY'
import pathlib, random, sys
root = pathlib.Path(sys.argv[1])
rng = random.Random(14)
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
for f in range(1000):
    folder = root / f"pkg{f % 40}"
    folder.mkdir(exist_ok=True)
    lines = [f"TOKEN_{i} = 'hf_{''.join(rng.choice(alphabet) for _ in range(34))}'" for i in range(10)]
    (folder / f"settings{f}.py").write_text("\n".join(lines) + "\n")
PY
hyperfine -N -w 2 -r 10 \
  "$binary --format json -o $out/report.json $data" \
  "$binary --format html -o $out/report.html $data" -i
ls -l "$out/report.json" "$out/report.html" | awk '{print $5, $NF}'
