#!/usr/bin/env python3
"""Compares a scan's JSON report with the `tokens.json` of `bench/ml_artifacts.py`: prints one
line per artifact (found, or missed and what it holds) and exits 1 if any token was missed.

    hf-scan --format json --show-secrets DIR | python bench/check_tokens.py DIR/tokens.json
"""
import json
import sys

expected = json.load(open(sys.argv[1]))
report = json.load(sys.stdin)
found = {}
for finding in report["findings"]:
    path = finding["location"]["path"].removeprefix("./")
    found.setdefault(path, set()).add(finding["secret"])
missed = 0
for name, entry in sorted(expected.items()):
    tokens = entry["tokens"]
    # A path as the scan names it: relative to the directory scanned.
    got = set().union(*(v for k, v in found.items() if k == name or k.endswith("/" + name)))
    lost = [t for t in tokens if t not in got]
    missed += len(lost)
    state = "found" if not lost else "MISSED %d of %d" % (len(lost), len(tokens))
    holds = ", ".join(
        dict.fromkeys(h for t, h in zip(tokens, entry["holds"]) if not lost or t in lost)
    )
    print("%-45s %-16s %s" % (name, state, holds))
total = sum(len(e["tokens"]) for e in expected.values())
print("%d of %d tokens found in %d artifacts" % (total - missed, total, len(expected)))
sys.exit(1 if missed else 0)
