#!/usr/bin/env bash
# A 1 GiB zstd Parquet file (pyarrow, PLAIN text pages): hf-scan against `zstd -d` on the same
# pages' compressed bytes (every page is a zstd frame; bench/parquet_pages.py concatenates
# them). The goal: hf-scan within twice zstd's time.
#
#   bench/parquet-zstd.sh [SIZE]      # the venv of bench/ml-artifacts.sh (ML_VENV) is used
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1073741824}
venv=${ML_VENV:-target/ml-venv}
[ -x "$venv/bin/python" ] || { echo "run bench/ml-artifacts.sh first (it makes $venv)" >&2; exit 2; }
command -v hyperfine >/dev/null && command -v zstd >/dev/null || {
  echo "needs hyperfine and zstd (apt-get install hyperfine zstd)" >&2; exit 2; }
cargo build --release --locked >/dev/null
dir=${PARQUET_BENCH_DIR:-/tmp/hf-scan-parquet-bench}
mkdir -p "$dir"
[ -f "$dir/big.parquet" ] || "$venv/bin/python" bench/parquet_big.py "$dir/big.parquet" "$size"
[ -f "$dir/pages.zst" ] || python3 bench/parquet_pages.py "$dir/big.parquet" "$dir/pages.zst"
hyperfine --warmup 1 --runs 5 \
  "zstd -d -c -q $dir/pages.zst > /dev/null" \
  "target/release/hf-scan --quiet $dir/big.parquet"
