#!/usr/bin/env bash
# Makes artifacts with the real ML libraries (pinned versions, in a venv of their own) and
# checks that hf-scan finds every token in them: Parquet (pyarrow, polars, pandas), Arrow IPC
# (pyarrow, polars, datasets), numpy and joblib, SQLite (sqlite3), TensorBoard event files
# (tensorboardX), 7z (py7zr), UTF-32 text, and repositories tarred with their .git.
#
#   bench/ml-artifacts.sh [HF_SCAN]     # default: target/release/hf-scan (built if missing)
#
# Prints one line per artifact (found, or MISSED and what it holds) and exits 1 if any token
# was missed. No torch: the pickles torch writes are covered by fixtures/make_artifacts.py.
set -euo pipefail
cd "$(dirname "$0")/.."
hf_scan=${1:-target/release/hf-scan}
[ -x "$hf_scan" ] || cargo build --release --locked
hf_scan=$(realpath "$hf_scan")
root=$PWD
venv=${ML_VENV:-target/ml-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q \
    pyarrow==26.0.1 polars==2.1.0 pandas==3.1.1 numpy==2.4.6 joblib==1.6.0 \
    datasets==5.2.0 tensorboardX==2.6.5 protobuf==7.36.2 py7zr==1.1.4
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$venv/bin/python" bench/ml_artifacts.py "$out/artifacts" >/dev/null 2>&1
cd "$out/artifacts"
status=0
"$hf_scan" --format json --show-secrets . > "$out/report.json" 2>/dev/null || status=$?
if [ "$status" -ne 1 ]; then
  echo "hf-scan exited $status (1 expected: tokens found)" >&2
  exit 1
fi
python3 "$root/bench/check_tokens.py" tokens.json < "$out/report.json"
