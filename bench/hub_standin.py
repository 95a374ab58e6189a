#!/usr/bin/env python3
"""A Hub stand-in on 127.0.0.1 for `bench/hub.sh`: the listing API for one author and git's
smart HTTP through `git http-backend` over the bare repositories under ROOT (and no buckets)
(`ROOT/<owner>/<name>` models, `ROOT/datasets/…`, `ROOT/spaces/…`). Prints its URL, then serves
until killed. For benchmarks only; the tests have their own stand-in (tests/common/hub.rs).

Usage: hub_standin.py ROOT
"""
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROOT = os.path.abspath(sys.argv[1])
KINDS = {"models": "", "datasets": "datasets/", "spaces": "spaces/"}


def repos(kind, author):
    base = os.path.join(ROOT, KINDS[kind].rstrip("/"), author) if KINDS[kind] else os.path.join(ROOT, author)
    if not os.path.isdir(base):
        return []
    return sorted(f"{author}/{name}" for name in os.listdir(base))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "api" and parts[1] in KINDS:
            author = parse_qs(url.query).get("author", [""])[0]
            body = json.dumps([{"id": repo} for repo in repos(parts[1], author)]).encode()
            return self.answer(200, [("Content-Type", "application/json")], body)
        if len(parts) == 3 and parts[:2] == ["api", "buckets"]:
            return self.answer(200, [("Content-Type", "application/json")], b"[]")
        if url.path.endswith(("/info/refs", "/git-upload-pack")):
            return self.git(url)
        self.answer(404, [], b"")

    def git(self, url):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": ROOT,
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "REMOTE_ADDR": "127.0.0.1",
        }
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, rest = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name and name.lower() != "content-length":
                headers.append((name, value.strip()))
        self.answer(status, headers, rest)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
