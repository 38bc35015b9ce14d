"""Every write leaves one audit event in its own transaction; the trail cannot be altered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from chorus.core.audit import record_change
from chorus.core.models import AccessEvent, AuditEvent, Role
from chorus.network import actions
from chorus.network.models import Organisation
from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_an_action_writes_one_event_naming_changed_fields_without_values(users, organisations):
    organisation = organisations["africa_listed"]
    actor = users[Role.SECRETARIAT]
    actions.organisation_update(
        actor=actor, organisation=organisation, name="New Name", notes="a secret note", founded=None
    )
    event = AuditEvent.objects.filter(action="organisation.update").latest("id")
    assert event.actor == actor
    assert event.object_type == "network.organisation"
    assert event.object_id == str(organisation.pk)
    assert event.changed_fields == ["name", "notes"]
    stored = str(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert "a secret note" not in stored and "New Name" not in stored


@pytest.mark.django_db
def test_a_failing_action_leaves_neither_change_nor_event(users, countries):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        actions.organisation_create(
            actor=users[Role.SECRETARIAT], name="", kind="member", country=countries["KE"]
        )
    assert AuditEvent.objects.count() == before
    assert not Organisation.objects.filter(name="").exists()


@pytest.mark.django_db(transaction=True)
def test_audit_events_are_written_only_inside_a_transaction(users):
    with pytest.raises(RuntimeError):
        record_change(actor=users[Role.VIEWER], action="x", obj=users[Role.VIEWER])


@pytest.mark.django_db
def test_audit_events_cannot_be_edited_or_deleted(users):
    with transaction.atomic():
        event = record_change(actor=None, action="test.event", obj=users[Role.VIEWER])
    event.action = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_sign_in_and_sign_out_are_audited(client, users):
    user = users[Role.VIEWER]
    client.post(reverse("core:login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("core:logout"))
    actions_recorded = list(
        AuditEvent.objects.filter(actor=user).order_by("id").values_list("action", flat=True)
    )
    assert actions_recorded[-2:] == ["user.sign_in", "user.sign_out"]


@pytest.mark.django_db
def test_reading_confidential_fields_is_logged(client_for, users, organisations):
    user = users[Role.REGIONAL_COORDINATOR]
    organisation = organisations["africa_unlisted"]
    client = client_for(user)
    client.get(reverse("network:organisation_detail", args=[organisation.pk]))
    event = AccessEvent.objects.latest("id")
    assert (event.actor, event.object_id, event.data_class, event.purpose) == (
        user,
        str(organisation.pk),
        "confidential",
        "view",
    )


@pytest.mark.django_db
def test_reading_a_listed_page_without_confidential_fields_is_not_logged(
    client_for, users, organisations
):
    client = client_for(users[Role.VIEWER])
    before = AccessEvent.objects.count()
    client.get(reverse("network:organisation_detail", args=[organisations["asia_listed"].pk]))
    assert AccessEvent.objects.count() == before


@pytest.mark.django_db
def test_secretariat_filters_the_trail(client_for, users, organisations):
    client = client_for(users[Role.SECRETARIAT])
    actions.organisation_update(
        actor=users[Role.REGIONAL_COORDINATOR],
        organisation=organisations["africa_listed"],
        acronym="KLC",
    )
    response = client.get(reverse("core:audit_trail"), {"actor": "coord"})
    content = response.content.decode()
    assert "organisation.update" in content
    assert "user.create" not in content
    response = client.get(reverse("core:audit_trail"), {"action": "user.create"})
    assert "organisation.update" not in response.content.decode()
    response = client.get(
        reverse("core:audit_trail"), {"since": "2030-01-02", "until": "2030-01-01"}
    )
    assert "must not be after" in response.content.decode()
