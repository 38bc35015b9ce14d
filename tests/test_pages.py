"""The UI shell: light pages, nothing from another site, a strict policy, usable without scripts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chorus.core.models import Role

PAGES = [
    ("dashboard:home", []),
    ("core:account", []),
    ("core:audit_trail", []),
    ("core:access_log", []),
    ("network:organisation_list", []),
    ("network:organisation_create", []),
]
MAX_PAGE_BYTES = 100 * 1024


@pytest.fixture
def secretariat_client(client_for, users):
    return client_for(users[Role.SECRETARIAT])


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_pages_are_light_and_load_nothing_from_elsewhere(secretariat_client, name, args):
    response = secretariat_client.get(reverse(name, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < MAX_PAGE_BYTES
    external = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]*)"', html)
    assert external == []
    assert '<meta name="viewport"' in html


@pytest.mark.django_db
def test_every_response_carries_a_strict_content_security_policy(secretariat_client):
    response = secretariat_client.get(reverse("dashboard:home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_forms_work_without_javascript(secretariat_client):
    """Every form posts or gets to a real URL with a submit button; nothing relies on scripts."""
    html = secretariat_client.get(reverse("network:organisation_create")).content.decode()
    forms = re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S)
    assert forms
    for form in forms:
        assert re.search(r'<button[^>]*type="submit"', form), form[:80]
    assert "onclick=" not in html and "javascript:" not in html


@pytest.mark.django_db
def test_form_fields_are_labelled_and_errors_are_announced(secretariat_client):
    response = secretariat_client.post(reverse("network:organisation_create"), {"name": ""})
    html = response.content.decode()
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_\w+)"', html):
        assert f'for="{field_id}"' in html, field_id
    assert 'role="alert"' in html
    assert "This field is required." in html


@pytest.mark.django_db
def test_lists_are_paginated(secretariat_client, countries, settings):
    from tests.conftest import make_organisation

    settings.CHORUS_PAGE_SIZE = 5
    for index in range(12):
        make_organisation(f"Paged Org {index:02d}", countries["FR"])
    first = secretariat_client.get(
        reverse("network:organisation_list"), {"q": "Paged"}
    ).content.decode()
    assert "Page 1 of 3" in first and first.count("Paged Org") == 5
    third = secretariat_client.get(
        reverse("network:organisation_list"), {"q": "Paged", "page": 3}
    ).content.decode()
    assert third.count("Paged Org") == 2
    assert "q=Paged" in third  # filters survive paging


@pytest.mark.django_db
def test_export_neutralises_spreadsheet_formulas(secretariat_client, countries):
    from tests.conftest import make_organisation

    make_organisation('=HYPERLINK("http://evil")', countries["FR"])
    exported = secretariat_client.get(reverse("network:export_members")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    assert "\n=HYPERLINK" not in exported and ",=HYPERLINK" not in exported


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(
    secretariat_client, countries, django_assert_max_num_queries
):
    from tests.conftest import make_organisation

    for index in range(30):
        make_organisation(f"Counted Org {index}", countries["KE"])
    with django_assert_max_num_queries(12):
        secretariat_client.get(reverse("network:organisation_list"))
