#!/usr/bin/env python3
"""Prints each command's median wall time from a hyperfine JSON export, and each one's ratio to
a reference command: the last one (ripgrep, or git cat-file), or the one whose index is given
as the second argument (0 for the first)."""
import json
import sys

results = json.load(open(sys.argv[1]))["results"]
reference = results[int(sys.argv[2]) if len(sys.argv) > 2 else -1]["median"]
for result in results:
    print(f"median {result['median'] * 1000:8.1f} ms  {result['median'] / reference:5.2f}x  {result['command']}")
