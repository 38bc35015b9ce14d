"""Each role signs in through the real browser, switches to Chinese and sees the page in Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.core.models import Role
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAMES = {
    Role.SECRETARIAT: "sec",
    Role.REGIONAL_COORDINATOR: "coord",
    Role.MEMBER_EDITOR: "editor",
    Role.RESEARCHER: "researcher",
    Role.VIEWER: "viewer",
}


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/en/accounts/sign-in/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("role", list(USERNAMES))
def test_role_signs_in_and_switches_to_chinese(page, live_server, users, role):
    user = users[role]
    if role == Role.SECRETARIAT:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(page, live_server, USERNAMES[role])
    if role == Role.SECRETARIAT:
        assert "/accounts/two-factor/verify/" in page.url
        token = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
        page.get_by_label("Six-digit code").fill(token)
        page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Chorus"
    page.select_option("#language-select", "zh-hans")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url("**/zh-hans/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with translation.override("zh-hans"):
        member_registry, registry, audit_trail = (
            gettext("Member registry"),
            gettext("Registry"),
            gettext("Audit trail"),
        )
    assert member_registry != "Member registry"  # the catalog really translated it
    assert page.get_by_role("link", name=member_registry).first.is_visible()
    path = screenshot(page, f"sign-in-{role}-zh-hans")
    assert path.stat().st_size > 5_000
    # The registry opens in Chinese too, and the audit trail only for the secretariat.
    with page.expect_navigation():
        page.get_by_role("link", name=registry, exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == member_registry
    assert (page.get_by_role("link", name=audit_trail).count() > 0) is (role == Role.SECRETARIAT)


def test_secretariat_sets_up_two_factor_in_the_browser(page, live_server, users):
    sign_in(page, live_server, "sec")
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator("img.qr").is_visible()
    device = TOTPDevice.objects.get(user=users[Role.SECRETARIAT], confirmed=False)
    token = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    page.get_by_label("Six-digit code").fill(token)
    page.get_by_role("button", name="Turn on").click()
    assert page.locator(".message.success").is_visible()
    screenshot(page, "two-factor-enabled")


def test_wrong_password_is_explained_in_chinese(page, live_server, users):
    page.goto(f"{live_server.url}/zh-hans/accounts/sign-in/")
    page.locator("#id_username").fill("viewer")
    page.locator("#id_password").fill("wrong password")
    page.locator("button[type=submit].primary").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".form-errors").is_visible()
    screenshot(page, "sign-in-error-zh-hans")
