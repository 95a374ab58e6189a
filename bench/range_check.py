#!/usr/bin/env python3
"""Checks hf-scan's ranges on a real repository against the rule, with git's command line.

Usage: bench/range_check.py HF_SCAN GITDIR [A..B ...]   (default: consecutive release tags)

For each range it runs `hf-scan --range A..B` and checks two properties:
- every full-history finding (`hf-scan --history`) whose commit lies in the range is reported;
- every finding the range reports is an addition: the commit's blob at the path holds the
  token, no parent's blob at the path does, and the commit did not delete (from its first
  parent) a path whose blob held it.
It prints one line per range: commits, findings, and whether both properties hold.
"""
import json
import subprocess
import sys


def git(gitdir, *args):
    return subprocess.run(
        ["git", "--git-dir", gitdir, *args], capture_output=True, check=True
    ).stdout


def scan(hf_scan, gitdir, *args):
    run = subprocess.run(
        [hf_scan, *args, "--format", "json", "--show-secrets", "--quiet", gitdir],
        capture_output=True,
    )
    if run.returncode not in (0, 1, 2) or not run.stdout:
        sys.exit(f"hf-scan {args} failed: {run.stderr.decode()}")
    report = json.loads(run.stdout)
    return {
        (f["commit"]["id"], f["location"]["path"], f["secret"])
        for f in report["findings"]
        if f["location"].get("path") and f.get("commit")
    }


def blob_holds(gitdir, commit, path, token):
    try:
        return token.encode() in git(gitdir, "show", f"{commit}:{path}")
    except subprocess.CalledProcessError:
        return False


def is_addition(gitdir, commit, path, token):
    parents = git(gitdir, "rev-list", "--parents", "-n1", commit).split()[1:]
    if not blob_holds(gitdir, commit, path, token):
        return False
    if any(blob_holds(gitdir, p.decode(), path, token) for p in parents):
        return False
    if parents:
        first = parents[0].decode()
        deleted = git(
            gitdir, "diff", "--no-renames", "--name-only", "--diff-filter=D", first, commit
        ).decode().splitlines()
        if any(blob_holds(gitdir, first, gone, token) for gone in deleted):
            return False
    return True


def main():
    hf_scan, gitdir, *ranges = sys.argv[1:]
    if not ranges:
        tags = git(gitdir, "tag", "--list", "v*.0", "--sort=v:refname").decode().split()
        tags = [t for t in tags if "rc" not in t]
        ranges = [f"{a}..{b}" for a, b in zip(tags, tags[1:])]
    full = scan(hf_scan, gitdir, "--history")
    failures = 0
    for spec in ranges:
        inside = set(git(gitdir, "rev-list", spec).decode().split())
        got = scan(hf_scan, gitdir, "--range", spec)
        missing = {f for f in full if f[0] in inside} - got
        not_added = {f for f in got if not is_addition(gitdir, *f)}
        ok = not missing and not not_added
        failures += not ok
        print(
            f"{spec}: {len(inside)} commits, {len(got)} findings"
            f" ({', '.join(sorted(f'{p}@{c[:10]}' for c, p, _ in got)) or 'none'})"
            f"{'' if ok else f' MISSING {len(missing)} NOT-ADDED {len(not_added)}'}"
        )
    print(f"{len(ranges)} ranges, {failures} failing")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
