"""The hostile inputs of bench/hostile.sh (issue 21), each small on disk.

    python3 bench/hostile_inputs.py OUT            every input, under OUT/<kind>/
    python3 bench/hostile_inputs.py --chain REPO N  a repository of one 4 MiB file in N versions
"""
import bz2
import gzip
import io
import os
import random
import string
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib

rng = random.Random(21)


def token():
    # Letters only, as every real Hub token is; made here, never committed.
    return "hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))


def inputs(out):
    line = (token() + "\n").encode()
    # 200 MiB of token lines, gzipped (about 610 KB).
    with gzip.open(f"{out}/flood/tokens.txt.gz", "wb", compresslevel=9) as f:
        block = line * 10000
        for _ in range((200 << 20) // len(block)):
            f.write(block)
    # A notebook of `{},` x 100M cells, gzipped (about 300 KB).
    with gzip.open(f"{out}/notebook/cells.ipynb.gz", "wb", compresslevel=9) as f:
        f.write(b'{"cells": [')
        block = b"{}," * 1_000_000
        for _ in range(100):
            f.write(block)
        f.write(b'{"source": "' + token().encode() + b'"}]}')
    # A tar.gz whose one member has a 200 MiB GNU long name.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("d" * (200 << 20))
        info.size = len(line)
        tar.addfile(info, io.BytesIO(line))
    open(f"{out}/longname/long.tar.gz", "wb").write(buffer.getvalue())
    # A tar of eight bzip2 bombs, 1 GiB of zeros each (about 20 KB).
    compressor = bz2.BZ2Compressor(9)
    zeros = b"\0" * (1 << 20)
    bomb = b"".join(compressor.compress(zeros) for _ in range(1024)) + compressor.flush()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for index in range(8):
            info = tarfile.TarInfo(f"bomb{index}.bz2")
            info.size = len(bomb)
            tar.addfile(info, io.BytesIO(bomb))
    open(f"{out}/bzip2/bombs.tar", "wb").write(buffer.getvalue())
    # One 1 GiB deflate stream of text named by eight central-directory entries (about 2.6 MB).
    # Text that repeats within deflate's 32 KiB window, so 1 GiB packs to about a megabyte.
    text = b"".join(
        ("%08d %s\n" % (i, "".join(rng.choice("abcdef") for _ in range(40)))).encode()
        for i in range(500)
    ) * 40
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    size, crc, parts = 0, 0, []
    while size < (1 << 30):
        parts.append(compressor.compress(text))
        crc = zlib.crc32(text, crc)
        size += len(text)
    deflated = b"".join(parts) + compressor.flush()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated),
                        size, 5, 0) + b"a.txt"
    body = local + deflated
    central = b""
    for index in range(8):
        name = f"a{index}.txt".encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                               len(deflated), size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 8, 8, len(central), len(body), 0)
    open(f"{out}/zipshared/shared.zip", "wb").write(body + central + end)
    # A gzipped pickle of 341M one-byte string opcodes, a token at the end.
    with gzip.open(f"{out}/pickle/flood.pkl.gz", "wb", 9) as f:
        f.write(b"\x80\x02]")
        block = b"U\x01aa" * 1_000_000
        for _ in range(341):
            f.write(block)
        secret = token().encode()
        f.write(b"X" + struct.pack("<I", len(secret)) + secret + b"a.")
    # A PowerShell transcript (UTF-16LE) continued by cmd's `>>` in ASCII.
    with open(f"{out}/utf16/log.txt", "wb") as f:
        f.write(b"\xff\xfe" + "PS C:\\> python train.py\r\nok\r\n".encode("utf-16-le"))
        f.write(("C:\\> echo HF_TOKEN=%s >> log.txt\r\n" % token()).encode())
    # Tokens where archives keep metadata and bytes outside members.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 8
        info.pax_headers = {"comment": token()}
        tar.addfile(info, io.BytesIO(b"nothing\n"))
        link = tarfile.TarInfo("latest")
        link.type = tarfile.SYMTYPE
        link.linkname = token()
        tar.addfile(link)
    open(f"{out}/metadata/meta.tar", "wb").write(buffer.getvalue() + token().encode() + b"\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "nothing\n")
        link = zipfile.ZipInfo("link")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, token())
        archive.comment = ("built with " + token()).encode()
    open(f"{out}/metadata/meta.zip", "wb").write(buffer.getvalue() + token().encode() + b"\n")
    with open(f"{out}/metadata/named.gz", "wb") as raw:
        with gzip.GzipFile(filename=token() + ".txt", mode="wb", fileobj=raw) as f:
            f.write(b"nothing\n")
    for index in range(3):
        open(f"{out}/threads/f{index}.txt", "w").write("nothing\n")


def chain(repo, versions):
    """One 4 MiB file in `versions` versions, each its own commit (git fast-import)."""
    subprocess.run(["git", "init", "-q", repo], check=True)
    lines = [("%08d %s\n" % (i, "".join(rng.choice("abcdefghij") for _ in range(60))))
             for i in range((4 << 20) // 70)]
    stream = io.BytesIO()
    for version in range(versions):
        lines[rng.randrange(len(lines))] = "changed %d\n" % version
        body = "".join(lines).encode()
        stream.write(b"blob\nmark :%d\ndata %d\n" % (2 * version + 1, len(body)) + body + b"\n")
        stream.write(b"commit refs/heads/main\nmark :%d\ncommitter b <b@example.org> %d +0000\n"
                     b"data 2\nv\n" % (2 * version + 2, 1700000000 + version))
        if version:
            stream.write(b"from :%d\n" % (2 * version))
        stream.write(b"M 100644 :%d big.txt\n\n" % (2 * version + 1))
    subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=stream.getvalue(),
                   check=True)
    subprocess.run(["git", "-C", repo, "checkout", "-q", "main"], check=True)


if __name__ == "__main__":
    if sys.argv[1] == "--chain":
        chain(sys.argv[2], int(sys.argv[3]))
    else:
        inputs(sys.argv[1])
