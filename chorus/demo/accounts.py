"""Demo accounts, one per role, with passwords generated once and kept in the data directory."""

from __future__ import annotations

import os
import secrets

from chorus import config
from chorus.core import actions
from chorus.core.models import Region, Role, User

CREDENTIALS_FILE = "demo-accounts.txt"


def _credentials_path():
    return config.var_dir() / CREDENTIALS_FILE


def read_credentials() -> dict[str, str]:
    path = _credentials_path()
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
    return {username: password for username, password in pairs}


def _write_credentials(credentials: dict[str, str]) -> None:
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.writelines(f"{username} {password}\n" for username, password in credentials.items())


def demo_accounts(organisations) -> list[tuple[str, str, str]]:
    """Return (username, role, region or organisation) for each demo account."""
    return [
        ("secretariat", Role.SECRETARIAT, ""),
        ("coordinator", Role.REGIONAL_COORDINATOR, Region.AFRICA),
        ("member", Role.MEMBER_EDITOR, organisations["ASWA"]),
        ("researcher", Role.RESEARCHER, ""),
        ("viewer", Role.VIEWER, ""),
    ]


def ensure_accounts(organisations) -> None:
    """Create the missing demo accounts, remembering their passwords in the data directory."""
    credentials = read_credentials()
    for username, role, scope in demo_accounts(organisations):
        user = User.objects.filter(username=username).first()
        if user is None:
            password = credentials.get(username) or secrets.token_urlsafe(12)
            user = actions.user_create(
                actor=None,
                username=username,
                password=password,
                role=role,
                region=scope if role == Role.REGIONAL_COORDINATOR else "",
                organisation=scope if role == Role.MEMBER_EDITOR else None,
            )
            credentials[username] = password
    _write_credentials(credentials)
