"""Import organisations and memberships into the registry from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chorus.core.progress import progress
from chorus.network import importing


class Command(BaseCommand):
    help = (
        "Import the member registry from a CSV or XLSX file. Nothing is written unless every row "
        "is valid, or --valid-only is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX file to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and write nothing."
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="Import the valid rows and leave out the rows with problems.",
        )

    def handle(self, *args, file: str, dry_run: bool = False, valid_only: bool = False, **options):
        path = Path(file)
        try:
            size = path.stat().st_size
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        # Refuse an oversized file before reading it into memory.
        if size > importing.max_bytes():
            raise CommandError(
                _("The file is larger than %(size)s MB; split it into smaller files.")
                % {"size": importing.max_bytes() // (1024 * 1024)}
            )
        report = importing.members_import(
            actor=None,
            data=path.read_bytes(),
            filename=path.name,
            dry_run=dry_run,
            valid_only=valid_only,
            on_progress=lambda done, total, label: progress(done, total, self.stderr, label=label),
        )
        for line in importing.problems_as_text(report.sorted_warnings()):
            self.stdout.write(self.style.WARNING(line))
        for line in importing.problems_as_text(report.sorted_errors()):
            self.stdout.write(self.style.ERROR(line))
        if report.file_error:
            raise CommandError(_("The file could not be imported; nothing was changed."))
        if report.written:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Imported %(organisations)s organisations and %(memberships)s memberships.")
                    % {
                        "organisations": report.organisations_created,
                        "memberships": report.memberships_created,
                    }
                )
            )
            if report.errors:
                self.stdout.write(
                    _("Left out %(count)s rows with problems.") % {"count": report.invalid_count}
                )
            return
        if report.errors:
            raise CommandError(
                _("%(count)s of %(total)s rows have problems; nothing was imported.")
                % {"count": report.invalid_count, "total": report.row_count}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "The file is valid: %(organisations)s organisations and %(memberships)s "
                    "memberships would be imported."
                )
                % {
                    "organisations": report.organisation_count,
                    "memberships": report.membership_count,
                }
            )
        )
