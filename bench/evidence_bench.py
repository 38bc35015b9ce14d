"""Benchmark the evidence workspace at scale: search, retrieval by code, DOCX import, Taguette.

Run: .venv/bin/python bench/evidence_bench.py [--transcripts 5000] [--codings 1000000]
     [--docx 1000] [--skip-taguette] [--profile-import]

1. A fresh SQLite database in a temporary directory; a study of 5 000 synthetic transcripts of
   about 10 000 characters each (English, French, Spanish, Russian, Chinese, mixed within a
   transcript; see bench/evidence_data.py), stored encrypted with bulk inserts and indexed one
   source at a time by `search.index_source`, the function every import calls; 48 codes in a
   tree; 1 000 000 codings by 3 coders inserted directly (setup only, not a code path measured).
2. `search.search_study` for five kinds of query (a Latin word, a Cyrillic word, a Chinese word
   of two and of four characters, a quoted phrase), 100 each after a warm-up, and
   `analysis.segments_for` (page 1, 50 a page, sub-codes included) for 100 random codes.
3. 1 000 generated .docx transcripts (the first 1 000 of the study) imported into a fresh study
   through `actions.sources_import_files`, one transaction each, as the web page and the
   `import_sources` command do: extraction (in worker processes, ahead of the storing),
   encryption, original file kept, indexing, audit.
4. The Taguette peer (unless --skip-taguette): the same 1 000 documents, as HTML, imported over
   HTTP into Chorus (its import page, served by a WSGI server on localhost; one file a request,
   then --batch files a request, as a multiple selection is sent) and into Taguette (its own
   server, driven by bench/taguette_peer.py in its own virtual environment); the same
   48 tags and 200 codings per document (200 000) on both sides; then the highlights of a tag,
   page 1, over HTTP on both sides. Taguette's virtual environment is made in
   /tmp/taguette-venv (or --taguette-venv) with `pip install taguette` when it is missing.
"""

# ruff: noqa: S311, S603, S607, S108 - repeatable fake data; the peer's commands are our own

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import evidence_data as data  # noqa: E402
from bench.registry_bench import DEVNULL, p95, setup  # noqa: E402

TARGETS = {"search_p95_ms": 100, "segments_p95_ms": 150, "docx_import_s": 60}
QUERIES = {
    "Latin word": ["decriminalisation", "dignité", "solidaridad", "funding", "syndicat"],
    "Cyrillic word": ["полиция", "солидарность", "права", "достоинство", "ёлка"],
    "Chinese, 2 characters": ["妇女", "联盟", "权利", "工作", "暴力"],
    "Chinese, 4 characters": ["性工作者", "妇女运动", "劳工权利", "性别平等", "社会正义"],
    "phrase": [
        '"sex workers"',
        '"police violence"',
        '"trabajadoras sexuales"',
        '"droits des travailleuses"',
        '"harm reduction"',
    ],
}
PER_PAGE = 50


def summary(samples: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples):7.1f}   p95 {p95(samples):7.1f}   "
        f"max {max(samples):7.1f} ms"
    )


def say(message: str) -> None:
    print(message, flush=True)


def _docx_file(args: tuple[int, str]) -> int:
    index, folder = args
    item = data.transcript(index)
    path = Path(folder) / f"interview-{index:05d}.docx"
    path.write_bytes(data.docx_bytes(item))
    return path.stat().st_size


def make_docx(count: int, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=2) as pool:
        return sum(pool.map(_docx_file, [(i, str(folder)) for i in range(count)], chunksize=20))


# Chorus setup


def build_team():
    """Return the study lead (who creates studies and codebooks) and three coders."""
    from chorus.core.models import Role, User

    return [
        User.objects.create_user(username=name, password=uuid.uuid4().hex, role=Role.RESEARCHER)
        for name in ("lead", "coder1", "coder2", "coder3")
    ]


def new_study(title: str, lead, coders):
    from chorus.evidence import actions
    from chorus.evidence.models import StudyRole

    study = actions.study_create(
        actor=lead, title=title, languages=["en", "fr", "es", "ru", "zh-hans"]
    )
    for coder in coders:
        actions.member_set(actor=lead, study=study, user=coder, role=StudyRole.CODER)
    return study


def build_codebook(lead, study) -> list:
    from chorus.evidence import actions

    codes: dict[str, object] = {}
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    for index, (name, parent) in enumerate(data.code_paths()):
        codes[name] = actions.code_create(
            actor=lead,
            study=study,
            parent=codes.get(parent),
            name=name,
            colour=palette[index % len(palette)],
        )
    return list(codes.values())


