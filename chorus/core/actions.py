"""Writes of the shared kernel: accounts, two-factor devices and session events."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.core.audit import record_change
from chorus.core.models import Role, User


@transaction.atomic
def session_record(*, actor: User, event: str) -> None:
    record_change(actor=actor, action=event, obj=actor)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    region: str = "",
    organisation=None,
    email: str = "",
) -> User:
    """Create an account; scoped roles must say their region or organisation."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    if role == Role.REGIONAL_COORDINATOR and not region:
        raise ValueError("a regional coordinator needs a region")
    if role == Role.MEMBER_EDITOR and organisation is None:
        raise ValueError("a member editor needs an organisation")
    user = User(username=username, email=email, role=role, region=region, organisation=organisation)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    record_change(
        actor=actor, action="user.create", obj=user, changed_fields=["username", "role", "region"]
    )
    return user


@transaction.atomic
def two_factor_start(*, actor: User) -> TOTPDevice:
    """Create (or reuse) the user's unconfirmed authenticator device for set-up."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
        record_change(actor=actor, action="two_factor.start", obj=actor)
    return device


@transaction.atomic
def two_factor_confirm(*, actor: User, device: TOTPDevice) -> TOTPDevice:
    """Confirm the device once the user has proved it works; older devices are removed."""
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_change(actor=actor, action="two_factor.enable", obj=actor, changed_fields=["device"])
    return device


@transaction.atomic
def two_factor_disable(*, actor: User) -> None:
    TOTPDevice.objects.filter(user=actor).delete()
    record_change(actor=actor, action="two_factor.disable", obj=actor, changed_fields=["device"])


@transaction.atomic
def password_change(*, actor: User, new_password: str) -> None:
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    record_change(
        actor=actor, action="user.password_change", obj=actor, changed_fields=["password"]
    )
