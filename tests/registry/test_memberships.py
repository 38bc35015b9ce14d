"""Memberships: the application flow, tiers, status history, and who may take each step."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from chorus.core.models import AuditEvent, Role
from chorus.network import actions
from chorus.network.models import Country, MembershipStatus, Tier

TODAY = datetime.date.today()


@pytest.fixture
def network(countries):
    return actions.organisation_create(
        actor=None,
        name="Global Network of Sex Work Projects",
        acronym="NSWP",
        kind="global_network",
        country=Country.objects.get(code="GB"),
    )


@pytest.fixture
def application(users, organisations, network):
    """An application from the African member editor's own organisation."""
    return actions.membership_apply(
        actor=users[Role.MEMBER_EDITOR],
        organisation=organisations["africa_listed"],
        network=network,
        tier=Tier.FULL,
        consensus_statement_endorsed=TODAY,
        core_values_endorsed=TODAY,
    )


@pytest.mark.django_db
def test_application_is_verified_by_the_region_and_approved_by_the_secretariat(users, application):
    actions.membership_verify(actor=users[Role.REGIONAL_COORDINATOR], membership=application)
    assert application.status == MembershipStatus.VERIFIED
    assert application.verified_by == users[Role.REGIONAL_COORDINATOR]
    actions.membership_approve(actor=users[Role.SECRETARIAT], membership=application)
    application.refresh_from_db()
    assert application.status == MembershipStatus.MEMBER and application.joined == TODAY
    assert [event.status for event in application.events.all()] == ["applied", "verified", "member"]
    assert list(
        AuditEvent.objects.filter(object_type="network.membership").values_list("action", flat=True)
    )[::-1] == ["membership.apply", "membership.verify", "membership.approve"]


@pytest.mark.django_db
def test_a_coordinator_of_another_region_cannot_verify(users, application):
    from tests.conftest import make_user

    asia = make_user("asia", Role.REGIONAL_COORDINATOR, region="asia_pacific")
    with pytest.raises(PermissionDenied):
        actions.membership_verify(actor=asia, membership=application)
    application.refresh_from_db()
    assert application.status == MembershipStatus.APPLIED


