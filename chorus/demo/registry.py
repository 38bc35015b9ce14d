"""The registry part of the demo, from the seed document and the domain notes.

Every organisation, coalition, person and post here is named in NSWP's case study on engaging the
women's movement (Chinese edition, 2021) or in the public facts restated in the domain notes;
Chinese names are the seed's own. Where the seed names a person without a title, the post says
so rather than inventing one. Dates the seed does not give are left empty.
"""

from __future__ import annotations

import datetime

from chorus.network import actions
from chorus.network.models import (
    Country,
    Membership,
    MembershipStatus,
    NetworkStatistic,
    Organisation,
    OrganisationKind,
    Person,
    Position,
    Tier,
)

K = OrganisationKind
ROLE_NOT_STATED = "Role not stated in the source"

# acronym: (name, kind, country, founded, sex worker-led, Chinese name from the seed)
ORGANISATIONS = {
    "NSWP": ("Global Network of Sex Work Projects", K.GLOBAL_NETWORK, "GB", 1990, True, ""),
    "ASWA": ("African Sex Workers Alliance", K.REGIONAL_NETWORK, "KE", 2009, True, ""),
    "APNSW": (
        "Asia Pacific Network of Sex Workers",
        K.REGIONAL_NETWORK,
        "TH",
        1994,
        True,
        "亚太性工作者网络",
    ),
    "ESWA": (
        "European Sex Workers' Rights Alliance",
        K.REGIONAL_NETWORK,
        "NL",
        None,
        True,
        "欧洲性工作者权利联盟",
    ),
    "SWAN": ("Sex Workers' Rights Advocacy Network", K.REGIONAL_NETWORK, "HU", None, True, ""),
    "PLAPERTS": (
        "Plataforma Latinoamericana de Personas que Ejercen el Trabajo Sexual",
        K.REGIONAL_NETWORK,
        "EC",
        2014,
        True,
        "",
    ),
    "CSWC": (
        "Caribbean Sex Work Coalition",
        K.REGIONAL_NETWORK,
        "GY",
        2011,
        True,
        "加勒比性工作联盟",
    ),
    "STRASS": ("Syndicat du Travail Sexuel", K.MEMBER, "FR", None, True, ""),
    "Stella": ("Stella, l'amie de Maimie", K.MEMBER, "CA", None, True, ""),
    "Sopeku": ("Sopeku", K.MEMBER, "SN", None, True, ""),
    "Amelia": ("Amelia", K.MEMBER, "KZ", None, True, ""),
    "NZPC": ("New Zealand Prostitutes' Collective", K.MEMBER, "NZ", None, True, ""),
    "Sisonke": ("Sisonke", K.MEMBER, "ZA", None, True, ""),
    "KESWA": ("Kenya Sex Workers Alliance", K.MEMBER, "KE", None, True, ""),
    "SWOP Behind Bars": ("SWOP Behind Bars", K.MEMBER, "US", None, True, ""),
    "Empower": ("Empower Foundation", K.MEMBER, "TH", None, True, ""),
    "AMMAR": ("Asociación de Mujeres Meretrices de la Argentina", K.MEMBER, "AR", None, True, ""),
    "FEMNET": (
        "African Women's Development and Communication Network",
        K.WOMENS_RIGHTS,
        "KE",
        None,
        False,
        "非洲妇女与发展传播网络",
    ),
    "Amnesty": ("Amnesty International", K.HUMAN_RIGHTS, "GB", None, False, ""),
    "CREA": ("CREA", K.WOMENS_RIGHTS, "IN", None, False, "创造资源"),
    "GAATW": ("Global Alliance Against Traffic in Women", K.HUMAN_RIGHTS, "TH", None, False, ""),
    "IWRAW-AP": (
        "International Women's Rights Action Watch Asia Pacific",
        K.WOMENS_RIGHTS,
        "MY",
        None,
        False,
        "亚太国际妇女权利行动观察组织",
    ),
    "OSF": ("Open Society Foundations", K.DONOR, "US", None, False, "开放社会基金会"),
    "WGNRR": (
        "Women's Global Network for Reproductive Rights",
        K.WOMENS_RIGHTS,
        "PH",
        None,
        False,
        "妇女生殖权利全球网络",
    ),
    "Mama Cash": ("Mama Cash", K.DONOR, "NL", None, False, ""),
    "RUF": ("Red Umbrella Fund", K.DONOR, "NL", 2012, True, ""),
    "AWID": (
        "Association for Women's Rights in Development",
        K.WOMENS_RIGHTS,
        "CA",
        None,
        False,
        "",
    ),
    "UN Women": ("UN Women", K.UN_BODY, "US", 2010, False, "联合国妇女署"),
    "CEDAW Committee": (
        "Committee on the Elimination of Discrimination against Women",
        K.UN_BODY,
        "CH",
        1982,
        False,
        "",
    ),
    "ICWEA": (
        "International Community of Women Living with HIV Eastern Africa",
        K.WOMENS_RIGHTS,
        "UG",
        None,
        False,
        "",
    ),
    "GFW": ("Global Fund for Women", K.DONOR, "US", None, False, ""),
    "SWIFA": (
        "Sex Worker Inclusive Feminist Alliance",
        K.COALITION,
        None,
        2018,
        False,
        "性工作者包容性女权主义联盟",
    ),
    "CMI": ("Count Me In!", K.COALITION, "NL", 2016, False, "算上我！联合会"),
}

