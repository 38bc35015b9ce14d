"""Export a study as a REFI-QDA project (.qdpx) for other qualitative-analysis programs."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.core.progress import progress
from chorus.evidence import refiqda
from chorus.evidence.models import Study


def find_study(reference: str) -> Study:
    """Return the study with this id or exact title, or stop with a one-line error."""
    reference = reference.strip()
    if reference.isdigit():
        study = Study.objects.filter(pk=int(reference)).first()
        if study is not None:
            return study
    matches = list(Study.objects.filter(title=reference)[:2])
    if len(matches) > 1:
        raise CommandError(
            _("Several studies are titled %(title)s; give the study's id.") % {"title": reference}
        )
    if not matches:
        raise CommandError(_("No study has the id or title %(study)s.") % {"study": reference})
    return matches[0]


class Command(BaseCommand):
    help = (
        "Export a study (its id or exact title) as a REFI-QDA project for NVivo, ATLAS.ti, "
        "MAXQDA and others. Real names are replaced by their pseudonyms unless --as-is is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("study", help="The study's id or exact title.")
        parser.add_argument("output", help="The .qdpx file to write.")
        parser.add_argument(
            "--as-is",
            action="store_true",
            help="Keep the real names in the texts; the file then holds them.",
        )

    def handle(self, *args, study: str, output: str, as_is: bool = False, **options):
        found = find_study(study)
        data = refiqda.export_project(
            found,
            actor=None,
            pseudonymised=not as_is,
            on_progress=lambda done, total: progress(done, total, self.stderr, label="sources"),
        )
        try:
            # The file holds transcripts: readable by its owner only.
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}
            ) from error
        self.stdout.write(self.style.SUCCESS(_("Wrote %(path)s.") % {"path": output}))
        if as_is:
            occurrences, sources = refiqda.real_name_occurrences(found)
            self.stderr.write(
                self.style.WARNING(
                    ngettext(
                        "This file is not pseudonymised: names from the study's pseudonym list "
                        "occur %(count)s time in its texts (%(sources)s sources). Keep it as safe "
                        "as the study itself.",
                        "This file is not pseudonymised: names from the study's pseudonym list "
                        "occur %(count)s times in its texts (%(sources)s sources). Keep it as safe "
                        "as the study itself.",
                        occurrences,
                    )
                    % {"count": occurrences, "sources": sources}
                )
            )
