"""The engagement log and stance map of the demo, from the seed document.

Platforms, events and engagements are those the case study describes; dates are the events'
public dates, or the first day of the year where the seed gives only a year. Every stance
observation cites the seed as its evidence.
"""

from __future__ import annotations

import datetime

from chorus.engagement import actions as engagement_actions
from chorus.engagement.models import Engagement, Event, Platform
from chorus.network.models import Country, Organisation, Person
from chorus.stakeholders import actions as stance_actions
from chorus.stakeholders.models import InfluenceAssessment

SEED = "NSWP (2021), Sex Worker-led Organisations' Engagement with the Women's Movement"
D = datetime.date

PLATFORMS = {
    "awid": ("AWID International Forum", "awid", "global"),
    "csw": ("UN Commission on the Status of Women", "csw", "global"),
    "beijing": ("Beijing+25 regional reviews", "beijing_review", "regional"),
    "gef": ("Generation Equality Forum", "generation_equality", "global"),
    "cedaw": ("CEDAW Committee", "cedaw", "global"),
    "swifa": ("Sex Worker Inclusive Feminist Alliance meetings", "coalition_meeting", "global"),
    "cmi": ("Count Me In! consortium", "coalition_meeting", "global"),
    "nz": ("New Zealand law reform", "national_policy", "national"),
    "unwomen": ("UN Women consultations", "other", "global"),
}

# key: (platform, name, session, start, end, place, country, online, interpretation)
EVENTS = {
    "awid2012": (
        "awid",
        "12th AWID International Forum",
        12,
        D(2012, 4, 19),
        D(2012, 4, 22),
        "Istanbul",
        "TR",
        False,
        [],
    ),
    "csw63": (
        "csw",
        "CSW63",
        63,
        D(2019, 3, 11),
        D(2019, 3, 22),
        "New York",
        "US",
        False,
        ["en", "fr", "es", "ru", "zh", "ar"],
    ),
    "csw64": (
        "csw",
        "CSW64",
        64,
        D(2020, 3, 9),
        D(2020, 3, 9),
        "New York",
        "US",
        False,
        ["en", "fr", "es", "ru", "zh", "ar"],
    ),
    "csw65": ("csw", "CSW65", 65, D(2021, 3, 15), D(2021, 3, 26), "", None, True, ["en"]),
    "b25africa": (
        "beijing",
        "Beijing+25 Africa regional review",
        None,
        D(2019, 1, 1),
        None,
        "",
        None,
        False,
        [],
    ),
    "b25asia": (
        "beijing",
        "Beijing+25 Asia-Pacific regional review",
        None,
        D(2019, 1, 1),
        None,
        "",
        None,
        False,
        [],
    ),
    "b25europe": (
        "beijing",
        "Beijing+25 Europe regional review",
        None,
        D(2019, 1, 1),
        None,
        "",
        None,
        False,
        [],
    ),
    "b25latam": (
        "beijing",
        "Beijing+25 Latin America regional review",
        None,
        D(2019, 1, 1),
        None,
        "",
        None,
        False,
        [],
    ),
    "gef2021": ("gef", "Generation Equality Forum", None, D(2021, 1, 1), None, "", None, True, []),
}

