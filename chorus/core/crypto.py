"""Encrypt and decrypt field values with the data keys (Fernet: AES-128-CBC with HMAC-SHA256).

The keys live outside the database (see chorus.config), so a copy of the database alone reveals
no confidential or secret value. MultiFernet encrypts with the newest key and decrypts with any,
which is what makes key rotation possible without downtime.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from chorus import config

# Stored values start with this marker so that plain and encrypted values can never be confused.
PREFIX = "enc1:"


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


@lru_cache(maxsize=1)
def _cipher() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in config.data_keys()])
    except (ValueError, TypeError) as error:
        raise config.ConfigurationError(
            "A data-encryption key is malformed: each key must be 32 url-safe base64-encoded "
            "bytes, as written by Chorus on first run."
        ) from error


def reset_keys() -> None:
    """Forget the cached keys so the next use reads them again (after rotation)."""
    _cipher.cache_clear()


def encrypt(plaintext: str) -> str:
    return PREFIX + _cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not encrypted")
    try:
        return _cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise DecryptionError("no configured data key decrypts this value") from error


def check_keys() -> None:
    """Fail early, with a clear message, when the keys are missing or malformed."""
    encrypt("check")


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt a whole file (an original upload) with the newest data key."""
    return _cipher().encrypt(data)


def decrypt_bytes(stored: bytes) -> bytes:
    try:
        return _cipher().decrypt(bytes(stored))
    except InvalidToken as error:
        raise DecryptionError("no configured data key decrypts this file") from error
