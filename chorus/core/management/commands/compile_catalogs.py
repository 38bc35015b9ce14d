"""Compile the translation catalogs (.po to .mo) without needing GNU gettext installed."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po catalog under the locale directories into .mo files."

    def handle(self, *args, **options):
        count = 0
        for directory in settings.LOCALE_PATHS:
            for po_path in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} catalogs.")