# (title, kind, organisation, platform, event, level, start, partners, people, strategies, barriers)
ENGAGEMENTS = [
    (
        "Safe space for sex workers at the AWID Forum",
        "meeting",
        "APNSW",
        "awid",
        "awid2012",
        "global",
        D(2012, 4, 19),
        ["NSWP", "AWID"],
        [],
        ["alliances", "soft_power"],
        ["stigma"],
    ),
    (
        "KayThi Win speaks in the AWID Forum plenary",
        "plenary",
        "APNSW",
        "awid",
        "awid2012",
        "global",
        D(2012, 4, 20),
        ["AWID"],
        ["KayThi Win"],
        ["soft_power", "common_ground"],
        [],
    ),
    (
        "Side event at CSW63 with Count Me In! and SWIFA",
        "side_event",
        "NSWP",
        "csw",
        "csw63",
        "global",
        D(2019, 3, 12),
        ["CMI", "SWIFA"],
        ["Ruth Morgan Thomas"],
        ["alliances", "movable_middle"],
        ["trafficking"],
    ),
    (
        "Delegation to CSW63",
        "delegation",
        "NSWP",
        "csw",
        "csw63",
        "global",
        D(2019, 3, 11),
        ["CMI"],
        [],
        ["alliances"],
        ["exclusion"],
    ),
    (
        "Side event and delegation at CSW64",
        "side_event",
        "NSWP",
        "csw",
        "csw64",
        "global",
        D(2020, 3, 9),
        ["CMI", "SWIFA", "CREA"],
        [],
        ["alliances", "patience"],
        [],
    ),
    (
        "Online parallel event at CSW65",
        "side_event",
        "NSWP",
        "csw",
        "csw65",
        "global",
        D(2021, 3, 16),
        ["CMI", "SWIFA"],
        [],
        ["alliances"],
        ["access"],
    ),
    (
        "Beijing+25 review in Africa",
        "consultation",
        "ASWA",
        "beijing",
        "b25africa",
        "regional",
        D(2019, 1, 1),
        ["FEMNET"],
        [],
        ["common_ground"],
        ["stigma"],
    ),
    (
        "Beijing+25 review in Asia and the Pacific",
        "consultation",
        "APNSW",
        "beijing",
        "b25asia",
        "regional",
        D(2019, 1, 1),
        [],
        [],
        ["common_ground"],
        [],
    ),
    (
        "Beijing+25 review in Europe",
        "consultation",
        "ESWA",
        "beijing",
        "b25europe",
        "regional",
        D(2019, 1, 1),
        [],
        [],
        ["common_ground"],
        ["trafficking"],
    ),
    (
        "Beijing+25 review in Latin America",
        "consultation",
        "PLAPERTS",
        "beijing",
        "b25latam",
        "regional",
        D(2019, 1, 1),
        [],
        [],
        ["common_ground"],
        [],
    ),
    (
        "Seat on the Generation Equality Forum civil society advisory group",
        "meeting",
        "NSWP",
        "gef",
        "gef2021",
        "global",
        D(2021, 1, 1),
        ["UN Women"],
        ["Phelister Abdalla"],
        ["movable_middle"],
        ["tokenism"],
    ),
    (
        "Shadow report to CEDAW on Kazakhstan",
        "shadow_report",
        "Amelia",
        "cedaw",
        None,
        "global",
        D(2019, 1, 1),
        ["IWRAW-AP", "CEDAW Committee"],
        ["Nataliya Zholnerova"],
        ["patience"],
        [],
    ),
    (
        "Sex Workers' Rights Framework and CEDAW; Shadow Report Guidelines",
        "publication",
        "NSWP",
        "cedaw",
        None,
        "global",
        D(2018, 1, 1),
        ["IWRAW-AP"],
        [],
        ["alliances"],
        [],
    ),
    (
        "Launch of the Sex Worker Inclusive Feminist Alliance",
        "meeting",
        "NSWP",
        "swifa",
        None,
        "global",
        D(2018, 1, 1),
        ["SWIFA", "FEMNET", "Amnesty", "CREA", "GAATW", "IWRAW-AP", "OSF", "WGNRR"],
        [],
        ["alliances", "common_ground"],
        [],
    ),
    (
        "Count Sex Workers In! campaign on COVID-19",
        "statement_drafted",
        "NSWP",
        "cmi",
        None,
        "global",
        D(2020, 1, 1),
        ["CMI", "Mama Cash", "CREA", "RUF"],
        [],
        ["alliances", "self_care"],
        [],
    ),
    (
        "Drafting the Prostitution Reform Act with women's organisations",
        "statement_drafted",
        "NZPC",
        "nz",
        None,
        "national",
        D(2003, 1, 1),
        [],
        ["Catherine Healy"],
        ["alliances", "patience"],
        [],
    ),
    (
        "UN Women consultation held only online and in English",
        "consultation",
        "NSWP",
        "unwomen",
        None,
        "global",
        D(2016, 1, 1),
        ["UN Women"],
        [],
        [],
        ["exclusion", "access"],
    ),
]

