#!/usr/bin/env python3
"""Prints each command's median wall time from a hyperfine JSON export, and each one's ratio to
the last command (the reference: ripgrep, or git cat-file)."""
import json
import sys

results = json.load(open(sys.argv[1]))["results"]
reference = results[-1]["median"]
for result in results:
    print(f"median {result['median'] * 1000:8.1f} ms  {result['median'] / reference:5.2f}x  {result['command']}")
