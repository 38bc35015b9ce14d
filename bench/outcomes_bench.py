"""Benchmark the UN recommendations monitor: import of 100 000 UHRI rows, and the trends page.

Run: .venv/bin/python bench/outcomes_bench.py [--rows 100000]
Builds a fresh SQLite database, generates a UHRI-style CSV (one row in ten on sex work, in the
five languages), imports it with classification, then times the trends page and its chart.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.registry_bench import DEVNULL, p95, report, setup, timed

TARGETS = {"import_s": 60, "trends_ms": 200}
RELEVANT = [
    "The Committee recommends that the State party decriminalize sex work and protect sex "
    "workers from police violence.",
    "The Committee recommends that the State party discourage the demand for prostitution and "
    "provide exit programmes for women in prostitution.",
    "Le Comité recommande à l'État partie de dépénaliser le travail du sexe.",
    "El Comité recomienda al Estado parte que adopte medidas para desalentar la demanda de "
    "prostitución.",
    "Комитет рекомендует государству-участнику декриминализировать секс-работу.",
    "委员会建议缔约国保护性工作者免受警察暴力。",
]
OTHER = [
    "The Committee recommends that the State party increase the representation of women in "
    "the judiciary and in public administration.",
    "The Committee urges the State party to ensure access to education for girls in rural areas.",
    "The Committee recommends that the State party strengthen its national human rights "
    "institution in line with the Paris Principles.",
]
COUNTRIES = ["Kenya", "Thailand", "France", "Brazil", "Kazakhstan", "Argentina", "Sweden", "India"]


def make_csv(path: Path, rows: int) -> None:
    generator = random.Random(5)  # noqa: S311 - repeatable fake data
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Symbol", "Text", "PublicationDate", "Countries", "Body"])
        for index in range(rows):
            pool = RELEVANT if index % 10 == 0 else OTHER
            text = f"{generator.choice(pool)} (Case {index}.)"
            year = 2000 + index % 25
            writer.writerow(
                [
                    f"CEDAW/C/SYN/CO/{index // 50} para. {index % 50 + 1}",
                    text,
                    f"{year}-03-01",
                    generator.choice(COUNTRIES),
                    "CEDAW",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="chorus-bench-")
    setup(var_dir)

    from django.core.management import call_command
    from django.test import Client

    from chorus.core.models import User
    from chorus.outcomes import importing
    from chorus.outcomes.models import Recommendation

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("demo", stdout=DEVNULL, stderr=DEVNULL)
    path = Path(var_dir) / "uhri.csv"
    make_csv(path, options.rows)
    before = Recommendation.objects.count()
    started = time.perf_counter()
    parsed = importing.parse_uhri(path.read_bytes(), path.name)
    parse_seconds = time.perf_counter() - started
    importing.recommendations_import(actor=None, report=parsed)
    import_seconds = time.perf_counter() - started
    added = Recommendation.objects.count() - before
    print(
        f"import: {added} of {options.rows} rows in {import_seconds:.1f} s "
        f"(reading and checking {parse_seconds:.1f} s), {parsed.relevant} on sex work"
    )
    client = Client()
    # The regional coordinator: the researcher leads the demo study and so needs a second factor.
    client.force_login(User.objects.get(username="coordinator"))
    for url in (
        "/en/outcomes/recommendations/trends/",
        "/en/outcomes/recommendations/trends.svg",
        "/en/outcomes/recommendations/review/",
    ):
        # A redirect or an error page would be timed as a fast page: check each once.
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    page = timed(lambda: client.get("/en/outcomes/recommendations/trends/"), options.repeat)
    report("trends page", page)
    client.get("/en/outcomes/recommendations/trends.svg")
    chart = timed(lambda: client.get("/en/outcomes/recommendations/trends.svg"), options.repeat)
    report("trends chart (cached)", chart)
    queue = timed(lambda: client.get("/en/outcomes/recommendations/review/"), options.repeat)
    report("review queue page", queue)
    results = {"import_s": import_seconds, "trends_ms": p95(page)}
    print("\nagainst targets (measured / target; below 1.00 meets it):")
    for key, target in TARGETS.items():
        print(f"  {key:<12} {results[key]:8.1f} / {target:<5} = {results[key] / target:.2f}")


if __name__ == "__main__":
    main()
