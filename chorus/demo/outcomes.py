"""The outcomes of the demo, from the seed, and the CEDAW paragraphs of the shared fixtures.

The outcomes are those the case study reports. The general-recommendation paragraphs are read
in place from the shared UN fixtures when that folder is present beside the checkout; a
deployment without it simply has no demo paragraphs.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.conf import settings

from chorus.network.models import Country, Organisation
from chorus.outcomes import actions, importing
from chorus.outcomes.models import Outcome

SEED = "NSWP (2021), Sex Worker-led Organisations' Engagement with the Women's Movement"
D = datetime.date
FIXTURES = (
    Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "un" / "treaty-body-general-comments"
)

# (title, social actor acronym or None, social actor text, change, kind, date, country, direction,
#  contribution, engagement titles)
OUTCOMES = [
    (
        "More CEDAW recommendations affirm sex workers' rights",
        "CEDAW Committee",
        "",
        "Over five years, a steady rise in CEDAW concluding observations that address punitive "
        "laws, stigma and discrimination, and access to justice for sex workers.",
        "discourse",
        D(2021, 1, 1),
        None,
        "positive",
        "Members' shadow reports, with IWRAW Asia Pacific's training and the joint guides.",
        ["Sex Workers' Rights Framework and CEDAW; Shadow Report Guidelines"],
    ),
    (
        "First rights-affirming CEDAW recommendations in Central Asia (Kazakhstan)",
        "CEDAW Committee",
        "",
        "The CEDAW Committee's recommendations to Kazakhstan addressed sex workers' rights for "
        "the first time in Central Asia.",
        "policy",
        D(2019, 1, 1),
        "KZ",
        "positive",
        "Amelia's shadow report.",
        ["Shadow report to CEDAW on Kazakhstan"],
    ),
    (
        "CEDAW General Recommendation 38 promotes 'end demand' measures",
        "CEDAW Committee",
        "",
        "General Recommendation 38 (2020) on trafficking in the context of global migration "
        "calls for measures to discourage demand, conflating sex work with trafficking.",
        "policy",
        D(2020, 11, 6),
        None,
        "negative",
        "Submissions to the drafting did not prevent the regressive text.",
        [],
    ),
    (
        "New Zealand decriminalises sex work (Prostitution Reform Act 2003)",
        None,
        "New Zealand Parliament",
        "Parliament passed the Prostitution Reform Act 2003, the only national full "
        "decriminalisation of sex work.",
        "policy",
        D(2003, 6, 25),
        "NZ",
        "positive",
        "The New Zealand Prostitutes' Collective drafted the law with women's organisations, "
        "who are co-contributors to this outcome.",
        ["Drafting the Prostitution Reform Act with women's organisations"],
    ),
    (
        "Amnesty International adopts a policy for full decriminalisation",
        "Amnesty",
        "",
        "Amnesty International's 2016 policy calls for the full decriminalisation of sex work.",
        "policy",
        D(2016, 5, 26),
        None,
        "positive",
        "Years of dialogue with sex worker-led organisations; SWIFA later brought Amnesty in as a "
        "core member.",
        [],
    ),
]


def load_outcomes(*, organisations: dict[str, Organisation]) -> int:
    """Create the seed's outcomes that are missing, and import the CEDAW fixture paragraphs."""
    from chorus.engagement.models import Engagement

    created = 0
    for (
        title,
        acronym,
        actor_text,
        change,
        kind,
        date,
        country,
        direction,
        contribution,
        engagement_titles,
    ) in OUTCOMES:
        if Outcome.objects.filter(title=title).exists():
            continue
        actions.outcome_create(
            actor=None,
            title=title,
            social_actor=organisations[acronym] if acronym else None,
            social_actor_text=actor_text,
            change=change,
            kind=kind,
            occurred_on=date,
            country=Country.objects.get(code=country) if country else None,
            level="global" if country is None else "national",
            contribution=contribution,
            evidence=SEED,
            direction=direction,
            engagements=list(Engagement.objects.filter(title__in=engagement_titles)),
        )
        created += 1
    return created


def load_fixture_recommendations() -> int:
    """Import and classify every CEDAW general-recommendation paragraph of the shared fixtures."""
    if not FIXTURES.is_dir():
        return 0
    index_path = FIXTURES / "_index.json"
    index = {}
    if index_path.is_file():
        raw = json.loads(index_path.read_text(encoding="utf-8"))
        entries = (
            raw if isinstance(raw, list) else list(raw.values()) if isinstance(raw, dict) else []
        )
        for entry in entries:
            if isinstance(entry, dict) and entry.get("File PATH"):
                index[Path(entry["File PATH"]).name] = {
                    "symbol": entry.get("Signature", ""),
                    "committee": str(entry.get("Committee", "")).split(",")[0].strip(),
                    "year": entry.get("Adoption Year", ""),
                }
    created = 0
    for path in sorted(FIXTURES.glob("Annotated_CEDAW*.json")):
        report = importing.parse_paragraph_json(path.read_bytes(), path.name, index=index)
        importing.recommendations_import(actor=None, report=report, valid_only=True)
        created += report.created
    return created
