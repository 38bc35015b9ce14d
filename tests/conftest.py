"""Shared fixtures: one user per role, organisations in and out of each scope."""

from __future__ import annotations

import os

import pytest

from chorus.core import actions as core_actions
from chorus.core.models import Region, Role
from chorus.network import actions as network_actions
from chorus.network.models import Country, OrganisationKind

PASSWORD = "correct horse battery staple 42"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI a skipped test is a failure: no class of tests may silently not run."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped on CI, which is not allowed: {report.longrepr}"


@pytest.fixture(autouse=True)
def english_by_default():
    """Start every test in English: URLs reversed in a test take the active language's prefix."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def countries(db):
    network_actions.countries_sync(actor=None)
    return {code: Country.objects.get(code=code) for code in ("KE", "TH", "FR", "EC", "GY")}


def make_organisation(name: str, country: Country, *, listed: bool = True, **extra):
    return network_actions.organisation_create(
        actor=None,
        name=name,
        kind=extra.pop("kind", OrganisationKind.MEMBER),
        country=country,
        publicly_listed=listed,
        sex_worker_led=extra.pop("sex_worker_led", "yes"),
        notes=extra.pop("notes", ""),
        **extra,
    )


@pytest.fixture
def organisations(countries):
    """Listed and unlisted members in Africa (Kenya) and Asia (Thailand)."""
    return {
        "africa_listed": make_organisation("Kenya Listed Collective", countries["KE"]),
        "africa_unlisted": make_organisation(
            "Nairobi Quiet Collective", countries["KE"], listed=False, notes="safe house address"
        ),
        "asia_listed": make_organisation("Bangkok Listed Group", countries["TH"]),
        "asia_unlisted": make_organisation(
            "Chiang Mai Quiet Group", countries["TH"], listed=False, notes="meets on Tuesdays"
        ),
    }


def make_user(username: str, role: str, **scope):
    return core_actions.user_create(
        actor=None, username=username, password=PASSWORD, role=role, **scope
    )


@pytest.fixture
def users(organisations):
    return {
        Role.SECRETARIAT: make_user("sec", Role.SECRETARIAT),
        Role.REGIONAL_COORDINATOR: make_user(
            "coord", Role.REGIONAL_COORDINATOR, region=Region.AFRICA
        ),
        Role.MEMBER_EDITOR: make_user(
            "editor", Role.MEMBER_EDITOR, organisation=organisations["africa_listed"]
        ),
        Role.RESEARCHER: make_user("researcher", Role.RESEARCHER),
        Role.VIEWER: make_user("viewer", Role.VIEWER),
    }


def verified_client(client, user):
    """Sign the user in, completing two-factor when the role requires it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.two_factor_required:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(client):
    def _client_for(user):
        client.logout()
        return verified_client(client, user)

    return _client_for
