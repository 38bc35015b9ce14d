"""Five languages: complete catalogs, prefixed URLs, the browser's language as default."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOG_LANGUAGES = ["fr", "es", "ru", "zh_Hans"]
URL_LANGUAGES = [code for code, _name in settings.LANGUAGES]

# The sign-in heading in each language, as the catalogs translate it.
SIGN_IN = {
    "en": "Sign in",
    "fr": "Se connecter",
    "es": "Iniciar sesión",
    "ru": "Вход",
    "zh-hans": "登录",
}


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_is_complete_with_no_fuzzy_or_untranslated_entry(language):
    catalog = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert len(catalog.translated_entries()) > 100
    assert untranslated == [], f"{language}: untranslated {untranslated[:10]}"
    assert fuzzy == [], f"{language}: fuzzy {fuzzy[:10]}"


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_placeholders_match_the_source(language):
    """A translation must keep every %(name)s and {{ name }} of its source, or rendering breaks."""
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}|%[sd]")
    catalog = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    for entry in catalog.translated_entries():
        if entry.msgid_plural:
            for translated in entry.msgstr_plural.values():
                assert sorted(set(pattern.findall(translated))) <= sorted(
                    set(pattern.findall(entry.msgid_plural)) | set(pattern.findall(entry.msgid))
                ), entry.msgid
        else:
            assert sorted(pattern.findall(entry.msgstr)) == sorted(pattern.findall(entry.msgid)), (
                entry.msgid
            )


def test_compiled_catalogs_are_current():
    """`make` compiles catalogs; a stale .mo would show old text."""
    for language in CATALOG_LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, language


@pytest.mark.django_db
@pytest.mark.parametrize("language", URL_LANGUAGES)
def test_each_language_prefix_serves_the_translated_page(client, language):
    with translation.override(language):
        url = reverse("core:login")
    assert url.startswith(f"/{language}/")
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<html lang="{language}"' in content
    assert SIGN_IN[language] in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "prefix"),
    [
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("ru-RU", "/ru/"),
        ("es-419,es", "/es/"),
        ("fr-CA", "/fr/"),
        ("de-DE", "/en/"),
    ],
)
def test_the_browser_language_is_the_default(client, accept, prefix):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == prefix


@pytest.mark.django_db
def test_an_unknown_language_prefix_gets_a_not_found_page_in_the_users_language(client):
    response = client.get("/de/registry/organisations/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Page introuvable" in content


@pytest.mark.django_db
def test_the_language_switcher_keeps_the_page(client):
    response = client.post(
        reverse("set_language"), {"language": "ru", "next": "/en/accounts/sign-in/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ru/accounts/sign-in/"


def test_catalogs_hold_every_user_facing_string_of_the_source(tmp_path):
    """Extracting the messages again adds nothing: no string shown to users is left out."""
    import os
    import shutil
    import subprocess
    import sys

    source = Path(settings.BASE_DIR) / "chorus"
    copy = tmp_path / "chorus"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "chorus.settings",
        "CHORUS_VAR_DIR": str(tmp_path / "var"),
        "CHORUS_DEBUG": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "chorus.cli", "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    catalog = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalog.untranslated_entries() + catalog.fuzzy_entries()]
    assert missing == [], f"strings missing from the catalogs (run `make messages`): {missing[:10]}"
