"""Benchmark the stakeholder map at scale: power map, alerts, an actor's timeline.

Run: .venv/bin/python bench/stakeholders_bench.py [--engagements 200000] [--observations 50000]
Builds a fresh SQLite database with 10 000 synthetic member organisations, 2 000 synthetic allies,
200 000 engagements and 50 000 stance observations, then times the computations the pages run
and the pages themselves through Django's test client.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.registry_bench import DEVNULL, p95, report, setup, timed

TARGETS = {"power_map_and_alerts_ms": 300, "timeline_ms": 100}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--engagements", type=int, default=200_000)
    parser.add_argument("--observations", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    setup(tempfile.mkdtemp(prefix="chorus-bench-"))

    from django.core.management import call_command
    from django.test import Client

    from chorus.core.models import User
    from chorus.demo.synthetic import synthetic_engagements_create
    from chorus.engagement.models import Engagement
    from chorus.network.models import Organisation
    from chorus.stakeholders import queries
    from chorus.stakeholders.models import StanceObservation

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("demo", synthetic=options.organisations, stdout=DEVNULL, stderr=DEVNULL)
    synthetic_engagements_create(
        engagements=options.engagements, observations=options.observations, stream=sys.stderr
    )
    print(
        f"data: {Organisation.objects.count()} organisations, {Engagement.objects.count()} "
        f"engagements, {StanceObservation.objects.count()} stance observations "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    user = User.objects.get(username="coordinator")
    secretariat = User.objects.get(username="secretariat")

    def both():
        queries.power_map_for(secretariat, issue="decriminalisation")
        queries.alerts_for(secretariat)

    both()
    power = timed(
        lambda: queries.power_map_for(secretariat, issue="decriminalisation"), options.repeat
    )
    alerts = timed(lambda: queries.alerts_for(secretariat), options.repeat)
    combined = timed(both, options.repeat)
    report("power map (secretariat)", power)
    report("alerts (secretariat)", alerts)
    report("power map + alerts", combined)

    def both_for_coordinator():
        queries.power_map_for(user, issue="decriminalisation")
        queries.alerts_for(user)

    coordinator = timed(both_for_coordinator, options.repeat)
    report("power map + alerts (coordinator)", coordinator)

    ally = Organisation.objects.filter(name__startswith="Synthetic Ally").first()
    timeline = timed(
        lambda: queries.timeline_for(secretariat, organisation_id=ally.pk), options.repeat * 2
    )
    report("actor timeline (query)", timeline)

    client = Client()
    client.force_login(user)
    client.get("/en/allies/")
    page = timed(lambda: client.get("/en/allies/?issue=decriminalisation"), options.repeat)
    report("power map page (coordinator)", page)
    timeline_page = timed(
        lambda: client.get(f"/en/allies/actors/organisation/{ally.pk}/"), options.repeat * 2
    )
    report("actor timeline page", timeline_page)

    results = {
        "power_map_and_alerts_ms": max(p95(combined), p95(coordinator)),
        "timeline_ms": p95(timeline_page),
    }
    print("\nagainst targets (p95 / target; below 1.00 meets it):")
    for key, target in TARGETS.items():
        print(f"  {key:<25} {results[key]:8.1f} / {target:<5} = {results[key] / target:.2f}")


if __name__ == "__main__":
    main()
