"""Export the member registry as CSV or XLSX, in the columns `import_members` reads."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chorus.network import exporting


class Command(BaseCommand):
    help = "Export every organisation and membership as CSV or XLSX (all of it, as the system)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=exporting.FORMATS, default="csv")
        parser.add_argument("--output", help="The file to write; CSV goes to standard output.")
        parser.add_argument(
            "--listed-only",
            action="store_true",
            help="Leave out unlisted organisations, e.g. for a file that leaves the secretariat.",
        )

    def handle(self, *args, output: str | None = None, listed_only: bool = False, **options):
        file_format = options["format"]
        if file_format == "xlsx" and not output:
            raise CommandError(_("An XLSX export needs --output FILE."))
        # The system actor (None) sees everything; --listed-only narrows it down.
        content = exporting.export_members(None, file_format=file_format, listed_only=listed_only)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(_("Wrote %(path)s.") % {"path": output})
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
