#!/usr/bin/env python3
"""Generates a git repository with a long history for benchmarking `hf-scan --history`.

Usage: gen_repo.py DIR [--commits N] [--files N] [--seed S]

Writes a `git fast-import` stream: a few thousand source-like files, then N commits that each
edit one to four of them, planting fake tokens now and then and removing them a few commits
later, on two branches merged back now and then. Repacks with deltas, as a real clone would be.
Prints how many distinct planted tokens the history holds. The tokens are random letters made
here; none was ever issued.
"""
import argparse
import os
import random
import string
import subprocess

# Letters only, as every real Hub token in public view is (digits appear only on the Hub's
# staging instance): the peers' rules (`hf_[a-zA-Z]{34}`) can match every planted token.
ALNUM = string.ascii_letters
WORDS = ("model tokenizer dataset hf_hub_download snapshot_download revision config batch loss "
         "optimizer scheduler epoch step device cuda hf_transfer upload_folder repo_id").split()


def line(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.dir)
    subprocess.run(["git", "init", "-q", "-b", "main", args.dir], check=True)
    files = {f"src/pkg{i % 40}/module_{i}.py": [line(rng) for _ in range(rng.randint(20, 120))]
             for i in range(args.files)}
    names = sorted(files)
    tokens = set()
    planted = {}  # path -> commits left before the token is removed
    stream = []
    mark = 0
    when = 1_600_000_000

    def blob(text):
        nonlocal mark
        mark += 1
        data = text.encode()
        stream.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
        return mark

    def commit(branch, message, changes, parents):
        nonlocal mark, when
        marks = [(path, blob("\n".join(files[path]) + "\n")) for path in changes]
        mark += 1
        when += 60
        msg = message.encode()
        head = b"commit refs/heads/%s\nmark :%d\nauthor Bench <bench@example.org> %d +0000\n" \
               b"committer Bench <bench@example.org> %d +0000\ndata %d\n%s\n" % (
                   branch.encode(), mark, when, when, len(msg), msg)
        stream.append(head)
        for i, parent in enumerate(parents):
            stream.append(b"%s :%d\n" % (b"from" if i == 0 else b"merge", parent))
        for path, blob_mark in marks:
            stream.append(b"M 100644 :%d %s\n" % (blob_mark, path.encode()))
        stream.append(b"\n")
        return mark

    tips = {"main": commit("main", "initial import", names, [])}
    tips["dev"] = tips["main"]
    for n in range(args.commits):
        branch = "dev" if n % 5 == 4 else "main"
        changed = rng.sample(names, rng.randint(1, 4))
        for path in changed:
            body = files[path]
            for _ in range(rng.randint(1, 3)):
                body[rng.randrange(len(body))] = line(rng)
            if path in planted:
                planted[path] -= 1
                if planted[path] <= 0:
                    body[:] = [l for l in body if "HF_TOKEN" not in l]
                    del planted[path]
            elif rng.random() < 0.004:
                token = "hf_" + "".join(rng.choice(ALNUM) for _ in range(34))
                tokens.add(token)
                body.insert(rng.randrange(len(body)), f'HF_TOKEN = "{token}"')
                planted[path] = rng.randint(1, 20)
        parents = [tips[branch]]
        if branch == "main" and n % 50 == 0 and tips["dev"] != tips["main"]:
            parents.append(tips["dev"])
        tips[branch] = commit(branch, f"change {n}", changed, parents)
    subprocess.run(["git", "-C", args.dir, "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", args.dir, "repack", "-a", "-d", "-q", "--depth=50", "--window=10"], check=True)
    subprocess.run(["git", "-C", args.dir, "checkout", "-q", "main"], check=True)
    print(f"{args.commits + 1} commits, {len(tokens)} distinct planted tokens")


if __name__ == "__main__":
    main()
