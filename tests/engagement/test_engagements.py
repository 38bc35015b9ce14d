"""The engagement log: scoped like the registry, validated, with files and coalition histories."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from chorus.core.models import AuditEvent, Role
from chorus.engagement import actions, queries
from chorus.engagement.models import Engagement
from chorus.network import actions as network_actions
from chorus.network.models import Organisation

D = datetime.date


@pytest.fixture
def platform(db):
    return actions.platform_create(
        actor=None, name="UN Commission on the Status of Women", kind="csw", level="global"
    )


@pytest.fixture
def engagements(organisations, platform):
    def record(name, organisation, **extra):
        return actions.engagement_create(
            actor=None,
            title=name,
            kind="side_event",
            organisation=organisations[organisation],
            platform=platform,
            level="global",
            start=extra.pop("start", D(2019, 3, 12)),
            **extra,
        )

    return {
        "africa_listed": record("Kenyan side event", "africa_listed", strategies=["alliances"]),
        "africa_unlisted": record("Quiet Nairobi meeting", "africa_unlisted"),
        "asia_unlisted": record("Quiet Chiang Mai delegation", "asia_unlisted"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.SECRETARIAT, {"africa_listed", "africa_unlisted", "asia_unlisted"}),
        (Role.REGIONAL_COORDINATOR, {"africa_listed", "africa_unlisted"}),
        (Role.MEMBER_EDITOR, {"africa_listed"}),
        (Role.RESEARCHER, {"africa_listed"}),
        (Role.VIEWER, {"africa_listed"}),
    ],
)
def test_engagements_follow_the_visibility_of_their_organisation(
    client_for, users, engagements, role, visible
):
    client = client_for(users[role])
    listing = client.get(reverse("engagement:engagement_list")).content.decode()
    for key, engagement in engagements.items():
        assert (engagement.title in listing) is (key in visible)
        detail = client.get(reverse("engagement:engagement_detail", args=[engagement.pk]))
        assert detail.status_code == (200 if key in visible else 404)


@pytest.mark.django_db
def test_a_member_editor_records_only_its_own_organisations_engagements(
    users, organisations, platform
):
    editor = users[Role.MEMBER_EDITOR]
    actions.engagement_create(
        actor=editor,
        title="Our training",
        kind="training",
        organisation=organisations["africa_listed"],
        platform=platform,
        level="national",
        start=D(2020, 5, 1),
    )
    with pytest.raises(PermissionDenied):
        actions.engagement_create(
            actor=editor,
            title="Someone else's",
            kind="training",
            organisation=organisations["asia_listed"],
            platform=platform,
            level="national",
            start=D(2020, 5, 1),
        )
    assert not Engagement.objects.filter(title="Someone else's").exists()


@pytest.mark.django_db
def test_an_engagement_ending_before_it_starts_is_refused_and_nothing_is_written(
    users, organisations, platform
):
    before = (Engagement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="before the start"):
        actions.engagement_create(
            actor=users[Role.SECRETARIAT],
            title="Backwards",
            kind="meeting",
            organisation=organisations["africa_listed"],
            platform=platform,
            level="local",
            start=D(2020, 5, 2),
            end=D(2020, 5, 1),
        )
    assert (Engagement.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_the_form_records_an_engagement_with_partners_strategies_and_barriers(
    client_for, users, organisations, platform, countries
):
    ally = network_actions.organisation_create(
        actor=None, name="Women's Fund", kind="donor", country=countries["FR"]
    )
    client = client_for(users[Role.MEMBER_EDITOR])
    response = client.post(
        reverse("engagement:engagement_create"),
        {
            "title": "Briefing donors",
            "organisation": organisations["africa_listed"].pk,
            "kind": "meeting",
            "platform": platform.pk,
            "level": "regional",
            "start": "2021-02-03",
            "partners": [ally.pk],
            "strategies": ["common_ground", "soft_power"],
            "barriers": ["stigma"],
            "links": "example.org/report\n",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    engagement = Engagement.objects.get(title="Briefing donors")
    assert list(engagement.partners.all()) == [ally]
    assert engagement.strategies == ["common_ground", "soft_power"]
    assert engagement.links == "https://example.org/report"
    page = client.get(response["Location"]).content.decode()
    assert "Finding common ground" in page and "Stigma and stereotypes" in page


@pytest.mark.django_db
def test_the_form_needs_a_platform_or_event(client_for, users, organisations):
    client = client_for(users[Role.SECRETARIAT])
    response = client.post(
        reverse("engagement:engagement_create"),
        {
            "title": "Nowhere",
            "organisation": organisations["africa_listed"].pk,
            "kind": "meeting",
            "level": "local",
            "start": "2021-02-03",
        },
    )
    assert response.status_code == 200
    assert "choose a platform or an event" in response.content.decode()


@pytest.mark.django_db
def test_unlisted_partners_are_not_revealed_on_an_engagement(
    client_for, users, organisations, platform
):
    engagement = actions.engagement_create(
        actor=None,
        title="Joint event",
        kind="side_event",
        organisation=organisations["africa_listed"],
        platform=platform,
        level="global",
        start=D(2019, 3, 12),
        partners=[organisations["asia_unlisted"], organisations["asia_listed"]],
    )
    page = (
        client_for(users[Role.VIEWER])
        .get(reverse("engagement:engagement_detail", args=[engagement.pk]))
        .content.decode()
    )
    assert "Bangkok Listed Group" in page
    assert "Chiang Mai Quiet Group" not in page


@pytest.mark.django_db
def test_attachments_are_checked_stored_under_a_random_name_and_served_in_scope(
    client_for, users, engagements, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    engagement = engagements["africa_unlisted"]
    coordinator = client_for(users[Role.REGIONAL_COORDINATOR])
    url = reverse("engagement:engagement_detail", args=[engagement.pk])
    refused = coordinator.post(
        url, {"title": "Script", "file": SimpleUploadedFile("run.exe", b"MZ...")}
    )
    assert "Only PDF" in refused.content.decode()
    coordinator.post(
        url, {"title": "Report", "file": SimpleUploadedFile("names-of-members.txt", b"hello")}
    )
    attachment = engagement.attachments.get()
    assert "names-of-members" not in attachment.file.name
    download = reverse("engagement:attachment_download", args=[attachment.pk])
    assert b"".join(coordinator.get(download).streaming_content) == b"hello"
    assert client_for(users[Role.VIEWER]).get(download).status_code == 404


@pytest.mark.django_db
def test_filters_by_strategy_year_and_platform(users, engagements, platform):
    secretariat = users[Role.SECRETARIAT]
    assert [e.title for e in queries.engagements_for(secretariat, strategy="alliances")] == [
        "Kenyan side event"
    ]
    assert queries.engagements_for(secretariat, year=2019, platform=platform.pk).count() == 3
    assert queries.engagements_for(secretariat, year=2020).count() == 0


@pytest.mark.django_db
def test_demo_builds_the_seeds_engagements_and_the_swifa_history(client_for):
    call_command("demo")
    from chorus.core.models import User

    secretariat = User.objects.get(username="secretariat")
    titles = set(Engagement.objects.values_list("title", flat=True))
    assert "KayThi Win speaks in the AWID Forum plenary" in titles
    assert "Side event at CSW63 with Count Me In! and SWIFA" in titles
    swifa = Organisation.objects.get(acronym="SWIFA")
    client = client_for(secretariat)
    page = client.get(reverse("engagement:coalition_detail", args=[swifa.pk])).content.decode()
    assert "FEMNET" in page or "African Women" in page
    assert "Launch of the Sex Worker Inclusive Feminist Alliance" in page
    assert "2018-01-01" in page


@pytest.mark.django_db
def test_moving_an_engagement_moves_its_partners_last_contact_date(
    users, organisations, platform, countries
):
    """The copy of the date kept for "last contact" follows the engagement when it changes."""
    from chorus.engagement.models import EngagementPartner

    ally = network_actions.organisation_create(
        actor=None, name="Ally Fund", kind="donor", country=countries["FR"]
    )
    engagement = actions.engagement_create(
        actor=None,
        title="Meeting",
        kind="meeting",
        organisation=organisations["africa_listed"],
        platform=platform,
        level="global",
        start=D(2020, 1, 1),
        partners=[ally],
    )
    actions.engagement_update(
        actor=users[Role.SECRETARIAT], engagement=engagement, start=D(2021, 6, 1)
    )
    assert EngagementPartner.objects.get(engagement=engagement).start == D(2021, 6, 1)