# (organisation, issue, stance, date, evidence text)
STANCES = [
    (
        "Amnesty",
        "decriminalisation",
        0,
        D(2014, 1, 1),
        "Before its 2016 policy, Amnesty International had no public position on "
        "decriminalisation.",
    ),
    (
        "Amnesty",
        "decriminalisation",
        2,
        D(2016, 1, 1),
        "Amnesty International's 2016 policy calls for the full decriminalisation of sex work; "
        "the organisation was attacked for it.",
    ),
    (
        "UN Women",
        "decriminalisation",
        0,
        D(2016, 1, 1),
        "UN Women stated a neutral position on the legal framework for sex work.",
    ),
    (
        "UN Women",
        "decriminalisation",
        -2,
        D(2020, 1, 1),
        "In 2020 the former UN Women executive director undercut the agency's stated neutrality.",
    ),
    (
        "AWID",
        "inclusion",
        2,
        D(2012, 4, 22),
        "AWID made space for sex workers at its 2012 forum; KayThi Win was elected to its board.",
    ),
    ("CREA", "inclusion", 2, D(2016, 1, 1), "CREA works with NSWP in Count Me In! and SWIFA."),
    (
        "Mama Cash",
        "sex_work_is_work",
        2,
        D(2012, 1, 1),
        "Mama Cash helped found and has hosted the sex worker-led Red Umbrella Fund since 2012.",
    ),
    ("FEMNET", "inclusion", 1, D(2018, 1, 1), "FEMNET is a core member of SWIFA."),
    ("GAATW", "trafficking_framing", 1, D(2018, 1, 1), "GAATW is a core member of SWIFA."),
    (
        "CEDAW Committee",
        "decriminalisation",
        1,
        D(2019, 1, 1),
        "A steady rise in CEDAW recommendations affirming sex workers' rights, e.g. Kazakhstan.",
    ),
    (
        "CEDAW Committee",
        "trafficking_framing",
        -1,
        D(2020, 1, 1),
        "General Recommendation 38 (2020) on trafficking promotes 'end demand' measures.",
    ),
]

INFLUENCE = {
    "UN Women": 5,
    "CEDAW Committee": 5,
    "Amnesty": 4,
    "AWID": 4,
    "CREA": 3,
    "Mama Cash": 3,
    "FEMNET": 3,
    "GAATW": 2,
}


def load_engagements(*, organisations: dict[str, Organisation]) -> int:
    """Create the seed's platforms, events, engagements and stances that are missing."""
    if Engagement.objects.filter(is_synthetic=False, title=ENGAGEMENTS[0][0]).exists():
        return 0
    platforms = {}
    for key, (name, kind, level) in PLATFORMS.items():
        platforms[key] = Platform.objects.filter(
            name=name
        ).first() or engagement_actions.platform_create(
            actor=None, name=name, kind=kind, level=level
        )
    events = {}
    for key, (
        platform,
        name,
        session,
        start,
        end,
        place,
        country,
        online,
        languages,
    ) in EVENTS.items():
        events[key] = Event.objects.filter(name=name).first() or engagement_actions.event_create(
            actor=None,
            platform=platforms[platform],
            name=name,
            session_number=session,
            start=start,
            end=end,
            place=place,
            country=Country.objects.get(code=country) if country else None,
            online=online,
            interpretation_languages=languages,
        )
    created = {}
    for (
        title,
        kind,
        organisation,
        platform,
        event,
        level,
        start,
        partners,
        people,
        strategies,
        barriers,
    ) in ENGAGEMENTS:
        created[title] = engagement_actions.engagement_create(
            actor=None,
            title=title,
            kind=kind,
            organisation=organisations[organisation],
            platform=platforms[platform],
            event=events[event] if event else None,
            level=level,
            start=start,
            description=f"Source: {SEED}.",
            strategies=strategies,
            barriers=barriers,
            partners=[organisations[acronym] for acronym in partners],
            people=list(Person.objects.filter(display_name__in=people, is_synthetic=False)),
        )
    for acronym, issue, stance, date, text in STANCES:
        stance_actions.observation_record(
            actor=None,
            organisation=organisations[acronym],
            issue=issue,
            stance=stance,
            observed_on=date,
            evidence_kind="document",
            evidence_text=f"{text} ({SEED})",
        )
    for acronym, level in INFLUENCE.items():
        if not InfluenceAssessment.objects.filter(organisation=organisations[acronym]).exists():
            stance_actions.influence_assess(
                actor=None,
                organisation=organisations[acronym],
                level=level,
                assessed_on=D(2021, 1, 1),
            )
    return len(created)