@pytest.mark.django_db
def test_only_the_secretariat_approves(users, application):
    for role in (Role.REGIONAL_COORDINATOR, Role.MEMBER_EDITOR, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            actions.membership_approve(actor=users[role], membership=application)
    application.refresh_from_db()
    assert application.status == MembershipStatus.APPLIED


@pytest.mark.django_db
def test_a_referred_application_reaches_the_secretariat(users, application):
    actions.membership_refer(actor=users[Role.REGIONAL_COORDINATOR], membership=application)
    assert application.status == MembershipStatus.REFERRED
    actions.membership_approve(actor=users[Role.SECRETARIAT], membership=application)
    assert application.status == MembershipStatus.MEMBER


@pytest.mark.django_db
def test_approval_needs_both_endorsements(users, organisations, network):
    membership = actions.membership_apply(
        actor=users[Role.SECRETARIAT],
        organisation=organisations["asia_listed"],
        network=network,
        tier=Tier.ASSOCIATE,
    )
    with pytest.raises(ValidationError, match="Consensus Statement"):
        actions.membership_approve(actor=users[Role.SECRETARIAT], membership=membership)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPLIED


@pytest.mark.django_db
def test_full_membership_is_for_sex_worker_led_organisations_only(users, countries, network):
    from tests.conftest import make_organisation

    ally = make_organisation("Allied NGO", countries["KE"], sex_worker_led="no")
    with pytest.raises(ValidationError, match="sex worker-led"):
        actions.membership_apply(
            actor=users[Role.SECRETARIAT], organisation=ally, network=network, tier=Tier.FULL
        )
    with pytest.raises(ValidationError, match="tier"):
        actions.membership_apply(
            actor=users[Role.SECRETARIAT], organisation=ally, network=network, tier=Tier.CORE
        )


@pytest.mark.django_db
def test_a_second_open_application_is_refused(users, application, organisations, network):
    with pytest.raises(ValidationError, match="already"):
        actions.membership_apply(
            actor=users[Role.SECRETARIAT],
            organisation=organisations["africa_listed"],
            network=network,
            tier=Tier.ASSOCIATE,
        )


@pytest.mark.django_db
def test_status_over_time_suspension_reinstatement_and_departure(users, application):
    secretariat = users[Role.SECRETARIAT]
    actions.membership_approve(actor=secretariat, membership=application)
    actions.membership_set_status(actor=secretariat, membership=application, status="suspended")
    with pytest.raises(ValidationError, match="future"):
        actions.membership_set_status(
            actor=secretariat,
            membership=application,
            status="member",
            date=TODAY + datetime.timedelta(days=3),
        )
    actions.membership_set_status(actor=secretariat, membership=application, status="member")
    actions.membership_set_status(actor=secretariat, membership=application, status="left")
    assert [e.status for e in application.events.all()] == [
        "applied",
        "member",
        "suspended",
        "member",
        "left",
    ]
    with pytest.raises(ValidationError, match="not possible"):
        actions.membership_set_status(actor=secretariat, membership=application, status="suspended")


@pytest.mark.django_db
def test_application_queue_is_scoped(client_for, users, application, organisations, network):
    asia = actions.membership_apply(
        actor=users[Role.SECRETARIAT],
        organisation=organisations["asia_unlisted"],
        network=network,
        tier=Tier.ASSOCIATE,
    )
    seen = {}
    for role in (Role.SECRETARIAT, Role.REGIONAL_COORDINATOR, Role.MEMBER_EDITOR):
        content = client_for(users[role]).get(reverse("network:application_queue")).content.decode()
        seen[role] = ("Kenya Listed Collective" in content, "Chiang Mai Quiet Group" in content)
    assert seen == {
        Role.SECRETARIAT: (True, True),
        Role.REGIONAL_COORDINATOR: (True, False),
        Role.MEMBER_EDITOR: (True, False),
    }
    for role in (Role.RESEARCHER, Role.VIEWER):
        assert client_for(users[role]).get(reverse("network:application_queue")).status_code == 403
    response = client_for(users[Role.REGIONAL_COORDINATOR]).get(
        reverse("network:membership_detail", args=[asia.pk])
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_whole_flow_through_the_pages(client_for, users, organisations, network):
    editor = client_for(users[Role.MEMBER_EDITOR])
    organisation = organisations["africa_listed"]
    response = editor.post(
        reverse("network:membership_apply", args=[organisation.pk]),
        {
            "network": network.pk,
            "tier": "full",
            "consensus_statement_endorsed": TODAY.isoformat(),
            "core_values_endorsed": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    detail_url = response["Location"]
    # The member editor cannot decide on its own application.
    assert editor.post(detail_url, {"form": "decision", "decision": "approve"}).status_code == 403
    coordinator = client_for(users[Role.REGIONAL_COORDINATOR])
    assert "Verify the application" in coordinator.get(detail_url).content.decode()
    coordinator.post(detail_url, {"form": "decision", "decision": "verify", "note": "Met them"})
    secretariat = client_for(users[Role.SECRETARIAT])
    response = secretariat.post(detail_url, {"form": "decision", "decision": "approve"})
    assert response.status_code == 302
    page = secretariat.get(detail_url).content.decode()
    assert "Met them" in page and "Member" in page
    organisation_page = secretariat.get(
        reverse("network:organisation_detail", args=[organisation.pk])
    ).content.decode()
    assert "Full member (with vote)" in organisation_page


@pytest.mark.django_db
def test_an_application_outside_scope_cannot_be_made_by_guessing(
    client_for, users, organisations, network
):
    editor = client_for(users[Role.MEMBER_EDITOR])
    response = editor.post(
        reverse("network:membership_apply", args=[organisations["asia_listed"].pk]),
        {"network": network.pk, "tier": "associate"},
    )
    assert response.status_code == 404
    assert not organisations["asia_listed"].memberships.exists()
