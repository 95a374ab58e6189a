#!/usr/bin/env python3
"""An artifact-heavy tree for the content-layer benchmark (bench/artifacts.sh).

Wheels, source tarballs, pickles, torch-style checkpoints, docker-save images and plain source
files, made with Python's own zipfile, tarfile, gzip and pickle, about 300 MB at --scale 1. Some
hold a fake token (letters only, as real Hugging Face tokens are, so every scanner's pattern
accepts it); the list is written to tokens.txt beside the tree, outside it.

    python3 bench/gen_artifacts.py /tmp/artifacts [--scale 1]
"""
import gzip
import io
import os
import pickle
import random
import sys
import tarfile
import zipfile

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
WORDS = (
    "import def return self model config tokenizer dataset train eval batch optimizer "
    "scheduler torch numpy loss logits attention hidden layer embedding forward output "
    "input weight bias dropout learning rate epoch step checkpoint save load push hub"
).split()
DATE = (2024, 1, 2, 3, 4, 6)

rng = random.Random(7)
tokens = []


def token():
    value = "hf_" + "".join(rng.choice(LETTERS) for _ in range(34))
    tokens.append(value)
    return value


def source_text(size):
    """Python-looking lines: compresses like real source (about 4:1)."""
    lines, total = [], 0
    while total < size:
        line = "    " * rng.randrange(3) + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12)))
        lines.append(line)
        total += len(line) + 1
    return ("\n".join(lines) + "\n").encode()


def with_token(data):
    return data + f'\nHF_TOKEN = "{token()}"\n'.encode()


def tar_of(members, compress):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1704164646
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0) if compress else raw.getvalue()


def zip_of(members, method):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, DATE), data, compress_type=method)
    return out.getvalue()


def main():
    root = sys.argv[1]
    scale = float(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1.0
    count = lambda n: max(1, int(n * scale))
    os.makedirs(root, exist_ok=True)

    def write(relative, data):
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(data)

    for i in range(count(40)):  # wheels: 30 modules of 60 KB, deflated
        modules = [(f"pkg{i}/mod{j}.py", source_text(60_000)) for j in range(30)]
        if i % 4 == 0:
            modules[7] = (modules[7][0], with_token(modules[7][1]))
        write(f"dist/pkg{i}-1.0-py3-none-any.whl", zip_of(modules, zipfile.ZIP_DEFLATED))
    for i in range(count(20)):  # source tarballs: 50 files of 80 KB
        files = [(f"src{i}-1.0/file{j}.py", source_text(80_000)) for j in range(50)]
        if i % 4 == 1:
            files.append((f"src{i}-1.0/.env", with_token(b"DEBUG=1")))
        write(f"releases/src{i}-1.0.tar.gz", tar_of(files, True))
    for i in range(count(30)):  # pickles of training state: 3000 strings each
        state = {f"key{j}": " ".join(rng.choice(WORDS) for _ in range(8)) for j in range(3000)}
        if i % 3 == 0:
            state["hub_token"] = token()
        write(f"runs/run{i}/state.pkl", pickle.dumps(state, protocol=2 + i % 3))
    for i in range(count(8)):  # torch-style checkpoints: stored zip, pickle + 8 MB of weights
        args = {"output_dir": f"out{i}", "learning_rate": 5e-5}
        if i % 2 == 0:
            args["hub_token"] = token()
        members = [
            ("archive/data.pkl", pickle.dumps(args, protocol=2)),
            ("archive/data/0", rng.randbytes(8 << 20)),
            ("archive/version", b"3\n"),
        ]
        write(f"runs/run{i}/training_args.bin", zip_of(members, zipfile.ZIP_STORED))
    for i in range(count(4)):  # docker save: three gzip layers of 60 files each
        layers = []
        for k in range(3):
            files = [(f"app/layer{k}/f{j}.py", source_text(60_000)) for j in range(60)]
            if k == 2 and i % 2 == 0:
                files.append(("root/.cache/huggingface/token", token().encode()))
            layers.append((f"blobs/sha256/layer{i}{k}", tar_of(files, True)))
        write(f"images/image{i}.tar", tar_of([("manifest.json", b"[]")] + layers, False))
    for i in range(count(300)):  # plain source files
        data = source_text(50_000)
        write(f"src/module{i}.py", with_token(data) if i % 50 == 0 else data)

    with open(os.path.join(os.path.dirname(os.path.abspath(root)), "artifact-tokens.txt"), "w") as out:
        out.write("\n".join(tokens) + "\n")
    print(f"{len(tokens)} tokens")


if __name__ == "__main__":
    main()
