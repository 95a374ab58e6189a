#!/usr/bin/env python3
"""Writes artifacts the way the ML libraries write them, each holding fake tokens, and lists
what each holds in `tokens.json`: `bench/ml-artifacts.sh` installs the pinned libraries and
checks that hf-scan finds every token.

    python bench/ml_artifacts.py OUT              # the benchmark set
    python bench/ml_artifacts.py --fixtures OUT   # the small set committed in fixtures/formats

Every value is seeded, so the tokens are the same from run to run; the bytes are the
libraries' own and change between their versions (the committed fixtures are checked for what
they hold, not byte for byte).

Most tokens sit where a plain search misses them: in a compressed page or buffer, or glued to
the next value (`a1hf_…zz0`) where only the format's own bounds separate them. Values around
them sort before and after them, so no statistic (a page's minimum or maximum) shows them.
"""
import json
import os
import random
import sqlite3
import string
import subprocess
import sys

rng = random.Random(20261203)
LETTERS = string.ascii_letters


def token():
    # Letters only, like every real Hub token in public view.
    return "hf_" + "".join(rng.choice(LETTERS) for _ in range(34))


def around(tok, count):
    """`count` values before the token and after it, sorting below and above it."""
    return ["a%d" % i for i in range(count)] + [tok] + ["zz%d" % i for i in range(count)]


class Out:
    def __init__(self, root):
        self.root = root
        self.tokens = {}
        os.makedirs(root, exist_ok=True)

    def path(self, name):
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def expect(self, name, tok, holds):
        entry = self.tokens.setdefault(name, {"tokens": [], "holds": []})
        entry["tokens"].append(tok)
        entry["holds"].append(holds)

    def save(self):
        with open(os.path.join(self.root, "tokens.json"), "w") as f:
            json.dump(self.tokens, f, indent=1, sort_keys=True)
            f.write("\n")


def parquet(out, count, fixtures):
    import pyarrow as pa
    import pyarrow.parquet as pq

    codecs = ["NONE", "SNAPPY", "GZIP", "BROTLI", "ZSTD", "LZ4"]
    # One file, one column per codec (pyarrow takes a codec per column).
    columns, compression = {}, {}
    for codec in codecs:
        tok = token()
        columns[codec.lower()] = around(tok, count)
        compression[codec.lower()] = codec
        out.expect("pyarrow-codecs.parquet", tok, "one string column per codec, dictionary pages")
    pq.write_table(pa.table(columns), out.path("pyarrow-codecs.parquet"), compression=compression)
    for version in ["1.0", "2.0"]:
        name = "pyarrow-plain-v%s.parquet" % version
        columns = {}
        for codec in ["zstd", "gzip"]:
            tok = token()
            columns[codec] = around(tok, count)
            out.expect(name, tok, "PLAIN string pages, data page v%s" % version)
        pq.write_table(
            pa.table(columns),
            out.path(name),
            compression={"zstd": "ZSTD", "gzip": "GZIP"},
            use_dictionary=False,
            data_page_version=version,
        )
    for encoding in ["DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY"]:
        name = "pyarrow-%s.parquet" % encoding.lower().replace("_", "-")
        tok = token()
        # Values back to back: the token glued to the next (DELTA_LENGTH) or sharing a prefix
        # with its neighbours (DELTA_BYTE_ARRAY).
        values = ["hf_a%d" % i for i in range(count)] + [tok] + ["zz%d" % i for i in range(count)]
        pq.write_table(
            pa.table({"s": values}),
            out.path(name),
            use_dictionary=False,
            column_encoding={"s": encoding},
            compression="NONE" if fixtures else "ZSTD",
        )
        out.expect(name, tok, encoding + " values")
    tok = token()
    nested = [{"cfg": {"k": v}, "tags": [v, "x"]} for v in around(tok, count)]
    pq.write_table(pa.table({"n": nested}), out.path("pyarrow-nested.parquet"), compression="ZSTD")
    out.expect("pyarrow-nested.parquet", tok, "a struct and a list column")
    tok = token()
    table = pa.table({"a": [1, 2]}).replace_schema_metadata({"config": '{"token": "%s"}' % tok})
    pq.write_table(table, out.path("pyarrow-metadata.parquet"), compression="ZSTD")
    out.expect("pyarrow-metadata.parquet", tok, "the footer's key-value metadata")

    import polars as pl

    for codec in ["zstd", "lz4"] if fixtures else ["zstd", "lz4", "snappy", "gzip", "brotli"]:
        tok = token()
        name = "polars-%s.parquet" % codec
        pl.DataFrame({"s": around(tok, count)}).write_parquet(out.path(name), compression=codec)
        out.expect(name, tok, "polars, %s" % codec)
    if not fixtures:
        import pandas as pd

        tok = token()
        pd.DataFrame({"s": around(tok, count)}).to_parquet(out.path("pandas.parquet"))
        out.expect("pandas.parquet", tok, "pandas, its default (snappy)")


