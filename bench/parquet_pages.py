#!/usr/bin/env python3
"""Concatenates the compressed bytes of every page of a Parquet file (each a zstd frame here),
walking page headers (Thrift compact) from the first page to the footer: what `zstd -d` is
timed on in bench/parquet-zstd.sh.

    python bench/parquet_pages.py FILE.parquet OUT.zst
"""
import sys
data = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
def varint(at):
    v = s = 0
    while True:
        b = data[at]; at += 1; v |= (b & 0x7f) << s; s += 7
        if b < 0x80: return v, at
def value(t, at):
    if t in (1, 2): return None, at
    if t == 3: return data[at], at + 1
    if t in (4, 5, 6):
        v, at = varint(at); return (v >> 1) ^ -(v & 1), at
    if t == 7: return None, at + 8
    if t == 8:
        n, at = varint(at); return None, at + n
    if t in (9, 10):
        h = data[at]; at += 1; n = h >> 4
        if n == 15: n, at = varint(at)
        for _ in range(n):
            if h & 15 in (1, 2): at += 1
            else: _, at = value(h & 15, at)
        return None, at
    if t == 12: return struct(at)
    raise ValueError(t)
def struct(at):
    fields, last = {}, 0
    while True:
        h = data[at]; at += 1
        if h == 0: return fields, at
        d = h >> 4
        if d == 0: raise ValueError("long field id")
        last += d
        v, at = value(h & 15, at)
        fields[last] = v if (h & 15) not in (1, 2) else (h & 15) == 1
at, pages, total = 4, 0, 0
while True:
    try:
        f, end = struct(at)
    except Exception:
        break
    if not isinstance(f.get(2), int) or not isinstance(f.get(3), int) or f.get(1) not in (0, 2, 3):
        break
    out.write(data[end:end + f[3]]); total += f[3]; pages += 1
    at = end + f[3]
print(pages, "pages,", total, "compressed bytes")
