"""Benchmark the member registry at scale: list, statistics, import, query counts.

Run: .venv/bin/python bench/registry_bench.py [--organisations 10000] [--repeat 50]
Builds a fresh SQLite database in a temporary directory with `chorus demo --synthetic N`, then
times requests through Django's test client (the full middleware stack, templates included).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - one sink for the commands' chatter
TARGETS = {"list_p95_ms": 100, "statistics_ms": 200, "import_s": 15}


def setup(var_dir: str) -> None:
    os.environ.update(
        {
            "CHORUS_VAR_DIR": var_dir,
            "CHORUS_HTTPS": "0",
            "CHORUS_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "chorus.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def report(label: str, samples: list[float]) -> None:
    print(f"{label:<36} p50 {statistics.median(samples):7.1f} ms   p95 {p95(samples):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="chorus-bench-")
    setup(var_dir)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chorus.core.models import User
    from chorus.network.models import Organisation, Person, Position

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("demo", synthetic=options.organisations, stdout=DEVNULL)
    print(
        f"data: {Organisation.objects.count()} organisations, {Person.objects.count()} people, "
        f"{Position.objects.count()} positions (built in {time.perf_counter() - started:.1f} s)"
    )

    client = Client()
    client.force_login(User.objects.get(username="coordinator"))
    results = {}

    def get(url: str, **params):
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        return response

    get("/en/registry/organisations/")  # warm caches
    filtered = timed(
        lambda: get("/en/registry/organisations/", region="africa", status="member"), options.repeat
    )
    searched = timed(lambda: get("/en/registry/organisations/", q="collective 01"), options.repeat)
    deep_page = timed(lambda: get("/en/registry/organisations/", page=150), options.repeat)
    results["list_p95_ms"] = max(p95(filtered), p95(searched), p95(deep_page))
    report("registry list, region+status filter", filtered)
    report("registry list, search", searched)
    report("registry list, page 150", deep_page)

    get("/en/registry/statistics/")
    stats = timed(lambda: get("/en/registry/statistics/"), max(10, options.repeat // 2))
    results["statistics_ms"] = p95(stats)
    report("statistics page", stats)
    anonymous = Client()
    public = timed(lambda: anonymous.get("/en/registry/statistics/"), max(10, options.repeat // 2))
    report("statistics page (public)", public)

    counts = {}
    for size in (10, 100):
        from django.conf import settings

        settings.CHORUS_PAGE_SIZE = size
        with CaptureQueriesContext(connection) as context:
            get("/en/registry/organisations/")
        counts[size] = len(context.captured_queries)
    print(f"queries per list page: {counts[10]} with 10 rows, {counts[100]} with 100 rows")

    csv_path = Path(var_dir) / "import.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "name",
                "acronym",
                "kind",
                "country",
                "network",
                "tier",
                "status",
                "joined",
                "website",
                "founded",
                "languages",
                "listed",
            ]
        )
        for index in range(10_000):
            writer.writerow(
                [
                    f"Imported Collective {index:05d}",
                    f"IMP{index:05d}",
                    "member",
                    ["KE", "FR", "TH", "BR", "US"][index % 5],
                    "NSWP",
                    "associate",
                    "member",
                    "2019-05-01",
                    "",
                    "2001",
                    "en;fr",
                    "yes",
                ]
            )
    started = time.perf_counter()
    call_command("import_members", str(csv_path), stdout=DEVNULL, stderr=DEVNULL)
    results["import_s"] = time.perf_counter() - started
    print(f"import of 10 000 CSV rows: {results['import_s']:.2f} s")

    print("\nagainst targets (measured / target; below 1.00 meets it):")
    for key, target in TARGETS.items():
        print(f"  {key:<15} {results[key]:8.2f} / {target:<5} = {results[key] / target:.2f}")
    print(f"  query growth 10→100 rows: {counts[100] - counts[10]} extra queries")


if __name__ == "__main__":
    main()