REGIONAL_NETWORK_OF_MEMBER = {
    "STRASS": "ESWA",
    "Sopeku": "ASWA",
    "Amelia": "SWAN",
    "NZPC": "APNSW",
    "Sisonke": "ASWA",
    "KESWA": "ASWA",
    "Empower": "APNSW",
    "AMMAR": "PLAPERTS",
}

# Coalition members as the seed gives them: SWIFA's eight core members (launched 2018); Count Me
# In! initiated by Mama Cash with the Red Umbrella Fund, NSWP working in it with CREA (2016).
COALITION_MEMBERS = {
    "SWIFA": (
        datetime.date(2018, 1, 1),
        [
            (acronym, Tier.CORE)
            for acronym in (
                "FEMNET",
                "Amnesty",
                "CREA",
                "GAATW",
                "NSWP",
                "IWRAW-AP",
                "OSF",
                "WGNRR",
            )
        ],
    ),
    "CMI": (
        datetime.date(2016, 1, 1),
        [
            ("Mama Cash", Tier.CORE),
            ("RUF", Tier.CORE),
            ("CREA", Tier.GENERAL),
            ("NSWP", Tier.GENERAL),
        ],
    ),
}

# (name, organisation acronym, title) for each person the seed quotes or names.
PEOPLE = [
    ("Miriam Edwards", "CSWC", "Regional coordinator"),
    ("Thierry Schaffauser", "STRASS", "Coordinator"),
    ("Jenn Clamen", "Stella", ROLE_NOT_STATED),
    ("Lala Maty-Sow", "Sopeku", "President"),
    ("Nadine Gloss", "NSWP", "Policy officer"),
    ("Carolyn Eisert", "Amnesty", "Policy adviser"),
    ("Karina Neira Bravo", "PLAPERTS", "Coordinator"),
    ("Susana Fried", "CREA", ROLE_NOT_STATED),
    ("KayThi Win", "APNSW", "Regional coordinator"),
    ("KayThi Win", "AWID", "Board member"),
    ("Ruth Morgan Thomas", "NSWP", "Global coordinator"),
    ("Nataliya Zholnerova", "Amelia", "Executive director"),
    ("Catherine Healy", "NZPC", "National coordinator"),
    ("Kholi Buthelezi", "Sisonke", "National coordinator"),
    ("Hakima Abbas", "AWID", "Co-executive director"),
    ("Happy Mwende Kinyili", "Mama Cash", "Programme director"),
    ("Alex Andrews", "SWOP Behind Bars", "Executive director"),
    ("Dorothy Namutamba", "ICWEA", ROLE_NOT_STATED),
    ("Liz Hilton", "Empower", ROLE_NOT_STATED),
    ("Sabrina Sanchez", "ESWA", ROLE_NOT_STATED),
    ("Cybèle Lespérance", "STRASS", ROLE_NOT_STATED),
    ("Neil McCulloch", "NSWP", "Senior policy officer"),
    ("Eugenia Aravena", "AMMAR", ROLE_NOT_STATED),
    ("Erin Williams", "GFW", ROLE_NOT_STATED),
    ("Phelister Abdalla", "KESWA", ROLE_NOT_STATED),
    ("Phelister Abdalla", "NSWP", "Vice-president"),
]