def arrow(out, count, fixtures):
    import pyarrow as pa
    import pyarrow.ipc as ipc
    import polars as pl

    for kind in ["file", "stream"]:
        for compression in [None, "lz4", "zstd"]:
            name = "pyarrow-%s-%s.arrow" % (kind, compression or "uncompressed")
            columns = {}
            for column, typ in [("s", pa.string()), ("l", pa.large_string()), ("d", None)]:
                tok = token()
                values = around(tok, count)
                columns[column] = (
                    pa.array(values).dictionary_encode() if typ is None else pa.array(values, typ)
                )
                out.expect(name, tok, "string, large_string and dictionary columns")
            table = pa.table(columns)
            options = ipc.IpcWriteOptions(compression=compression)
            writer = ipc.new_file if kind == "file" else ipc.new_stream
            with writer(out.path(name), table.schema, options=options) as w:
                w.write_table(table)
    for kind in ["file", "stream"]:
        for compression in ["uncompressed", "zstd"]:
            tok = token()
            name = "polars-%s-%s.arrow" % (kind, compression)
            frame = pl.DataFrame({"s": around(tok, count)})
            (frame.write_ipc if kind == "file" else frame.write_ipc_stream)(
                out.path(name), compression=compression
            )
            out.expect(name, tok, "polars string_view values")
    if not fixtures:
        import datasets

        tok = token()
        datasets.Dataset.from_dict({"text": around(tok, count)}).save_to_disk(out.path("dataset"))
        out.expect("dataset/data-00000-of-00001.arrow", tok, "datasets save_to_disk")


def numpy_and_joblib(out, count, fixtures):
    import numpy as np

    tok = token()
    np.save(out.path("unicode.npy"), np.array(around(tok, count)))
    out.expect("unicode.npy", tok, "a <U array")
    tok = token()
    np.save(out.path("bytes.npy"), np.array([v.encode() for v in around(tok, count)]))
    out.expect("bytes.npy", tok, "an |S array")
    tok = token()
    np.savez_compressed(out.path("arrays.npz"), names=np.array(around(tok, count)))
    out.expect("arrays.npz", tok, "savez_compressed")
    import joblib

    # Uncompressed: joblib writes each array's bytes raw inside the pickle, after its wrapper.
    values, config, more = token(), token(), token()
    joblib.dump(
        {
            "names": np.array(around(values, count)),
            "config": {"hf_token": config},
            "ids": np.arange(10),
            "labels": np.array([v.encode() for v in around(more, count)]),
        },
        out.path("arrays.joblib"),
    )
    out.expect("arrays.joblib", values, "a <U array inside joblib's pickle")
    out.expect("arrays.joblib", config, "a string after the arrays")
    out.expect("arrays.joblib", more, "an |S array after the others")
    if fixtures:
        return
    tok = token()
    joblib.dump({"hf_token": tok, "weights": list(range(100))}, out.path("model.joblib"), compress=3)
    out.expect("model.joblib", tok, "joblib compress=3 (zlib)")


