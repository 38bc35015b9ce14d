"""Drive a Taguette server over HTTP as a benchmark peer for `bench/evidence_bench.py`.

Taguette is never a dependency of Chorus and none of its code is used here: this script runs
with Taguette's own interpreter, in its own virtual environment (by default
/tmp/taguette-venv, made by `evidence_bench.py` or by hand with
`python3 -m venv /tmp/taguette-venv && /tmp/taguette-venv/bin/pip install taguette`), and only
starts the `taguette` command and talks to it over HTTP on localhost, as its web interface does:

- single-user mode (`taguette --no-browser --database FILE --port N`), signed in with the token
  the server prints, then the XSRF cookie as the browser gets it;
- a project made through the "new project" form;
- each document uploaded with POST /api/project/P/document/new (timed: this is the import);
- each tag made with POST /api/project/P/tag/new;
- a first batch of highlights made with POST /api/project/P/document/D/highlight/new; the rest
  (hundreds of thousands: a request each would take hours) are inserted straight into Taguette's
  SQLite database with the same columns, each with a snippet shaped as Taguette's own
  (`<p>text</p>` per paragraph touched);
- highlights of a tag fetched with GET /api/project/P/highlights/PATH?page=1 (timed: Taguette's
  highlights view, 50 a page with the page count, the same page size as Chorus).

Only the Python standard library is used besides the `taguette` command itself.

Run: /tmp/taguette-venv/bin/python bench/taguette_peer.py MANIFEST.json RESULT.json
MANIFEST.json: {"workdir": dir, "documents": [{"name", "path"}], "tags": [path, ...],
"highlights": TSV file of "document index, tag index, start, end" in codepoints of the
paragraphs joined by blank lines (as Chorus stores the text), "http_highlights": N,
"queries": [tag index, ...], "warmup": [tag index, ...]}
"""

# ruff: noqa: S603, S310 - our own commands and a localhost URL

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


class Peer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.database = workdir / "taguette.sqlite3"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = Path(sys.executable).with_name("taguette")
        log = (self.workdir / "taguette-server.log").open("w")
        self.process = subprocess.Popen(
            [
                *(str(command), "--no-browser", "--database", str(self.database)),
                *("--port", str(self.port), "--bind", "127.0.0.1"),
            ],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        deadline = time.monotonic() + 120
        url = None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                if self.process.poll() is not None:
                    raise SystemExit(f"taguette exited; see {self.workdir}/taguette-server.log")
                continue
            match = re.search(r"(http://\S+\?token=\S+)", line)
            if match:
                url = match.group(1)
                break
        if url is None:
            raise SystemExit("taguette did not print its sign-in link in time")
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]
        self.opener.open(f"{self.base}/?token={token}").read()  # sets the signed user cookie
        self.opener.open(f"{self.base}/project/new").read()  # sets the _xsrf cookie

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    @property
    def xsrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "_xsrf")

    def request(self, method: str, path: str, body: bytes | None = None, content_type=""):
        headers = {"X-XSRFToken": self.xsrf}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(
            self.base + path, data=body, method=method, headers=headers
        )
        with self.opener.open(request) as response:
            return response.geturl(), response.read()

    def json(self, method: str, path: str, payload=None):
        body = None if payload is None else json.dumps(payload).encode()
        _url, data = self.request(method, path, body, "application/json" if body else "")
        return json.loads(data)

    def create_project(self) -> int:
        form = urllib.parse.urlencode(
            {"name": "Chorus bench", "description": "peer", "_xsrf": self.xsrf}
        ).encode()
        url, _data = self.request("POST", "/project/new", form, "application/x-www-form-urlencoded")
        return int(re.search(r"/project/(\d+)", url).group(1))

    def upload(self, project: int, name: str, filename: str, data: bytes) -> int:
        boundary = uuid.uuid4().hex
        parts = []
        for field, value in (("name", name), ("description", "")):
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: text/html\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        _url, answer = self.request(
            "POST",
            f"/api/project/{project}/document/new",
            b"".join(parts),
            f"multipart/form-data; boundary={boundary}",
        )
        return json.loads(answer)["created"]


def _paragraphs(path: str) -> list[str]:
    return [html.unescape(p) for p in PARAGRAPH.findall(Path(path).read_text("utf-8"))]


