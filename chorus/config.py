"""Read configuration from the environment and key files under the data directory.

Settings never hold secrets in source: the secret key and the data-encryption keys come from the
environment or from files created on first run with owner-only permissions.
"""

from __future__ import annotations

import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigurationError(ImproperlyConfigured):
    """A key is missing, unreadable or malformed; the message says how to fix it."""


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def var_dir() -> Path:
    return Path(os.environ.get("CHORUS_VAR_DIR") or BASE_DIR / "var").resolve()


def _ensure_var_dir() -> Path:
    directory = var_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o700)
    except OSError as error:
        raise ConfigurationError(
            f"Chorus cannot create its data directory {directory} ({error.strerror}). "
            "Set CHORUS_VAR_DIR to a writable directory."
        ) from error
    return directory


def _read_or_create(path: Path, create) -> str:
    """Return the file's content, creating it with 0600 permissions when it does not exist."""
    if not path.exists():
        _ensure_var_dir()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as error:
            raise ConfigurationError(
                f"Chorus cannot create the key file {path} ({error.strerror})."
            ) from error
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(create())
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
        return path.read_text().strip()
    except OSError as error:
        raise ConfigurationError(
            f"Chorus cannot read the key file {path} ({error.strerror})."
        ) from error


def secret_key() -> str:
    from_env = os.environ.get("CHORUS_SECRET_KEY", "").strip()
    if from_env:
        if len(from_env) < 50:
            raise ConfigurationError("CHORUS_SECRET_KEY must be at least 50 characters long.")
        return from_env
    value = _read_or_create(var_dir() / "secret.key", lambda: secrets.token_urlsafe(64))
    if len(value) < 50:
        raise ConfigurationError(
            f"The secret key in {var_dir() / 'secret.key'} is missing or too short. "
            "Delete the file to have a new one generated, or set CHORUS_SECRET_KEY."
        )
    return value


def data_key_file() -> Path:
    return var_dir() / "data.keys"


def data_keys() -> list[str]:
    """Return the data-encryption keys, newest first (the first one encrypts; all decrypt)."""
    from_env = os.environ.get("CHORUS_DATA_KEYS", "").strip()
    if from_env:
        keys = [key.strip() for key in from_env.split(",") if key.strip()]
    else:
        from cryptography.fernet import Fernet

        text = _read_or_create(data_key_file(), lambda: Fernet.generate_key().decode() + "\n")
        keys = [line.strip() for line in text.splitlines() if line.strip()]
    if not keys:
        raise ConfigurationError(
            f"No data-encryption key found in {data_key_file()} or CHORUS_DATA_KEYS. "
            "Restore the key file from your backup; without it encrypted records cannot be read."
        )
    return keys


def write_data_keys(keys: list[str]) -> None:
    """Replace the key file atomically, keeping owner-only permissions."""
    path = data_key_file()
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


@lru_cache(maxsize=1)
def search_key() -> bytes:
    """Return the key that turns indexed words into keyed hashes (see chorus.evidence.search).

    It lives outside the database, so a copy of the database cannot be searched by hashing
    guessed words. Losing or changing it leaves the index unusable until every study is
    reindexed; it does not put any transcript at risk.
    """
    from_env = os.environ.get("CHORUS_SEARCH_KEY", "").strip()
    if from_env:
        if len(from_env) < 32:
            raise ConfigurationError("CHORUS_SEARCH_KEY must be at least 32 characters long.")
        return from_env.encode()
    path = var_dir() / "search.key"
    value = _read_or_create(path, lambda: secrets.token_urlsafe(48) + "\n")
    if len(value) < 32:
        raise ConfigurationError(
            f"The search key in {path} is missing or too short. Delete the file to have a new "
            "one generated (then reindex every study), or set CHORUS_SEARCH_KEY."
        )
    return value.encode()
