#!/usr/bin/env python3
"""Writes a zstd Parquet file of about SIZE bytes (default 1 GiB) of text rows with pyarrow:
PLAIN pages (no dictionary), the way a large text dataset is stored.

    python bench/parquet_big.py OUT.parquet [SIZE]
"""
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

path = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 30
rng = np.random.default_rng(1)
words = np.array(
    ["".join(chr(97 + c) for c in rng.integers(0, 26, rng.integers(3, 12))) for _ in range(50000)]
)
schema = pa.schema([("text", pa.string()), ("id", pa.int64())])
writer = pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=False)
rows = 0
while os.path.getsize(path) < target:
    text = [" ".join(r) for r in words[rng.integers(0, len(words), (200000, 8))]]
    writer.write_table(pa.table({"text": text, "id": np.arange(rows, rows + len(text))}))
    rows += len(text)
writer.close()
print(os.path.getsize(path), "bytes,", rows, "rows")
