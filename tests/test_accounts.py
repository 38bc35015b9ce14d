"""Sign-in, lockout, two-factor, idle sessions and polite failures."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import chorus.settings as production_settings
from chorus.core import actions
from chorus.core.middleware import SIGNED_IN_COOKIE
from chorus.core.models import AuditEvent, Role
from tests.conftest import PASSWORD


def current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def wait_out_throttling(device: TOTPDevice) -> None:
    """Stand in for the seconds a person waits after a wrong code (the device throttles retries)."""
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_in_production_settings():
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        user = actions.user_create(
            actor=None, username="hashme", password=PASSWORD, role=Role.VIEWER
        )
    assert user.password.startswith("argon2$")


@pytest.mark.django_db
def test_weak_passwords_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.user_create(actor=None, username="weak", password="12345678", role=Role.VIEWER)


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password_explains_without_revealing_which_part(client, users):
    response = client.post(reverse("core:login"), {"username": "viewer", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    response = client.post(reverse("core:login"), {"username": "nobody", "password": "nope"})
    assert "do not match an account" in response.content.decode()


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("core:login"), {"username": "viewer", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_other_accounts_are_not_locked_by_someone_elses_failures(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("core:login"), {"username": "viewer", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "researcher", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_secretariat_must_set_up_two_factor_before_anything_else(client, users):
    client.post(reverse("core:login"), {"username": "sec", "password": PASSWORD})
    response = client.get(reverse("network:organisation_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:two_factor_setup"))
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=users[Role.SECRETARIAT], confirmed=False)
    refused = client.post(reverse("core:two_factor_setup"), {"token": "000000"})
    assert "not valid" in refused.content.decode()
    wait_out_throttling(device)
    done = client.post(
        reverse("core:two_factor_setup"),
        {"token": current_token(device), "next": reverse("network:organisation_list")},
    )
    assert done.status_code == 302 and done["Location"] == reverse("network:organisation_list")
    assert client.get(reverse("network:organisation_list")).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.enable").exists()


@pytest.mark.django_db
def test_secretariat_with_a_device_must_enter_a_code_at_each_sign_in(users):
    user = users[Role.SECRETARIAT]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.post(reverse("core:login"), {"username": "sec", "password": PASSWORD})
    response = client.get(reverse("core:audit_trail"))
    assert response["Location"].startswith(reverse("core:two_factor_verify"))
    assert client.post(reverse("core:two_factor_verify"), {"token": "123456"}).status_code == 200
    wait_out_throttling(device)
    response = client.post(reverse("core:two_factor_verify"), {"token": current_token(device)})
    assert response.status_code == 302
    assert client.get(reverse("core:audit_trail")).status_code == 200


@pytest.mark.django_db
def test_two_factor_is_optional_for_other_roles(client, users):
    client.post(reverse("core:login"), {"username": "viewer", "password": PASSWORD})
    assert client.get(reverse("network:organisation_list")).status_code == 200


@pytest.mark.django_db
def test_an_expired_session_is_explained_at_sign_in(client, users):
    client.post(reverse("core:login"), {"username": "viewer", "password": PASSWORD})
    assert client.cookies[SIGNED_IN_COOKIE].value == "1"
    client.session.flush()  # what the session store does after CHORUS_SESSION_MINUTES idle
    client.cookies[settings.SESSION_COOKIE_NAME] = "expired-session-key"
    response = client.get(reverse("network:organisation_list"), follow=True)
    assert "session ended after a period without activity" in response.content.decode()


def test_sessions_expire_when_idle_in_production_settings():
    assert production_settings.SESSION_COOKIE_AGE == 30 * 60
    assert "chorus.core.middleware.SessionRefreshMiddleware" in production_settings.MIDDLEWARE


@pytest.mark.django_db
def test_activity_renews_a_session_at_most_once_a_minute(client, users, monkeypatch):
    """Each page view used to write the session; now its expiry moves on once a minute."""
    from django.contrib.sessions.models import Session

    from chorus.core import middleware

    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client.post(reverse("core:login"), {"username": "viewer", "password": PASSWORD})
    url = reverse("network:organisation_list")
    client.get(url)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    clock[0] += 30
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [
        q for q in queries.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]
    ]
    assert Session.objects.get(session_key=key).expire_date == first
    # A minute after the last renewal, the next request pushes the expiry forward.
    clock[0] += 31
    client.get(url)
    assert Session.objects.get(session_key=key).expire_date > first


@pytest.mark.django_db
def test_anonymous_visitors_get_no_session(client):
    from django.contrib.sessions.models import Session

    client.get(reverse("core:login"))
    client.get("/en/")
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_a_csrf_failure_gets_a_polite_page_and_changes_nothing(users, organisations):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.REGIONAL_COORDINATOR])
    organisation = organisations["africa_listed"]
    response = client.post(
        reverse("network:organisation_edit", args=[organisation.pk]),
        {"name": "Forged", "kind": "member", "country": "KE"},
    )
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name != "Forged"


@pytest.mark.django_db
def test_an_unwritable_database_gets_a_polite_answer_and_no_half_write(
    client_for, users, organisations
):
    organisation = organisations["africa_listed"]
    client = client_for(users[Role.REGIONAL_COORDINATOR])
    events_before = AuditEvent.objects.count()
    with mock.patch(
        "chorus.core.audit.AuditEvent.objects.create",
        side_effect=OperationalError("attempt to write a readonly database"),
    ):
        response = client.post(
            reverse("network:organisation_edit", args=[organisation.pk]),
            {"name": "Half Written", "kind": "member", "country": "KE"},
        )
    assert response.status_code == 503
    assert "nothing was changed" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Kenya Listed Collective"
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
def test_signing_out_requires_post_and_ends_the_session(client, users):
    client.post(reverse("core:login"), {"username": "viewer", "password": PASSWORD})
    assert client.get(reverse("core:logout")).status_code == 405
    client.post(reverse("core:logout"))
    assert client.get(reverse("network:organisation_list")).status_code == 302