class Offsets:
    """Map Chorus offsets (paragraphs joined by blank lines) to Taguette's: UTF-8 bytes of the
    text without the blank lines, as Taguette counts them over the text of its HTML."""

    def __init__(self, paragraphs: list[str]):
        self.paragraphs = paragraphs
        self.starts = []
        position = 0
        for paragraph in paragraphs:
            self.starts.append(position)
            position += len(paragraph) + 2
        self.plain = "".join(paragraphs)

    def locate(self, offset: int) -> tuple[int, int]:
        """Return (paragraph index, codepoint offset inside it), clamped to the paragraph."""
        index = max(0, next((i for i, s in enumerate(self.starts) if s > offset), 0) - 1)
        if offset >= self.starts[-1]:
            index = len(self.starts) - 1
        return index, min(offset - self.starts[index], len(self.paragraphs[index]))

    def to_taguette(self, start: int, end: int) -> tuple[int, int, str]:
        (first, a), (last, b) = self.locate(start), self.locate(end)
        plain_start = sum(len(p) for p in self.paragraphs[:first]) + a
        plain_end = sum(len(p) for p in self.paragraphs[:last]) + b
        if plain_end <= plain_start:
            plain_end = plain_start + 1
        pieces = []
        for index in range(first, last + 1):
            low = a if index == first else 0
            high = b if index == last else len(self.paragraphs[index])
            pieces.append(f"<p>{html.escape(self.paragraphs[index][low:high], quote=False)}</p>")
        byte_start = len(self.plain[:plain_start].encode())
        byte_end = byte_start + len(self.plain[plain_start:plain_end].encode())
        return byte_start, byte_end, "".join(pieces)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    manifest = json.loads(Path(sys.argv[1]).read_text())
    workdir = Path(manifest["workdir"])
    workdir.mkdir(parents=True, exist_ok=True)
    peer = Peer(workdir)
    result: dict = {}
    try:
        peer.start()
        version = subprocess.run(
            [str(Path(sys.executable).with_name("taguette")), "--version"],
            capture_output=True,
            text=True,
        )
        result["version"] = (version.stdout or version.stderr).strip()
        project = peer.create_project()

        documents = manifest["documents"]
        payloads = [
            (d["name"], Path(d["path"]).name, Path(d["path"]).read_bytes()) for d in documents
        ]
        ids = []
        samples = []
        started = time.perf_counter()
        for name, filename, data in payloads:
            begun = time.perf_counter()
            ids.append(peer.upload(project, name, filename, data))
            samples.append((time.perf_counter() - begun) * 1000)
        result["import_seconds"] = time.perf_counter() - started
        result["import_ms_p50"] = statistics.median(samples)
        result["documents"] = len(ids)

        tag_ids = [
            peer.json("POST", f"/api/project/{project}/tag/new", {"path": p, "description": ""})[
                "id"
            ]
            for p in manifest["tags"]
        ]

        offsets: dict[int, Offsets] = {}
        rows = []
        with open(manifest["highlights"]) as handle:
            for line in handle:
                doc, tag, start, end = map(int, line.split("\t"))
                if doc not in offsets:
                    offsets[doc] = Offsets(_paragraphs(documents[doc]["path"]))
                rows.append((doc, tag, *offsets[doc].to_taguette(start, end)))
        through_http = min(int(manifest.get("http_highlights", 0)), len(rows))
        http_samples = []
        for doc, tag, byte_start, byte_end, _snippet in rows[:through_http]:
            begun = time.perf_counter()
            peer.json(
                "POST",
                f"/api/project/{project}/document/{ids[doc]}/highlight/new",
                {"start_offset": byte_start, "end_offset": byte_end, "tags": [tag_ids[tag]]},
            )
            http_samples.append((time.perf_counter() - begun) * 1000)
        if http_samples:
            result["highlight_http_ms_p50"] = statistics.median(http_samples)
        connection = sqlite3.connect(peer.database, timeout=60)
        with connection:
            next_id = connection.execute("SELECT COALESCE(MAX(id), 0) FROM highlights").fetchone()
            first = next_id[0] + 1
            connection.executemany(
                "INSERT INTO highlights (id, document_id, start_offset, end_offset, snippet) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (first + i, ids[doc], s, e, snippet)
                    for i, (doc, _tag, s, e, snippet) in enumerate(rows[through_http:])
                ),
            )
            connection.executemany(
                "INSERT INTO highlight_tags (highlight_id, tag_id) VALUES (?, ?)",
                ((first + i, tag_ids[row[1]]) for i, row in enumerate(rows[through_http:])),
            )
        connection.close()
        result["highlights"] = len(rows)

        def fetch(tag: int) -> tuple[float, int, int]:
            path = urllib.parse.quote(manifest["tags"][tag], safe="")
            begun = time.perf_counter()
            answer = peer.json("GET", f"/api/project/{project}/highlights/{path}?page=1")
            return (time.perf_counter() - begun) * 1000, len(answer["highlights"]), answer["pages"]

        for tag in manifest.get("warmup", []):
            fetch(tag)
        timings, pages = [], {}
        for tag in manifest["queries"]:
            elapsed, shown, page_count = fetch(tag)
            timings.append(elapsed)
            pages[manifest["tags"][tag]] = page_count
            assert shown == 50 or page_count <= 1, (tag, shown, page_count)
        result["retrieval_ms"] = timings
        result["retrieval_pages"] = pages
        result["retrieval_ms_p50"] = statistics.median(timings)
        result["retrieval_ms_p95"] = percentile(timings, 0.95)
    finally:
        peer.stop()
    Path(sys.argv[2]).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("LC_ALL", "C.UTF-8")
    main()
