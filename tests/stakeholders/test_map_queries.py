"""The power map and alert reads: exact scope, filters in the database, bounded query counts.

`queries.power_map_for` and `queries.alerts_for` read names, regions, influence levels and
contact dates in the same queries as the stances (see `bench/stakeholders_bench.py`); these
tests pin what that must not change: who sees what, and how many queries a read takes.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from chorus.core.models import Role
from chorus.engagement import actions as engagement_actions
from chorus.network import actions as network_actions
from chorus.network.models import Person
from chorus.stakeholders import actions, analysis, queries
from chorus.stakeholders.models import AlertKind, StanceObservation
from tests.conftest import make_organisation

D = datetime.date
TODAY = D.today()


def observe(stance, on, *, organisation=None, person=None, issue="decriminalisation"):
    return actions.observation_record(
        actor=None,
        organisation=organisation,
        person=person,
        issue=issue,
        stance=stance,
        observed_on=on,
        evidence_kind="quote",
        evidence_text="Said so in public.",
    )


def person_at(name, organisation, **period):
    person = Person.objects.create(display_name=name)
    network_actions.position_create(
        actor=None, person=person, organisation=organisation, title="Director", **period
    )
    return person


@pytest.fixture
def platform(db):
    return engagement_actions.platform_create(actor=None, name="CSW", kind="csw", level="global")


def engage(organisation, start, *, partners=(), people=(), platform, title="Meeting"):
    return engagement_actions.engagement_create(
        actor=None,
        title=title,
        kind="meeting",
        organisation=organisation,
        platform=platform,
        level="global",
        start=start,
        partners=list(partners),
        people=list(people),
    )


@pytest.fixture
def actors(organisations):
    """Unlisted organisations in Africa and Asia, and a person posted at each listed/unlisted."""
    return {
        "africa_unlisted": organisations["africa_unlisted"],
        "asia_unlisted": organisations["asia_unlisted"],
        "open_person": person_at("Open Director", organisations["africa_listed"]),
        "hidden_person": person_at("Hidden Director", organisations["asia_unlisted"]),
    }


def map_names(user, **filters):
    return {actor.name for actor in queries.power_map_for(user, **filters).actors}


@pytest.mark.django_db
def test_the_power_map_shows_each_role_exactly_its_scope(actors, users):
    observe(0, D(2020, 1, 1), organisation=actors["africa_unlisted"])
    observe(1, D(2020, 1, 1), organisation=actors["asia_unlisted"])
    observe(0, D(2020, 1, 1), person=actors["open_person"])
    observe(-1, D(2020, 1, 1), person=actors["hidden_person"])
    everyone = {
        "Nairobi Quiet Collective",
        "Chiang Mai Quiet Group",
        "Open Director",
        "Hidden Director",
    }
    assert map_names(users[Role.SECRETARIAT]) == everyone
    assert map_names(users[Role.REGIONAL_COORDINATOR]) == {
        "Nairobi Quiet Collective",
        "Open Director",
    }
    for role in (Role.MEMBER_EDITOR, Role.RESEARCHER, Role.VIEWER):
        assert map_names(users[role]) == {"Open Director"}
    assert map_names(None) == everyone  # the system itself
    from django.contrib.auth.models import AnonymousUser

    assert map_names(AnonymousUser()) == set()


@pytest.mark.django_db
def test_region_and_kind_filters_match_names_kinds_and_regions(actors, users, countries):
    donor = make_organisation("Thai Donor", countries["TH"], kind="donor")
    observe(0, D(2020, 1, 1), organisation=actors["africa_unlisted"])
    observe(1, D(2020, 1, 1), organisation=actors["asia_unlisted"])
    observe(2, D(2020, 1, 1), organisation=donor)
    observe(0, D(2020, 1, 1), person=actors["open_person"])
    secretariat = users[Role.SECRETARIAT]
    assert map_names(secretariat, region="asia_pacific") == {"Chiang Mai Quiet Group", "Thai Donor"}
    assert map_names(secretariat, region="africa") == {"Nairobi Quiet Collective"}
    assert map_names(secretariat, kind="person") == {"Open Director"}
    assert map_names(secretariat, kind="donor") == {"Thai Donor"}
    assert map_names(secretariat, kind="donor", region="africa") == set()
    rows = {a.name: a for a in queries.power_map_for(secretariat).actors}
    assert (rows["Thai Donor"].kind, rows["Thai Donor"].region) == ("donor", "asia_pacific")
    assert (rows["Open Director"].kind, rows["Open Director"].region) == ("person", "")
    assert rows["Open Director"].actor == ("person", actors["open_person"].pk)


@pytest.mark.django_db
def test_influence_is_the_latest_assessment_of_each_actor(actors, users):
    quiet, person = actors["africa_unlisted"], actors["open_person"]
    observe(0, D(2020, 1, 1), organisation=quiet)
    observe(0, D(2020, 1, 1), person=person)
    assess = actions.influence_assess
    assess(actor=None, organisation=quiet, level=5, assessed_on=D(2019, 1, 1))
    assess(actor=None, organisation=quiet, level=2, assessed_on=D(2021, 1, 1))
    assess(actor=None, person=person, level=3, assessed_on=D(2021, 1, 1))
    assess(actor=None, person=person, level=4, assessed_on=D(2021, 1, 1))  # same day, later
    rows = {a.name: a.influence for a in queries.power_map_for(users[Role.SECRETARIAT]).actors}
    assert rows == {"Nairobi Quiet Collective": 2, "Open Director": 4}


@pytest.mark.django_db
def test_next_steps_name_the_latest_contact_in_the_window_and_people_s_contacts(
    actors, users, organisations, platform
):
    quiet, person = actors["africa_unlisted"], actors["open_person"]
    observe(-1, TODAY - datetime.timedelta(days=200), organisation=quiet)
    engage(
        organisations["africa_listed"],
        TODAY - datetime.timedelta(days=150),
        partners=[quiet],
        platform=platform,
        title="First talk",
    )
    engage(
        organisations["africa_listed"],
        TODAY - datetime.timedelta(days=120),
        partners=[quiet],
        platform=platform,
        title="Second talk",
    )
    observe(0, TODAY - datetime.timedelta(days=100), organisation=quiet)
    engage(
        organisations["africa_listed"],
        TODAY - datetime.timedelta(days=50),
        partners=[quiet],
        platform=platform,
        title="Later talk",
    )
    observe(1, D(2020, 1, 1), person=person)
    engage(
        organisations["africa_listed"],
        TODAY - datetime.timedelta(days=10),
        people=[person],
        platform=platform,
        title="Coffee",
    )
    middle = {a.name: a for a in queries.power_map_for(users[Role.SECRETARIAT]).movable_middle}
    assert "Second talk" in middle["Nairobi Quiet Collective"].next_step
    assert middle["Nairobi Quiet Collective"].last_contact == TODAY - datetime.timedelta(days=50)
    assert middle["Open Director"].last_contact == TODAY - datetime.timedelta(days=10)
    assert "Keep engaging" in middle["Open Director"].next_step


@pytest.mark.django_db
def test_the_power_map_takes_the_same_number_of_queries_for_more_actors(
    actors, users, organisations, platform
):
    def count():
        with CaptureQueriesContext(connection) as captured:
            queries.power_map_for(users[Role.REGIONAL_COORDINATOR])
        return len(captured.captured_queries)

    observe(-1, D(2020, 1, 1), organisation=actors["africa_unlisted"])
    observe(0, D(2021, 1, 1), organisation=actors["africa_unlisted"])
    observe(0, D(2020, 1, 1), person=actors["open_person"])
    engage(
        organisations["africa_listed"],
        D(2020, 6, 1),
        partners=[actors["africa_unlisted"]],
        people=[actors["open_person"]],
        platform=platform,
    )
    few = count()
    for index in range(5):
        person = person_at(f"Director {index}", organisations["africa_listed"])
        organisation = make_organisation(f"Ally {index}", organisations["africa_listed"].country)
        observe(1, D(2020, 1, 1), person=person)
        observe(-1, D(2020, 1, 1), organisation=organisation)
        observe(1, D(2021, 1, 1), organisation=organisation)
        engage(
            organisations["africa_listed"],
            D(2020, 6, 1),
            partners=[organisation],
            people=[person],
            platform=platform,
        )
    assert count() == few


# Alerts ----------------------------------------------------------------------------------------


def alert_names(user, kind):
    return sorted(alert.name for alert in queries.alerts_for(user) if alert.kind == kind)


@pytest.mark.django_db
def test_reversals_of_people_follow_the_visibility_of_their_posts(actors, users):
    for key in ("open_person", "hidden_person"):
        observe(2, D(2019, 1, 1), person=actors[key])
        observe(0, D(2020, 1, 1), person=actors[key])
    assert alert_names(users[Role.SECRETARIAT], AlertKind.REVERSAL) == [
        "Hidden Director",
        "Open Director",
    ]
    for role in (Role.REGIONAL_COORDINATOR, Role.VIEWER):
        assert alert_names(users[role], AlertKind.REVERSAL) == ["Open Director"]


@pytest.mark.django_db
def test_a_stalled_ally_counts_only_engagements_the_reader_can_see(
    actors, users, organisations, countries, platform, settings
):
    settings.CHORUS_STALLED_ALLY_DAYS = 365
    ally = make_organisation("Listed Ally", countries["FR"], kind="donor")
    observe(2, D(2020, 1, 1), organisation=ally)
    observe(2, D(2020, 1, 1), organisation=actors["asia_unlisted"], issue="inclusion")
    # Recent, but recorded by an unlisted Asian member: only the secretariat sees it.
    engage(
        actors["asia_unlisted"],
        TODAY - datetime.timedelta(days=30),
        partners=[ally],
        platform=platform,
    )
    # Old, recorded by a listed member: everyone sees it.
    old = TODAY - datetime.timedelta(days=400)
    engage(organisations["africa_listed"], old, partners=[ally], platform=platform)

    def stalled(role):
        return {
            alert.name: alert.trigger
            for alert in queries.alerts_for(users[role])
            if alert.kind == AlertKind.STALLED
        }

    assert stalled(Role.SECRETARIAT) == {
        "Chiang Mai Quiet Group": f"stalled:{actors['asia_unlisted'].pk}:never"
    }
    for role in (Role.REGIONAL_COORDINATOR, Role.VIEWER):
        assert stalled(role) == {"Listed Ally": f"stalled:{ally.pk}:{old.isoformat()}"}
    facts = [a for a in queries.alerts_for(users[Role.VIEWER]) if a.kind == AlertKind.STALLED]
    assert facts[0].facts == (old,) and old.isoformat() in facts[0].message


@pytest.mark.django_db
def test_an_ally_whose_current_stance_cooled_is_not_stalled(users, countries):
    ally = make_organisation("Former Ally", countries["FR"], kind="donor")
    observe(2, D(2019, 1, 1), organisation=ally)
    observe(0, D(2020, 1, 1), organisation=ally)
    assert alert_names(users[Role.SECRETARIAT], AlertKind.STALLED) == []


@pytest.mark.django_db
def test_alerts_take_the_same_number_of_queries_for_more_actors(actors, users, countries):
    def count():
        with CaptureQueriesContext(connection) as captured:
            queries.alerts_for(users[Role.REGIONAL_COORDINATOR])
        return len(captured.captured_queries)

    observe(2, D(2019, 1, 1), person=actors["open_person"])
    observe(0, D(2020, 1, 1), person=actors["open_person"])
    few = count()
    for index in range(5):
        organisation = make_organisation(f"Ally {index}", countries["KE"])
        observe(2, D(2019, 1, 1), organisation=organisation)
        observe(0, D(2020, 1, 1), organisation=organisation)
        observe(2, D(2020, 1, 1), organisation=organisation, issue="inclusion")
    assert len(queries.alerts_for(users[Role.REGIONAL_COORDINATOR])) == 11
    assert count() == few


def _plan(queryset) -> str:
    sql, params = queryset.values_list("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_partial_indexes_exist_and_serve_the_current_stance_and_reversal_reads(users):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, StanceObservation._meta.db_table
        )
    assert {"stance_current_issue_idx", "stance_current_stance_idx", "stance_reversal_idx"} <= set(
        constraints
    )
    if connection.vendor != "sqlite":
        return  # PostgreSQL plans by table statistics; SQLite's choice is checked below.
    for role in (Role.SECRETARIAT, Role.REGIONAL_COORDINATOR):
        visible = queries.observations_for(users[role])
        current = visible.filter(is_current=True, issue="inclusion")
        assert "stance_current_issue_idx" in _plan(current)
        reversals = visible.filter(recent_best__gte=F("stance") + analysis.REVERSAL_BANDS)
        assert "stance_reversal_idx" in _plan(reversals)
