"""Search keys for names in any of the five languages: case- and accent-insensitive."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Return text casefolded with accents removed ("Médecins" -> "medecins"); CJK is unchanged."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )


def organisation_search_key(name: str, acronym: str, names: dict) -> str:
    parts = [name, acronym, *[value for value in (names or {}).values() if value]]
    return fold(" | ".join(part for part in parts if part))
