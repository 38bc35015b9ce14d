"""Every role against every registry and audit page: out of scope looks like nothing is there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chorus.core.models import AuditEvent, Role
from chorus.network.models import Organisation

SEC, COORD, EDITOR, RESEARCHER, VIEWER = (
    Role.SECRETARIAT,
    Role.REGIONAL_COORDINATOR,
    Role.MEMBER_EDITOR,
    Role.RESEARCHER,
    Role.VIEWER,
)
ALL_ROLES = [SEC, COORD, EDITOR, RESEARCHER, VIEWER]

# Which roles may open each organisation's page (others get 404, as if it did not exist).
CAN_VIEW = {
    "africa_listed": set(ALL_ROLES),
    "asia_listed": set(ALL_ROLES),
    "africa_unlisted": {SEC, COORD},
    "asia_unlisted": {SEC},
}
CAN_EDIT = {
    "africa_listed": {SEC, COORD, EDITOR},
    "asia_listed": {SEC},
    "africa_unlisted": {SEC, COORD},
    "asia_unlisted": {SEC},
}
# Who may read the confidential fields (need-to-know within scope).
CAN_READ_CONFIDENTIAL = CAN_EDIT


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("key", list(CAN_VIEW))
def test_detail_page_is_refused_outside_scope(client_for, users, organisations, role, key):
    """A guessed detail URL outside the user's scope answers 404, the same as a missing object."""
    client = client_for(users[role])
    organisation = organisations[key]
    response = client.get(reverse("network:organisation_detail", args=[organisation.pk]))
    expected = 200 if role in CAN_VIEW[key] else 404
    assert response.status_code == expected
    if expected == 404:
        assert organisation.name not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("key", list(CAN_EDIT))
def test_edit_page_and_post_are_refused_outside_scope(client_for, users, organisations, role, key):
    """Neither the edit form nor a forged POST works outside scope, and nothing changes."""
    client = client_for(users[role])
    organisation = organisations[key]
    url = reverse("network:organisation_edit", args=[organisation.pk])
    allowed = role in CAN_EDIT[key]
    assert client.get(url).status_code == (200 if allowed else 404)
    events_before = AuditEvent.objects.filter(action="organisation.update").count()
    response = client.post(
        url,
        {
            "name": "Renamed by " + role,
            "kind": organisation.kind,
            "country": organisation.country_id,
            "publicly_listed": "on",
        },
    )
    organisation.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert organisation.name == "Renamed by " + role
        assert AuditEvent.objects.filter(action="organisation.update").count() == events_before + 1
    else:
        assert response.status_code == 404
        assert organisation.name != "Renamed by " + role
        assert AuditEvent.objects.filter(action="organisation.update").count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_and_export_show_only_visible_organisations(client_for, users, organisations, role):
    """Lists and CSV exports contain exactly the organisations the role may see."""
    client = client_for(users[role])
    page = client.get(reverse("network:organisation_list")).content.decode()
    export = client.get(reverse("network:export_members"))
    assert export.status_code == 200
    exported = export.content.decode("utf-8-sig")
    for key, organisation in organisations.items():
        visible = role in CAN_VIEW[key]
        assert (organisation.name in page) is visible, (key, "list")
        assert (organisation.name in exported) is visible, (key, "export")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_search_does_not_reveal_unlisted_organisations(client_for, users, organisations, role):
    client = client_for(users[role])
    response = client.get(reverse("network:organisation_list"), {"q": "Quiet"})
    content = response.content.decode()
    assert ("Chiang Mai Quiet Group" in content) is (role == SEC)
    assert ("Nairobi Quiet Collective" in content) is (role in {SEC, COORD})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("key", list(CAN_READ_CONFIDENTIAL))
def test_confidential_fields_shown_only_on_need_to_know(
    client_for, users, organisations, role, key
):
    organisation = organisations[key]
    Organisation.objects.filter(pk=organisation.pk)  # keep the object fresh for each case
    client = client_for(users[role])
    response = client.get(reverse("network:organisation_detail", args=[organisation.pk]))
    if response.status_code != 200:
        return  # refusal is covered by the detail-page test
    shows = "Sex worker-led" in response.content.decode()
    assert shows is (role in CAN_READ_CONFIDENTIAL[key])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_secretariat_reads_the_audit_trail(client_for, users, role):
    client = client_for(users[role])
    for name in ("core:audit_trail", "core:access_log"):
        assert client.get(reverse(name)).status_code == (200 if role == SEC else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_secretariat_and_coordinators_create_organisations(client_for, users, countries, role):
    client = client_for(users[role])
    response = client.get(reverse("network:organisation_create"))
    assert response.status_code == (200 if role in {SEC, COORD} else 403)


@pytest.mark.django_db
def test_coordinator_cannot_place_an_organisation_in_another_region(client_for, users, countries):
    """A coordinator cannot create an organisation in another region; nothing is written."""
    client = client_for(users[COORD])
    response = client.post(
        reverse("network:organisation_create"),
        {"name": "Elsewhere Group", "kind": "member", "country": "TH", "publicly_listed": "on"},
    )
    assert response.status_code == 200
    assert "your own region" in response.content.decode()
    assert not Organisation.objects.filter(name="Elsewhere Group").exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, organisations):
    for url in (
        reverse("network:organisation_list"),
        reverse("network:organisation_detail", args=[organisations["africa_listed"].pk]),
        reverse("network:export_members"),
        reverse("core:audit_trail"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/sign-in/" in response["Location"]
