"""Stance over time, the power map and the movable middle, alerts, and backlash preparedness."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chorus.core.models import AuditEvent, Role
from chorus.engagement import actions as engagement_actions
from chorus.network import actions as network_actions
from chorus.stakeholders import actions, analysis, queries
from chorus.stakeholders.models import AlertKind, StanceObservation

D = datetime.date
TODAY = D.today()


DEFAULT_DAY = D(2020, 1, 1)


def observe(actor_org=None, stance=0, on=DEFAULT_DAY, issue="decriminalisation", person=None):
    return actions.observation_record(
        actor=None,
        organisation=actor_org,
        person=person,
        issue=issue,
        stance=stance,
        observed_on=on,
        evidence_kind="quote",
        evidence_text="Seen in a public statement.",
    )


@pytest.fixture
def allies(countries):
    make = network_actions.organisation_create
    return {
        "unwomen": make(actor=None, name="UN Women", kind="un_body", country=countries["FR"]),
        "amnesty": make(
            actor=None, name="Amnesty International", kind="human_rights", country=countries["FR"]
        ),
        "fund": make(actor=None, name="Women's Fund", kind="donor", country=countries["KE"]),
    }


@pytest.fixture
def platform(db):
    return engagement_actions.platform_create(actor=None, name="CSW", kind="csw", level="global")


# Recording -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_observation_without_evidence_is_refused(allies, users):
    for kind, extra in (("quote", {}), ("link", {"evidence_text": "words"}), ("engagement", {})):
        with pytest.raises(ValidationError, match="evidence"):
            actions.observation_record(
                actor=users[Role.SECRETARIAT],
                organisation=allies["amnesty"],
                issue="decriminalisation",
                stance=2,
                observed_on=D(2016, 5, 26),
                evidence_kind=kind,
                **extra,
            )
    assert not StanceObservation.objects.exists()


@pytest.mark.django_db
def test_an_observation_dated_in_the_future_is_refused(allies, users):
    with pytest.raises(ValidationError, match="future"):
        actions.observation_record(
            actor=users[Role.SECRETARIAT],
            organisation=allies["amnesty"],
            issue="decriminalisation",
            stance=2,
            observed_on=TODAY + datetime.timedelta(days=1),
            evidence_kind="quote",
            evidence_text="A promise.",
        )
    assert not StanceObservation.objects.exists()


@pytest.mark.django_db
def test_an_observation_names_exactly_one_actor(allies, users):
    from chorus.network.models import Person

    person = Person.objects.create(display_name="Someone")
    with pytest.raises(ValidationError):
        actions.observation_record(
            actor=None,
            organisation=allies["amnesty"],
            person=person,
            issue="inclusion",
            stance=1,
            observed_on=D(2020, 1, 1),
            evidence_kind="quote",
            evidence_text="x",
        )
    with pytest.raises(ValidationError):
        actions.observation_record(
            actor=None,
            issue="inclusion",
            stance=1,
            observed_on=D(2020, 1, 1),
            evidence_kind="quote",
            evidence_text="x",
        )


@pytest.mark.django_db
def test_viewers_and_researchers_cannot_record_stances(allies, users):
    for role in (Role.VIEWER, Role.RESEARCHER):
        with pytest.raises(PermissionDenied):
            actions.observation_record(
                actor=users[role],
                organisation=allies["amnesty"],
                issue="inclusion",
                stance=1,
                observed_on=D(2020, 1, 1),
                evidence_kind="quote",
                evidence_text="x",
            )


@pytest.mark.django_db
def test_current_stance_is_derived_from_the_latest_observation(allies, users, client_for):
    observe(allies["amnesty"], 0, D(2014, 1, 1))
    observe(allies["amnesty"], 2, D(2016, 5, 26))
    timeline = queries.timeline_for(users[Role.VIEWER], organisation_id=allies["amnesty"].pk)
    assert timeline.current["decriminalisation"].stance == 2
    page = (
        client_for(users[Role.VIEWER])
        .get(reverse("stakeholders:organisation_timeline", args=[allies["amnesty"].pk]))
        .content.decode()
    )
    assert "Active ally" in page and "2016-05-26" in page and "Seen in a public statement" in page


@pytest.mark.django_db
def test_the_form_records_an_observation_and_audits_it(client_for, users, allies):
    client = client_for(users[Role.REGIONAL_COORDINATOR])
    response = client.post(
        reverse("stakeholders:observation_create"),
        {
            "organisation": allies["fund"].pk,
            "issue": "sex_work_is_work",
            "stance": "1",
            "observed_on": "2021-06-01",
            "evidence_kind": "link",
            "evidence_url": "https://example.org/statement",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="stance.observe").count() == 1
    refused = client.post(
        reverse("stakeholders:observation_create"),
        {
            "organisation": allies["fund"].pk,
            "issue": "sex_work_is_work",
            "stance": "1",
            "observed_on": "2021-06-01",
            "evidence_kind": "quote",
        },
    )
    assert refused.status_code == 200 and "needs its evidence" in refused.content.decode()
    assert StanceObservation.objects.count() == 1


# Alerts -------------------------------------------------------------------------------------


def kinds(alerts, name=None):
    return [(a.kind, a.name) for a in alerts if name is None or a.name == name]


@pytest.mark.django_db
def test_the_un_women_reversal_of_2020_fires_an_alert(allies, users):
    """Neutral in 2016, active opposition in 2020: a fall of two bands."""
    observe(allies["unwomen"], 0, D(2016, 1, 1))
    observe(allies["unwomen"], -2, D(2020, 7, 1))
    alerts = queries.alerts_for(users[Role.VIEWER])
    assert kinds(alerts, "UN Women") == [(AlertKind.REVERSAL, "UN Women")]
    assert "Neutral" in alerts[0].message and "Active opposition" in alerts[0].message


@pytest.mark.django_db
def test_a_slide_over_several_steps_is_a_reversal(allies, users):
    observe(allies["fund"], 2, D(2019, 1, 1), issue="inclusion")
    observe(allies["fund"], 1, D(2019, 6, 1), issue="inclusion")
    observe(allies["fund"], 0, D(2020, 1, 1), issue="inclusion")
    assert AlertKind.REVERSAL in [a.kind for a in queries.alerts_for(users[Role.VIEWER])]


@pytest.mark.django_db
def test_a_one_band_wobble_does_not_fire(allies, users):
    for index, stance in enumerate([1, 0, 1, 0, 1, 0]):
        observe(allies["amnesty"], stance, D(2018, 1 + index, 1))
    alerts = queries.alerts_for(users[Role.VIEWER])
    assert AlertKind.REVERSAL not in [a.kind for a in alerts]


@pytest.mark.django_db
def test_a_rise_does_not_fire(allies, users):
    observe(allies["amnesty"], -2, D(2014, 1, 1))
    observe(allies["amnesty"], 2, D(2016, 5, 26))
    assert AlertKind.REVERSAL not in [a.kind for a in queries.alerts_for(users[Role.VIEWER])]


@pytest.mark.django_db
def test_rotation_alerts_when_an_ally_leaves_or_an_opponent_arrives_in_an_influential_post(
    allies, users
):
    from chorus.network.models import Person

    unwomen = allies["unwomen"]
    actions.influence_assess(actor=None, organisation=unwomen, level=5, assessed_on=D(2020, 1, 1))
    ally = Person.objects.create(display_name="Friendly Director")
    opponent = Person.objects.create(display_name="Hostile Director")
    observe(None, 2, D(2019, 1, 1), person=ally)
    observe(None, -2, D(2019, 1, 1), person=opponent)
    recently = TODAY - datetime.timedelta(days=30)
    network_actions.position_create(
        actor=None,
        person=ally,
        organisation=unwomen,
        title="Executive director",
        start=D(2013, 8, 19),
        end=recently,
    )
    network_actions.position_create(
        actor=None,
        person=opponent,
        organisation=unwomen,
        title="Executive director",
        start=recently,
    )
    alerts = queries.alerts_for(users[Role.SECRETARIAT])
    found = {(a.kind, a.name) for a in alerts}
    assert (AlertKind.ROTATION_OUT, "Friendly Director") in found
    assert (AlertKind.ROTATION_IN, "Hostile Director") in found


@pytest.mark.django_db
def test_no_rotation_alert_for_posts_without_influence(allies, users):
    from chorus.network.models import Person

    ally = Person.objects.create(display_name="Quiet Ally")
    observe(None, 2, D(2019, 1, 1), person=ally)
    network_actions.position_create(
        actor=None,
        person=ally,
        organisation=allies["fund"],
        title="Intern",
        start=D(2019, 1, 1),
        end=TODAY - datetime.timedelta(days=10),
    )
    assert not [
        a for a in queries.alerts_for(users[Role.SECRETARIAT]) if a.kind.startswith("rotation")
    ]


@pytest.mark.django_db
def test_a_stalled_ally_is_flagged_and_clears_after_an_engagement(
    allies, users, organisations, platform, settings
):
    settings.CHORUS_STALLED_ALLY_DAYS = 365
    observe(allies["fund"], 2, D(2019, 1, 1), issue="inclusion")
    assert kinds(queries.alerts_for(users[Role.VIEWER]), "Women's Fund") == [
        (AlertKind.STALLED, "Women's Fund")
    ]
    engagement_actions.engagement_create(
        actor=None,
        title="Meeting the fund",
        kind="meeting",
        organisation=organisations["africa_listed"],
        platform=platform,
        level="global",
        start=TODAY - datetime.timedelta(days=20),
        partners=[allies["fund"]],
    )
    assert kinds(queries.alerts_for(users[Role.VIEWER]), "Women's Fund") == []


@pytest.mark.django_db
def test_acknowledging_an_alert_removes_it_from_the_open_list(client_for, users, allies):
    observe(allies["unwomen"], 0, D(2016, 1, 1))
    observe(allies["unwomen"], -2, D(2020, 7, 1))
    alert = queries.alerts_for(users[Role.VIEWER])[0]
    viewer = client_for(users[Role.VIEWER])
    response = viewer.post(
        reverse("stakeholders:alert_acknowledge"),
        {"kind": alert.kind, "trigger": alert.trigger},
    )
    assert response.status_code == 403
    coordinator = client_for(users[Role.REGIONAL_COORDINATOR])
    response = coordinator.post(
        reverse("stakeholders:alert_acknowledge"),
        {"kind": alert.kind, "trigger": alert.trigger},
    )
    assert response.status_code == 302
    assert alert.trigger not in [a.trigger for a in queries.alerts_for(users[Role.VIEWER])]
    assert AuditEvent.objects.filter(action="alert.acknowledge").count() == 1


@pytest.mark.django_db
def test_alerts_about_unlisted_organisations_stay_in_scope(organisations, users):
    observe(organisations["asia_unlisted"], 2, D(2016, 1, 1))
    observe(organisations["asia_unlisted"], 0, D(2020, 1, 1))
    assert [a.name for a in queries.alerts_for(users[Role.SECRETARIAT]) if a.kind == "reversal"]
    for role in (Role.REGIONAL_COORDINATOR, Role.VIEWER):
        assert not [a for a in queries.alerts_for(users[role]) if a.kind == "reversal"]


# Power map and movable middle -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_movable_middle_lists_passive_and_neutral_actors_with_a_next_step(
    allies, users, organisations, platform
):
    observe(allies["amnesty"], 2, D(2016, 5, 26))
    observe(allies["unwomen"], -1, D(2019, 1, 1))
    observe(allies["fund"], -1, D(2019, 1, 1))
    engagement = engagement_actions.engagement_create(
        actor=None,
        title="CSW64 side event",
        kind="side_event",
        organisation=organisations["africa_listed"],
        platform=platform,
        level="global",
        start=TODAY - datetime.timedelta(days=60),
        partners=[allies["fund"]],
    )
    observe(allies["fund"], 0, TODAY - datetime.timedelta(days=30))
    actions.influence_assess(
        actor=None, organisation=allies["unwomen"], level=5, assessed_on=D(2020, 1, 1)
    )
    power_map = queries.power_map_for(users[Role.VIEWER], issue="decriminalisation")
    middle = {actor.name: actor for actor in power_map.movable_middle}
    assert set(middle) == {"UN Women", "Women's Fund"}
    assert next(iter(middle)) == "UN Women"  # most influential first
    assert "No engagement recorded yet" in middle["UN Women"].next_step
    assert engagement.title in middle["Women's Fund"].next_step
    assert "Moved toward us" in middle["Women's Fund"].next_step


def test_next_step_after_a_year_without_contact():
    points = [analysis.Point(1, D(2019, 1, 1), 0)]
    contact = analysis.Contact(D(2019, 1, 1), 3, "Meeting")
    step = analysis.next_step(points, contact, [contact], D(2020, 6, 1))
    assert "No contact for 17 months" in step


@pytest.mark.django_db
def test_the_power_map_page_and_chart(client_for, users, allies):
    observe(allies["amnesty"], 2, D(2016, 5, 26))
    observe(allies["unwomen"], 0, D(2019, 1, 1))
    client = client_for(users[Role.VIEWER])
    page = client.get(reverse("stakeholders:power_map"), {"issue": "decriminalisation"})
    html = page.content.decode()
    assert page.status_code == 200 and "UN Women" in html and len(page.content) < 100_000
    chart = client.get(reverse("stakeholders:power_map_chart"), {"issue": "decriminalisation"})
    svg = chart.content.decode()
    assert chart["Content-Type"] == "image/svg+xml" and "<script" not in svg
    assert "UN Women" in svg
    filtered = client.get(reverse("stakeholders:power_map"), {"kind": "donor"}).content.decode()
    assert "UN Women" not in filtered.split('id="movable-middle"')[1]


# Backlash preparedness -------------------------------------------------------------------------


@pytest.mark.django_db
def test_backlash_checklist_is_tracked_per_ally_and_per_engagement(
    client_for, users, allies, organisations, platform
):
    engagement = engagement_actions.engagement_create(
        actor=None,
        title="Joint statement launch",
        kind="statement_signed",
        organisation=organisations["africa_listed"],
        platform=platform,
        level="global",
        start=D(2021, 3, 8),
        partners=[allies["amnesty"]],
    )
    url = reverse("stakeholders:backlash_checklist", args=[allies["amnesty"].pk])
    client = client_for(users[Role.REGIONAL_COORDINATOR])
    client.post(url, {"item": "media_plan", "status": "done", "note": "Press lines agreed"})
    client.post(
        url, {"item": "spokesperson_security", "status": "in_progress", "engagement": engagement.pk}
    )
    page = client.get(url).content.decode()
    assert "Press lines agreed" in page and "Joint statement launch" in page
    general = queries.backlash_checklist_for(users[Role.VIEWER], allies["amnesty"])["rows"]
    assert general[None]["media_plan"].status == "done"
    assert general[engagement.pk]["spokesperson_security"].status == "in_progress"
    viewer = client_for(users[Role.VIEWER])
    assert viewer.post(url, {"item": "media_plan", "status": "not_needed"}).status_code == 403
