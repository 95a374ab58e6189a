#!/usr/bin/env python3
"""Fails when a package in the resolved dependency tree (dev-dependencies included) needs a
newer Rust than Cargo.toml's `rust-version` claims. Reads `cargo metadata --format-version 1`
on standard input."""
import json
import re
import sys

metadata = json.load(sys.stdin)
claimed_text = re.search(r'^rust-version = "([0-9.]+)"', open("Cargo.toml").read(), re.M).group(1)


def version(text):
    return tuple(int(part) for part in text.split("."))[:2]


used = {node["id"] for node in metadata["resolve"]["nodes"]}
needs = sorted(
    (version(package["rust_version"]), package["name"], package["version"])
    for package in metadata["packages"]
    if package.get("rust_version") and package["id"] in used
)
newest, name, package_version = needs[-1]
if newest > version(claimed_text):
    sys.exit(
        f"Cargo.toml says rust-version {claimed_text}, but {name} {package_version} needs "
        f"{'.'.join(map(str, newest))}"
    )
print(f"rust-version {claimed_text}: the newest requirement is {name} {package_version} "
      f"({'.'.join(map(str, newest))})")