def load_sources(study, count: int) -> tuple[float, float, float, int]:
    """Bulk-insert `count` transcripts and index each; return generation, insert, index times."""
    from django.db import transaction

    from chorus.evidence import search
    from chorus.evidence.models import Source, SourceKind

    generating = inserting = indexing = 0.0
    paragraphs = 0
    chunk = 100
    for first in range(0, count, chunk):
        started = time.perf_counter()
        items = [data.transcript(i) for i in range(first, min(count, first + chunk))]
        generating += time.perf_counter() - started
        started = time.perf_counter()
        with transaction.atomic():
            sources = Source.objects.bulk_create(
                Source(
                    study=study,
                    kind=SourceKind.INTERVIEW,
                    title=item.title,
                    language=item.language,
                    text=item.text,
                    length=len(item.text),
                    file_format="txt",
                )
                for item in items
            )
            inserted = time.perf_counter()
            for source in sources:
                paragraphs += search.index_source(source)
        indexing += time.perf_counter() - inserted
        inserting += inserted - started
        if (first // chunk) % 10 == 9:
            print(f"  {first + chunk} sources", file=sys.stderr, flush=True)
    return generating, inserting, indexing, paragraphs


def insert_codings(rows, source_ids: list[int], code_ids: list[int], coder_ids: list[int]) -> int:
    """Insert codings straight into the table (setup, not a measured path); return how many."""
    from django.db import connection, transaction
    from django.utils import timezone

    from chorus.evidence.models import Coding

    q = connection.ops.quote_name
    columns = ", ".join(
        q(name) for name in ("source_id", "code_id", "start", "end", "coder_id", "created_at")
    )
    table = q(Coding._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    now = timezone.now()
    batch: list[tuple] = []
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for source, code, start, end, coder in rows:
            batch.append((source_ids[source], code_ids[code], start, end, coder_ids[coder], now))
            if len(batch) == 50_000:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


# Measurements through Python calls


def measure_search(study, repeat: int) -> dict[str, list[float]]:
    from chorus.evidence import search

    results: dict[str, list[float]] = {}
    for kind, queries in QUERIES.items():
        totals = {}
        for query in queries:  # warm-up, and the number of hits for the report
            found = search.search_study(study, query)
            totals[query] = f"{found.total}{'~' if found.estimated else ''}"
        samples = []
        for n in range(repeat):
            query = queries[n % len(queries)]
            started = time.perf_counter()
            search.search_study(study, query)
            samples.append((time.perf_counter() - started) * 1000)
        results[kind] = samples
        hits = ", ".join(f"{q} {t}" for q, t in totals.items())
        say(f"  search, {kind:<22} {summary(samples)}   (hits: {hits})")
    return results


def measure_segments(user, study, code_ids: list[int], repeat: int, seed: str):
    from chorus.evidence import analysis

    rng = random.Random(seed)
    picks = [rng.choice(code_ids) for _ in range(repeat)]
    for code in picks[:5]:
        analysis.segments_for(user, study, code_ids=[code], page=1, per_page=PER_PAGE)
    samples, totals = [], []
    for code in picks:
        started = time.perf_counter()
        page = analysis.segments_for(user, study, code_ids=[code], page=1, per_page=PER_PAGE)
        samples.append((time.perf_counter() - started) * 1000)
        totals.append(page.total)
        assert len(page.segments) == min(PER_PAGE, page.total)
    return picks, samples, totals


def import_docx(user, study, folder: Path, profile: bool):
    """Import the folder's DOCX files as `chorus import_sources` does; return time and gaps."""
    from chorus.evidence import actions
    from chorus.evidence.models import SourceKind

    files = sorted(folder.glob("*.docx"))
    profiler = cProfile.Profile() if profile else None
    samples = []
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    outcomes = actions.sources_import_files(
        actor=user,
        study=study,
        files=[(path.name, path.stat().st_size, path.read_bytes) for path in files],
        kind=SourceKind.INTERVIEW,
    )
    begun = time.perf_counter()
    for outcome in outcomes:
        assert outcome.source is not None, outcome.error
        # The time between two files' outcomes: what each file costs once the work overlaps.
        now = time.perf_counter()
        samples.append((now - begun) * 1000)
        begun = now
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        say(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        say(out.getvalue())
    return elapsed, samples, len(files)


# Chorus over HTTP, for the comparison with Taguette


class ChorusServer:
    """Chorus's WSGI application on a localhost port, in a thread of this process."""

    def __init__(self):
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        class Server(WSGIServer):
            request_queue_size = 64

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
        self.httpd = make_server(
            "127.0.0.1", 0, get_wsgi_application(), server_class=Server, handler_class=Quiet
        )
        self.port = self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.cookies: dict[str, str] = {}

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def sign_in(self, user) -> None:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        self.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
            settings.SESSION_COOKIE_NAME
        ].value

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """One request on a new connection (as urllib does on the Taguette side)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        connection.close()
        return response.status, response.headers, content

    def upload(self, path: str, fields: dict[str, str], files: list[tuple[str, bytes]]):
        """POST a multipart form with these fields and files, as a browser sends it."""
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        ]
        parts += [
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{filename}"\r\nContent-Type: text/html\r\n\r\n'.encode()
            + content
            + b"\r\n"
            for filename, content in files
        ]
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            b"".join(parts),
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
            },
        )


def ensure_taguette(venv: Path) -> Path | None:
    """Return Taguette's interpreter, making its virtual environment if missing; None if not."""
    python = venv / "bin" / "python"
    if (venv / "bin" / "taguette").exists():
        return python
    say(f"Taguette is not installed in {venv}: making it (python3 -m venv, pip install taguette)")
    try:
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "taguette"],
            check=True,
            stdout=DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        say(
            f"Could not install Taguette ({error}); the peer comparison is skipped. To run it, "
            f"install it by hand:\n  python3 -m venv {venv} && {venv}/bin/pip install taguette\n"
            "then run this benchmark again."
        )
        return None
    return python if (venv / "bin" / "taguette").exists() else None


def compare_with_taguette(options, work: Path, lead, coders, results: dict) -> None:
    from chorus.evidence import analysis
    from chorus.evidence.models import Source

    python = ensure_taguette(Path(options.taguette_venv))
    if python is None:
        return
    count = options.docx
    folder = work / "html"
    folder.mkdir()
    items = [data.transcript(i) for i in range(count)]
    documents = []
    for item in items:
        path = folder / f"interview-{item.index:05d}.html"
        path.write_bytes(data.html_bytes(item))
        documents.append({"name": item.title, "path": str(path)})

    # Chorus: the import page, first one file per request (as Taguette takes them), then in
    # uploads of --batch files (a multiple selection in the same form, one request each).
    study = new_study("Bench: HTML import over HTTP", lead, coders)
    batch_study = new_study("Bench: HTML import over HTTP, several files a request", lead, coders)
    codes = build_codebook(lead, study)
    server = ChorusServer()
    try:
        server.sign_in(coders[0])
        contents = [
            (Path(document["path"]).name, Path(document["path"]).read_bytes())
            for document in documents
        ]

        def import_all(target, size: int) -> tuple[float, list[float]]:
            import_path = f"/en/evidence/{target.pk}/sources/import/"
            status, _headers, _body = server.request("GET", import_path)
            assert status == 200, status
            samples = []
            started = time.perf_counter()
            for first in range(0, count, size):
                begun = time.perf_counter()
                status, _headers, body = server.upload(
                    import_path,
                    {
                        "csrfmiddlewaretoken": server.cookies["csrftoken"],
                        "kind": "interview",
                        # The bench's files are in several languages; a browser upload gives
                        # one language for the selection, so one file's is used for all.
                        "language": items[first].language,
                    },
                    contents[first : first + size],
                )
                samples.append((time.perf_counter() - begun) * 1000)
                assert status == 302, (status, body[:2000])
            return time.perf_counter() - started, samples

        chorus_import, samples = import_all(study, 1)
        say(
            f"  Chorus, {count} HTML files over HTTP, one a request:    {chorus_import:6.1f} s "
            f"(p50 {statistics.median(samples):.1f} ms a file)"
        )
        chorus_batch_import, batch_samples = import_all(batch_study, options.batch)
        say(
            f"  Chorus, {count} HTML files over HTTP, {options.batch} a request: "
            f"{chorus_batch_import:6.1f} s (p50 {statistics.median(batch_samples):.0f} ms a "
            f"request, {1000 * chorus_batch_import / count:.1f} ms a file)"
        )
        assert Source.objects.filter(study=batch_study).count() == count
        sources = list(
            Source.objects.filter(study=study).order_by("pk").values_list("pk", "length")
        )
        assert len(sources) == count
        per_document = options.codings // options.transcripts
        tsv = work / "highlights.tsv"
        rows = list(
            data.codings([length for _pk, length in sources], len(codes), per_document, 3, "peer")
        )
        with tsv.open("w") as handle:
            handle.writelines(f"{s}\t{c}\t{a}\t{b}\n" for s, c, a, b, _coder in rows)
        insert_codings(
            rows, [pk for pk, _ in sources], [c.pk for c in codes], [u.pk for u in coders]
        )
        rng = random.Random("peer-queries")
        queries = [rng.randrange(len(codes)) for _ in range(options.repeat)]
        warmup = queries[:5]

        def fetch(code_index: int) -> float:
            begun = time.perf_counter()
            status, _headers, _body = server.request(
                "GET", f"/en/evidence/{study.pk}/codes/{codes[code_index].pk}/"
            )
            assert status == 200, status
            return (time.perf_counter() - begun) * 1000

        for code_index in warmup:
            fetch(code_index)
        page_samples = [fetch(code_index) for code_index in queries]
        python_samples = []
        for code_index in queries:
            begun = time.perf_counter()
            analysis.segments_for(
                coders[0], study, code_ids=[codes[code_index].pk], page=1, per_page=PER_PAGE
            )
            python_samples.append((time.perf_counter() - begun) * 1000)
    finally:
        server.stop()
    say(f"  Chorus, code page over HTTP ({len(rows)} codings): {summary(page_samples)}")
    say(f"  Chorus, segments_for on the same study:       {summary(python_samples)}")

    tags = [f"{parent}.{name}" if parent else name for name, parent in data.code_paths()]
    manifest = {
        "workdir": str(work / "taguette"),
        "documents": documents,
        "tags": tags,
        "highlights": str(tsv),
        "http_highlights": options.taguette_http_highlights,
        "queries": queries,
        "warmup": warmup,
    }
    manifest_path, result_path = work / "taguette.json", work / "taguette-result.json"
    manifest_path.write_text(json.dumps(manifest))
    say("  Taguette: starting its server, importing, tagging, retrieving (a few minutes)")
    run = subprocess.run(
        [
            str(python),
            str(ROOT / "bench" / "taguette_peer.py"),
            str(manifest_path),
            str(result_path),
        ],
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        say(f"Taguette peer failed; skipped.\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}")
        return
    peer = json.loads(result_path.read_text())
    taguette_retrieval = peer["retrieval_ms"]
    say(
        f"  Taguette {peer['version'].split()[-1]}, {peer['documents']} HTML files over HTTP:"
        f"  {peer['import_seconds']:6.1f} s (p50 {peer['import_ms_p50']:.1f} ms a file)"
    )
    if "highlight_http_ms_p50" in peer:
        say(
            f"  Taguette, {options.taguette_http_highlights} highlights made over HTTP: "
            f"p50 {peer['highlight_http_ms_p50']:.1f} ms each (the rest inserted in its database)"
        )
    say(
        f"  Taguette, highlights of a tag over HTTP ({peer['highlights']}): "
        f"{summary(taguette_retrieval)}"
    )
    results["peer"] = {
        "chorus_import_s": chorus_import,
        "chorus_batch_import_s": chorus_batch_import,
        "taguette_import_s": peer["import_seconds"],
        "chorus_page_p50": statistics.median(page_samples),
        "chorus_page_p95": p95(page_samples),
        "chorus_python_p95": p95(python_samples),
        "taguette_p50": statistics.median(taguette_retrieval),
        "taguette_p95": p95(taguette_retrieval),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transcripts", type=int, default=5_000)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--docx", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--skip-taguette", action="store_true")
    parser.add_argument("--taguette-venv", default="/tmp/taguette-venv")
    parser.add_argument("--taguette-http-highlights", type=int, default=500)
    parser.add_argument(
        "--batch", type=int, default=50, help="files a request in Chorus's second HTML import"
    )
    parser.add_argument("--profile-import", action="store_true", help="cProfile the DOCX import")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chorus-bench-evidence-"))
    setup(str(work / "var"))

    from django.core.management import call_command

    from chorus.evidence.models import Coding, SearchParagraph, Source

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    lead, *coders = build_team()
    results: dict = {}
    try:
        study = new_study(f"Bench: {options.transcripts} transcripts", lead, coders)
        say(f"loading {options.transcripts} transcripts (bulk insert, then index_source each)")
        generating, inserting, indexing, paragraphs = load_sources(study, options.transcripts)
        characters = sum(Source.objects.filter(study=study).values_list("length", flat=True))
        codes = build_codebook(lead, study)
        sources = list(
            Source.objects.filter(study=study).order_by("pk").values_list("pk", "length")
        )
        started = time.perf_counter()
        written = insert_codings(
            data.codings(
                [length for _pk, length in sources],
                len(codes),
                options.codings // options.transcripts,
                3,
            ),
            [pk for pk, _ in sources],
            [code.pk for code in codes],
            [coder.pk for coder in coders],
        )
        coding_time = time.perf_counter() - started
        database = Path(work / "var" / "chorus.sqlite3")
        say(
            f"data: {len(sources)} sources, {characters / 1e6:.1f} M characters, "
            f"{paragraphs} indexed paragraphs, {len(codes)} codes, {written} codings "
            f"(generated {generating:.0f} s, inserted {inserting:.0f} s, indexed {indexing:.0f} s "
            f"= {1000 * indexing / len(sources):.1f} ms a source; codings inserted directly "
            f"{coding_time:.0f} s; database {database.stat().st_size / 1e9:.2f} GB)"
        )
        assert SearchParagraph.objects.filter(study=study).count() == paragraphs
        assert Coding.objects.filter(source__study=study).count() == written

        say("\nsearch_study (page of 20 with snippets), after a warm-up:")
        search_results = measure_search(study, options.repeat)
        everything = [s for samples in search_results.values() for s in samples]
        say(f"  search, all kinds together       {summary(everything)}")
        results["search_p95_ms"] = p95(everything)
        results["search_p50_ms"] = statistics.median(everything)

        say("\nsegments_for (page 1, 50 a page, sub-codes included), random codes:")
        code_ids = [code.pk for code in codes]
        parents = {code.pk for code in codes if code.parent_id is None}
        picks, samples, totals = measure_segments(coders[0], study, code_ids, options.repeat, "seg")
        say(f"  segments of one code             {summary(samples)}")
        leaf = [s for s, c in zip(samples, picks, strict=True) if c not in parents]
        top = [s for s, c in zip(samples, picks, strict=True) if c in parents]
        if len(leaf) > 1:
            say(f"    codes without sub-codes ({len(leaf):3})  {summary(leaf)}")
        if len(top) > 1:
            say(f"    top-level codes ({len(top):3})        {summary(top)}")
        say(
            f"  segments per code: min {min(totals)}, median {statistics.median(totals):.0f}, "
            f"max {max(totals)}"
        )
        results["segments_p95_ms"] = p95(samples)
        results["segments_p50_ms"] = statistics.median(samples)

        say(f"\nimport of {options.docx} DOCX transcripts through actions.sources_import_files:")
        folder = work / "docx"
        started = time.perf_counter()
        size = make_docx(options.docx, folder)
        say(
            f"  generated {options.docx} files, {size / 1e6:.1f} MB, in "
            f"{time.perf_counter() - started:.0f} s (not counted)"
        )
        docx_study = new_study("Bench: DOCX import", lead, coders)
        elapsed, samples, imported = import_docx(
            coders[0], docx_study, folder, options.profile_import
        )
        say(
            f"  imported {imported} files in {elapsed:.1f} s "
            f"(p50 {statistics.median(samples):.1f} ms, p95 {p95(samples):.1f} ms a file)"
        )
        results["docx_import_s"] = elapsed
        shutil.rmtree(folder)

        if options.skip_taguette:
            say("\nTaguette peer skipped (--skip-taguette).")
        else:
            say(f"\nTaguette peer: the same {options.docx} documents (HTML) and tags, over HTTP:")
            compare_with_taguette(options, work, lead, coders, results)
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)

    say("\nagainst targets (measured / target; below 1.00 meets it):")
    for key, target in TARGETS.items():
        ratio = results[key] / target
        verdict = "met" if ratio < 1 else "MISSED"
        say(f"  {key:<16} {results[key]:8.1f} / {target:<4} = {ratio:.2f}  {verdict}")
    if "peer" in results:
        peer = results["peer"]
        say("\nTaguette / Chorus (above 1.00: Chorus is faster):")
        tag_s, chorus_s = peer["taguette_import_s"], peer["chorus_import_s"]
        say(
            f"  import of {options.docx} HTML files over HTTP, one a request: {tag_s:.1f} s / "
            f"{chorus_s:.1f} s = {tag_s / chorus_s:.2f}"
        )
        batch_s = peer["chorus_batch_import_s"]
        say(
            f"  import of {options.docx} HTML files over HTTP, Taguette one a request (its only "
            f"way), Chorus {options.batch} a request: {tag_s:.1f} s / {batch_s:.1f} s = "
            f"{tag_s / batch_s:.2f}"
        )
        for key in ("p50", "p95"):
            tag_ms, chorus_ms = peer[f"taguette_{key}"], peer[f"chorus_page_{key}"]
            say(
                f"  highlights of a tag, page 1, over HTTP, {key}: {tag_ms:.1f} / "
                f"{chorus_ms:.1f} ms = {tag_ms / chorus_ms:.2f}"
            )


if __name__ == "__main__":
    main()