PUBLISHED_TOTALS = {
    "date": datetime.date(2021, 1, 1),
    "member_count": 306,
    "country_count": 99,
    "source": "NSWP, Sex Worker-led Organisations' Engagement with the Women's Movement (2021)",
}


def _organisation(acronym: str) -> Organisation | None:
    name = ORGANISATIONS[acronym][0]
    return Organisation.objects.filter(name=name, is_synthetic=False).first()


def load_registry(*, actor=None) -> dict[str, Organisation]:
    """Create whatever part of the seed registry is missing; return organisations by acronym."""
    actions.countries_sync(actor=actor)
    by_acronym: dict[str, Organisation] = {}
    for acronym, (name, kind, country, founded, led, chinese) in ORGANISATIONS.items():
        organisation = _organisation(acronym)
        if organisation is None:
            organisation = actions.organisation_create(
                actor=actor,
                name=name,
                names={"zh-hans": chinese} if chinese else {},
                acronym=acronym if acronym != name else "",
                kind=kind,
                country=Country.objects.get(code=country) if country else None,
                founded=founded,
                publicly_listed=True,
                sex_worker_led="yes" if led else "no",
            )
        by_acronym[acronym] = organisation
    _load_memberships(actor, by_acronym)
    _load_people(actor, by_acronym)
    nswp = by_acronym["NSWP"]
    if not NetworkStatistic.objects.filter(network=nswp, date=PUBLISHED_TOTALS["date"]).exists():
        actions.network_statistic_record(actor=actor, network=nswp, **PUBLISHED_TOTALS)
    return by_acronym


def _record(actor, organisation, network, tier, joined=None) -> None:
    if not Membership.objects.filter(organisation=organisation, network=network).exists():
        actions.membership_record(
            actor=actor,
            organisation=organisation,
            network=network,
            tier=tier,
            status=MembershipStatus.MEMBER,
            joined=joined,
        )


def _load_memberships(actor, by_acronym: dict[str, Organisation]) -> None:
    nswp = by_acronym["NSWP"]
    for acronym, (_name, kind, *_rest) in ORGANISATIONS.items():
        if kind in (K.REGIONAL_NETWORK, K.MEMBER):
            _record(actor, by_acronym[acronym], nswp, Tier.FULL)
    for member, network in REGIONAL_NETWORK_OF_MEMBER.items():
        _record(actor, by_acronym[member], by_acronym[network], Tier.FULL)
    for coalition, (joined, members) in COALITION_MEMBERS.items():
        for acronym, tier in members:
            _record(actor, by_acronym[acronym], by_acronym[coalition], tier, joined)


def _load_people(actor, by_acronym: dict[str, Organisation]) -> None:
    for name, acronym, title in PEOPLE:
        organisation = by_acronym[acronym]
        if Position.objects.filter(person__display_name=name, organisation=organisation).exists():
            continue
        person = Person.objects.filter(display_name=name, is_synthetic=False).first()
        actions.position_add(
            actor=actor,
            organisation=organisation,
            title=title,
            person=person,
            new_person_name=name,
        )