def sqlite(out, count):
    path = out.path("settings.db")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    # SQLite's default; Debian's build turns it on, and then a deleted row is zeroed.
    db.execute("pragma secure_delete = 0")
    db.execute("create table settings (key text, value text)")
    tok = token()
    db.executemany("insert into settings values (?, ?)", [("k%d" % i, v) for i, v in enumerate(around(tok, count))])
    out.expect("settings.db", tok, "a row")
    tok = token()
    db.execute("insert into settings values ('long', ?)", ("x" * 5000 + " " + tok + " " + "y" * 5000,))
    out.expect("settings.db", tok, "a value on overflow pages")
    tok = token()
    db.execute("insert into settings values ('gone', ?)", (tok,))
    db.commit()
    db.execute("delete from settings where key = 'gone'")
    db.commit()
    db.close()
    out.expect("settings.db", tok, "a deleted row")


def tensorboard(out):
    from tensorboardX import SummaryWriter

    tok = token()
    writer = SummaryWriter(out.path("runs"))
    writer.add_text("config", "login with %s then train" % tok, 0)
    writer.close()
    name = [n for n in os.listdir(out.path("runs")) if n.startswith("events.out")][0]
    out.expect("runs/" + name, tok, "a text summary")


def seven_zip(out, fixtures):
    import py7zr

    methods = [("default", None), ("lzma2", "LZMA2"), ("lzma", "LZMA")]
    if not fixtures:
        methods += [("zstd", "ZSTD"), ("bzip2", "BZIP2"), ("deflate", "DEFLATE")]
    for label, method in methods:
        tok = token()
        name = "config-%s.7z" % label
        # py7zr's default is BCJ x86 over LZMA2, with the header LZMA2-compressed.
        options = {"filters": [{"id": getattr(py7zr, "FILTER_" + method)}]} if method else {}
        with py7zr.SevenZipFile(out.path(name), "w", **options) as archive:
            archive.writestr("x" * 1000, "padding.txt")
            archive.writestr("HF_TOKEN=%s\n" % tok, "app/.env")
        out.expect(name, tok, "py7zr, %s" % (method or "its default filters"))


def text_and_git(out):
    tok = token()
    with open(out.path("notes-utf32.txt"), "w", encoding="utf-32") as f:
        f.write("HF_TOKEN=%s\n" % tok)
    out.expect("notes-utf32.txt", tok, "UTF-32 text with a BOM")
    repo = out.path("repo")
    tok = token()
    subprocess.run(["git", "init", "-q", repo], check=True)
    with open(os.path.join(repo, "train.py"), "w") as f:
        f.write('HF_TOKEN = "%s"\n' % tok)
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a",
               GIT_COMMITTER_EMAIL="a@b")
    subprocess.run(["git", "-C", repo, "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", repo, "commit", "-qm", "x"], check=True, env=env)
    os.remove(os.path.join(repo, "train.py"))
    subprocess.run(["tar", "-C", out.root, "-cf", out.path("repo-loose.tar"), "repo"], check=True)
    out.expect("repo-loose.tar", tok, "a loose object in .git")
    subprocess.run(["git", "-C", repo, "gc", "-q", "--aggressive"], check=True, env=env)
    subprocess.run(["tar", "-C", out.root, "-cf", out.path("repo-packed.tar"), "repo"], check=True)
    out.expect("repo-packed.tar", tok, "a pack in .git")
    subprocess.run(["rm", "-rf", repo], check=True)


def main():
    args = sys.argv[1:]
    fixtures = "--fixtures" in args
    args = [a for a in args if a != "--fixtures"]
    if len(args) != 1:
        sys.exit(__doc__)
    out = Out(args[0])
    count = 40 if fixtures else 3000
    parquet(out, count, fixtures)
    arrow(out, count, fixtures)
    numpy_and_joblib(out, count, fixtures)
    seven_zip(out, fixtures)
    if not fixtures:
        sqlite(out, count)
        tensorboard(out)
        text_and_git(out)
    out.save()


if __name__ == "__main__":
    main()
