"""Confidential and secret values are unreadable in the database without the data key."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from chorus import config
from chorus.core import crypto
from chorus.core.models import Role
from chorus.network.models import Organisation

SECRET_NOTE = "Meets behind the market on Thursdays, ask for Amina"
REPO = Path(__file__).resolve().parent.parent


def raw_database_bytes(tmp_path: Path) -> bytes:
    """Return the database as it lies on disk: the SQLite file, or a PostgreSQL dump."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return copy.read_bytes()
    settings_dict = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--host",
            settings_dict["HOST"] or "127.0.0.1",
            "--port",
            str(settings_dict["PORT"] or 5432),
            "--username",
            settings_dict["USER"] or "postgres",
            "--data-only",
            settings_dict["NAME"],
        ],
        capture_output=True,
        check=True,
        env={**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""},
    )
    return dump.stdout


@pytest.mark.django_db(transaction=True)
def test_values_written_through_the_application_are_absent_from_the_raw_database(
    client_for, users, organisations, tmp_path
):
    """Write a note and the sex worker-led flag via the edit page, then scan the stored bytes."""
    organisation = organisations["africa_unlisted"]
    client = client_for(users[Role.SECRETARIAT])
    response = client.post(
        reverse("network:organisation_edit", args=[organisation.pk]),
        {
            "name": organisation.name,
            "kind": organisation.kind,
            "country": "KE",
            "sex_worker_led": "no",
            "notes": SECRET_NOTE,
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.notes == SECRET_NOTE
    raw = raw_database_bytes(tmp_path)
    assert organisation.name.encode() in raw  # the scan does see plain columns
    for secret in (SECRET_NOTE, "Amina", "safe house address", "meets on Tuesdays"):
        assert secret.encode() not in raw
        assert secret.encode("utf-16-le") not in raw
    stored = Organisation.objects.filter(pk=organisation.pk).values_list("notes", flat=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notes, sex_worker_led FROM network_organisation WHERE id = %s",
            [organisation.pk],
        )
        notes_column, flag_column = cursor.fetchone()
    assert notes_column.startswith(crypto.PREFIX) and flag_column.startswith(crypto.PREFIX)
    assert list(stored) == [SECRET_NOTE]


@pytest.mark.django_db
def test_rotation_reencrypts_everything_and_retires_the_old_key(organisations, monkeypatch):
    monkeypatch.delenv("CHORUS_DATA_KEYS", raising=False)
    old_keys = config.data_keys()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, notes FROM network_organisation WHERE notes <> ''")
        before = dict(cursor.fetchall())
    call_command("rotate_data_key")
    new_keys = config.data_keys()
    assert len(new_keys) == 1 and new_keys[0] not in old_keys
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, notes FROM network_organisation WHERE notes <> ''")
        after = dict(cursor.fetchall())
    assert before.keys() == after.keys() and before
    assert all(before[pk] != after[pk] for pk in before)
    assert (
        Organisation.objects.get(pk=organisations["africa_unlisted"].pk).notes
        == "safe house address"
    )
    # The old key alone can no longer read the data.
    from cryptography.fernet import Fernet, InvalidToken

    with pytest.raises(InvalidToken):
        Fernet(old_keys[0].encode()).decrypt(
            next(iter(after.values()))[len(crypto.PREFIX) :].encode()
        )


def test_key_files_are_created_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("CHORUS_VAR_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("CHORUS_SECRET_KEY", raising=False)
    monkeypatch.delenv("CHORUS_DATA_KEYS", raising=False)
    assert len(config.secret_key()) >= 50
    assert len(config.data_keys()) == 1
    for name in ("secret.key", "data.keys"):
        mode = stat.S_IMODE((tmp_path / "fresh" / name).stat().st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert config.secret_key() == config.secret_key()  # read back, not regenerated


def run_chorus(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chorus.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "chorus.settings", **env},
        timeout=120,
    )


def test_a_malformed_data_key_stops_start_up_with_a_clear_message(tmp_path):
    result = run_chorus(
        "check", env={"CHORUS_VAR_DIR": str(tmp_path), "CHORUS_DATA_KEYS": "not-a-key"}
    )
    assert result.returncode == 2
    assert "data-encryption key is malformed" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_key_file_stops_start_up_with_a_clear_message(tmp_path):
    (tmp_path / "data.keys").write_text("")
    (tmp_path / "data.keys").chmod(0o600)
    result = run_chorus("check", env={"CHORUS_VAR_DIR": str(tmp_path), "CHORUS_DATA_KEYS": ""})
    assert result.returncode == 2
    assert "No data-encryption key found" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unusable_data_directory_is_reported_clearly(tmp_path):
    """A data directory that cannot be created (here: below a plain file) gives a clear message."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_chorus(
        "check", env={"CHORUS_VAR_DIR": str(blocker / "var"), "CHORUS_SECRET_KEY": ""}
    )
    assert result.returncode == 2
    assert "cannot create its data directory" in result.stderr
    assert "Traceback" not in result.stderr
