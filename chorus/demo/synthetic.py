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
