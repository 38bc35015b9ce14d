"""Synthetic registry data for scale tests only, clearly marked as such.

Names start with "Synthetic", rows carry `is_synthetic`, and nothing here resembles a real
organisation or person. Written in bulk, in one transaction with one audit event, because
10 000 organisations one action at a time would take minutes.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from chorus.core.audit import record_change
from chorus.core.progress import progress
from chorus.network.models import (
    Country,
    Membership,
    MembershipEvent,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Person,
    Position,
    Tier,
)
from chorus.network.search import organisation_search_key
from chorus.stakeholders.analysis import derive

TITLES = [
    "Coordinator",
    "Director",
    "Programme officer",
    "Board member",
    "Treasurer",
    "Outreach worker",
]
STATUSES = [MembershipStatus.MEMBER] * 8 + [
    MembershipStatus.APPLIED,
    MembershipStatus.VERIFIED,
    MembershipStatus.SUSPENDED,
    MembershipStatus.LEFT,
]
BATCH = 2000


@transaction.atomic
def synthetic_registry_create(
    *, network: Organisation, count: int, stream=None, seed: int = 7
) -> int:
    """Add `count` synthetic member organisations with memberships, people and positions."""
    generator = random.Random(seed)  # noqa: S311 - repeatable fake data, not a secret
    countries = list(Country.objects.values_list("code", flat=True))
    start = Organisation.objects.filter(is_synthetic=True).count()
    organisations = []
    for index in range(start, start + count):
        name = f"Synthetic Collective {index:05d}"
        acronym = f"SYN{index:05d}"
        organisations.append(
            Organisation(
                name=name,
                acronym=acronym,
                kind=OrganisationKind.MEMBER,
                country_id=generator.choice(countries),
                founded=generator.randint(1980, 2022),
                publicly_listed=generator.random() > 0.1,
                sex_worker_led="yes" if generator.random() > 0.2 else "no",
                is_synthetic=True,
                search_key=organisation_search_key(name, acronym, {}),
            )
        )
    created = []
    for offset in range(0, len(organisations), BATCH):
        created += Organisation.objects.bulk_create(organisations[offset : offset + BATCH])
        if stream is not None:
            progress(len(created), count, stream, label="organisations")
    memberships = []
    for organisation in created:
        status = generator.choice(STATUSES)
        joined = datetime.date(generator.randint(2000, 2024), generator.randint(1, 12), 1)
        memberships.append(
            Membership(
                organisation=organisation,
                network=network,
                tier=Tier.FULL if organisation.sex_worker_led == "yes" else Tier.ASSOCIATE,
                status=status,
                joined=joined if status != MembershipStatus.APPLIED else None,
                consensus_statement_endorsed=joined,
                core_values_endorsed=joined,
            )
        )
    memberships = Membership.objects.bulk_create(memberships, batch_size=BATCH)
    MembershipEvent.objects.bulk_create(
        [
            MembershipEvent(membership=m, status=m.status, date=m.joined or datetime.date.today())
            for m in memberships
        ],
        batch_size=BATCH,
    )
    people, positions = [], []
    for organisation in created:
        for _ in range(generator.choice((1, 2))):
            people.append(
                (
                    organisation,
                    Person(display_name=f"Synthetic Person {len(people):06d}", is_synthetic=True),
                )
            )
    Person.objects.bulk_create([person for _org, person in people], batch_size=BATCH)
    for organisation, person in people:
        start_year = generator.randint(2005, 2022)
        positions.append(
            Position(
                person=person,
                organisation=organisation,
                title=generator.choice(TITLES),
                start=datetime.date(start_year, 1, 1),
                end=None if generator.random() > 0.3 else datetime.date(start_year + 2, 12, 31),
            )
        )
    Position.objects.bulk_create(positions, batch_size=BATCH)
    record_change(
        actor=None,
        action="demo.synthetic",
        obj=Organisation,
        changed_fields=["organisation", "membership", "person", "position"],
    )
    return len(created)


ALLY_KINDS = [
    OrganisationKind.WOMENS_RIGHTS,
    OrganisationKind.HUMAN_RIGHTS,
    OrganisationKind.DONOR,
    OrganisationKind.UN_BODY,
    OrganisationKind.GOVERNMENT,
]


@transaction.atomic
def synthetic_engagements_create(
    *, engagements: int, observations: int, allies: int = 2000, stream=None, seed: int = 11
) -> tuple[int, int]:
    """Add synthetic allies, engagements with them, and stance observations, for scale tests."""
    from chorus.engagement.models import Engagement, EngagementPartner, Platform
    from chorus.stakeholders.models import InfluenceAssessment, Issue, StanceObservation

    generator = random.Random(seed)  # noqa: S311 - repeatable fake data, not a secret
    countries = list(Country.objects.values_list("code", flat=True))
    start = Organisation.objects.filter(is_synthetic=True, kind__in=ALLY_KINDS).count()
    ally_rows = [
        Organisation(
            name=f"Synthetic Ally {index:05d}",
            kind=generator.choice(ALLY_KINDS),
            country_id=generator.choice(countries),
            is_synthetic=True,
            search_key=organisation_search_key(f"Synthetic Ally {index:05d}", "", {}),
        )
        for index in range(start, start + allies)
    ]
    ally_rows = Organisation.objects.bulk_create(ally_rows, batch_size=BATCH)
    InfluenceAssessment.objects.bulk_create(
        [
            InfluenceAssessment(
                organisation=ally,
                level=generator.randint(1, 5),
                assessed_on=datetime.date(2022, 1, 1),
            )
            for ally in ally_rows
        ],
        batch_size=BATCH,
    )
    members = list(
        Organisation.objects.filter(is_synthetic=True, kind=OrganisationKind.MEMBER).values_list(
            "pk", flat=True
        )
    )
    platform, _created = Platform.objects.get_or_create(
        name="Synthetic platform", defaults={"kind": "other", "level": "global"}
    )
    issues = Issue.values
    today = datetime.date.today()
    made = 0
    for offset in range(0, engagements, BATCH):
        batch = [
            Engagement(
                title=f"Synthetic engagement {offset + index:06d}",
                kind="meeting",
                organisation_id=generator.choice(members),
                platform=platform,
                level="national",
                # The last ten years up to today, as a living log would be.
                start=today - datetime.timedelta(days=generator.randint(0, 3650)),
                is_synthetic=True,
            )
            for index in range(min(BATCH, engagements - offset))
        ]
        batch = Engagement.objects.bulk_create(batch)
        EngagementPartner.objects.bulk_create(
            [
                EngagementPartner(engagement_id=item.pk, organisation_id=ally.pk, start=item.start)
                for item in batch
                for ally in generator.sample(ally_rows, generator.choice((1, 1, 2)))
            ]
        )
        made += len(batch)
        if stream is not None:
            progress(made, engagements, stream, label="engagements")
    # Stances drift: each actor starts somewhere on each issue and mostly stays or moves one band
    # between observations; about one observation in two hundred is a sharp fall, as real
    # reversals are rare. Purely random stances would make every actor a weathervane.
    rows = []
    per_series = max(1, -(-observations // (len(ally_rows) * len(issues))))
    for ally in ally_rows:
        for issue in issues:
            if len(rows) >= observations:
                break
            stance = generator.randint(-2, 2)
            # Series end within the last few years, so current stances are current.
            day = generator.randint(0, 1500)
            for _ in range(per_series):
                roll = generator.random()
                if roll < 0.005:
                    stance -= generator.choice((2, 3))
                elif roll < 0.085:
                    stance -= 1
                elif roll > 0.92:
                    stance += 1
                stance = max(-2, min(2, stance))
                day += generator.randint(30, 400)
                rows.append(
                    StanceObservation(
                        organisation=ally,
                        issue=issue,
                        stance=stance,
                        observed_on=today - datetime.timedelta(days=5000 - day),
                        evidence_kind="quote",
                        evidence_text="Synthetic evidence.",
                        is_synthetic=True,
                    )
                )
    rows = [row for row in rows if row.observed_on <= datetime.date.today()][:observations]
    # Bulk creation skips the recording action, so derive what it would (current stance,
    # previous stance, recent best) per series here.
    series: dict[tuple[int, str], list] = {}
    for row in rows:
        series.setdefault((row.organisation_id, row.issue), []).append(row)
    for items in series.values():
        items.sort(key=lambda item: item.observed_on)
        derived = derive([item.stance for item in items])
        for index, (item, (current, previous, best)) in enumerate(zip(items, derived, strict=True)):
            item.is_current, item.previous_stance, item.recent_best = current, previous, best
            item.previous_on = items[index - 1].observed_on if index else None
    StanceObservation.objects.bulk_create(rows, batch_size=BATCH)
    record_change(
        actor=None,
        action="demo.synthetic_engagements",
        obj=Organisation,
        changed_fields=["engagement", "stance_observation", "influence_assessment"],
    )
    return made, len(rows)
