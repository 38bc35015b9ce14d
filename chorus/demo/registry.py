"""The registry part of the demo: the global network and its regional networks, from the seed.

Facts from the seed document (NSWP's case study on engaging the women's movement) and the domain
notes: names, acronyms, the city and year each regional network was founded.
"""

from __future__ import annotations

from chorus.network import actions
from chorus.network.models import Country, Organisation, OrganisationKind

# (name, acronym, kind, country code, founded)
SEED_ORGANISATIONS = [
    ("Global Network of Sex Work Projects", "NSWP", OrganisationKind.GLOBAL_NETWORK, "GB", None),
    ("African Sex Workers Alliance", "ASWA", OrganisationKind.REGIONAL_NETWORK, "KE", 2009),
    ("Asia Pacific Network of Sex Workers", "APNSW", OrganisationKind.REGIONAL_NETWORK, "TH", 1994),
    (
        "European Sex Workers' Rights Alliance",
        "ESWA",
        OrganisationKind.REGIONAL_NETWORK,
        "NL",
        None,
    ),
    ("Sex Workers' Rights Advocacy Network", "SWAN", OrganisationKind.REGIONAL_NETWORK, "HU", None),
    (
        "Plataforma Latinoamericana de Personas que Ejercen el Trabajo Sexual",
        "PLAPERTS",
        OrganisationKind.REGIONAL_NETWORK,
        "EC",
        2014,
    ),
    ("Caribbean Sex Work Coalition", "CSWC", OrganisationKind.REGIONAL_NETWORK, "GY", 2011),
]


def load_registry(*, actor) -> dict[str, Organisation]:
    """Create the seed organisations that are missing and return them by acronym."""
    actions.countries_sync(actor=actor)
    by_acronym = {}
    for name, acronym, kind, country, founded in SEED_ORGANISATIONS:
        organisation = Organisation.objects.filter(acronym=acronym, kind=kind).first()
        if organisation is None:
            organisation = actions.organisation_create(
                actor=actor,
                name=name,
                acronym=acronym,
                kind=kind,
                country=Country.objects.get(code=country),
                founded=founded,
                publicly_listed=True,
                sex_worker_led="yes",
            )
        by_acronym[acronym] = organisation
    return by_acronym
