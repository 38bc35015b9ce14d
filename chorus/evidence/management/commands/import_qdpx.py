"""Import a REFI-QDA project (.qdpx) or codebook (.qdc) into a study, creating it if needed."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.audit import record_change
from chorus.core.progress import progress
from chorus.evidence import refiqda
from chorus.evidence.models import Study


def _create_study(title: str) -> Study:
    """Create a study as the system: no creator, no team, English as its language."""
    study = Study(title=title, languages=["en"], created_by=None)
    study.full_clean(exclude=["created_by"])
    study.save()
    record_change(actor=None, action="study.create", obj=study, changed_fields=["title"])
    return study


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA and others into the "
        "study titled NAME (created if none has that title). Nothing is written from a file "
        "that cannot be read safely."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .qdpx project (or, with --codebook-only, a .qdc).")
        parser.add_argument(
            "--study", required=True, help="The exact title of the study to import into."
        )
        parser.add_argument(
            "--codebook-only", action="store_true", help="Import the codes and nothing else."
        )

    def handle(self, *args, file: str, study: str, codebook_only: bool = False, **options):
        path = Path(file)
        try:
            size = path.stat().st_size
            # Refuse an oversized file before reading it into memory.
            if size > refiqda.MAX_ARCHIVE_BYTES:
                raise CommandError(
                    _("The file is larger than %(size)s MB and was refused.")
                    % {"size": refiqda.MAX_ARCHIVE_BYTES // 1024**2}
                )
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        title = study.strip()
        try:
            # One transaction: a study created for a file that then fails is not left behind.
            with transaction.atomic():
                matches = list(Study.objects.filter(title=title)[:2])
                if len(matches) > 1:
                    raise CommandError(
                        _("Several studies are titled %(title)s.") % {"title": title}
                    )
                created = not matches
                target = matches[0] if matches else _create_study(title)
                if codebook_only:
                    report = refiqda.import_codebook(actor=None, study=target, data=data)
                else:
                    report = refiqda.import_project(
                        actor=None,
                        study=target,
                        data=data,
                        on_progress=lambda done, total: progress(
                            done, total, self.stderr, label="sources"
                        ),
                    )
        except ValidationError as error:
            message = " ".join(" ".join(error.messages).split())
            raise CommandError(
                _("%(path)s was not imported: %(reason)s") % {"path": path, "reason": message}
            ) from None
        if created:
            self.stdout.write(_("Created the study %(title)s.") % {"title": target.title})
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(sources)s sources, %(codes)s codes, %(codings)s codings, "
                    "%(memos)s memos and %(cases)s participants into %(title)s."
                )
                % {
                    "sources": report.sources,
                    "codes": report.codes,
                    "codings": report.codings,
                    "memos": report.memos,
                    "cases": report.cases,
                    "title": target.title,
                }
            )
        )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"- {warning}"))
