"""Import interview transcripts and documents into a study, one source per file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chorus.core.progress import progress
from chorus.evidence import actions
from chorus.evidence.management.commands.export_qdpx import find_study
from chorus.evidence.models import SourceKind


class Command(BaseCommand):
    help = (
        "Import files (.txt .md .docx .pdf .odt .html .vtt .srt) into a study (its id or exact "
        "title). Each file is checked whole and stored in its own transaction: a bad file is "
        "reported and skipped, the others are imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("study", help="The study's id or exact title.")
        parser.add_argument("files", nargs="+", help="Files to import.")
        parser.add_argument(
            "--kind", choices=SourceKind.values, default=SourceKind.INTERVIEW, help="Source kind."
        )
        parser.add_argument(
            "--language", help="Language code (en, fr, es, ru, zh-hans); the study's by default."
        )
        parser.add_argument(
            "--participant",
            action="append",
            default=[],
            help="Pseudonym of a participant in the files (repeatable).",
        )

    def handle(self, *args, study: str, files: list[str], kind: str, **options):
        found = find_study(study)
        participants = []
        for pseudonym in options["participant"]:
            participant = found.participants.filter(pseudonym=pseudonym).first()
            if participant is None:
                raise CommandError(
                    _("The study has no participant %(pseudonym)s.") % {"pseudonym": pseudonym}
                )
            participants.append(participant)
        paths = [Path(name) for name in files]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise CommandError(_("Not found: %(files)s") % {"files": ", ".join(missing)})
        failures = 0
        outcomes = actions.sources_import_files(
            actor=None,
            study=found,
            files=[(path.name, path.stat().st_size, path.read_bytes) for path in paths],
            kind=kind,
            participants=participants,
            **({"language": options["language"]} if options["language"] else {}),
        )
        for done, outcome in enumerate(outcomes, start=1):
            if outcome.error:
                failures += 1
                self.stderr.write(f"\n{outcome.filename}: {outcome.error}")
            for warning in outcome.warnings:
                self.stderr.write(f"\n{outcome.filename}: {warning}")
            progress(done, len(paths), self.stderr, label="importing")
        imported = len(paths) - failures
        self.stdout.write(
            _("Imported %(imported)s of %(total)s files into %(study)s.")
            % {"imported": imported, "total": len(paths), "study": found.title}
        )
        if failures:
            raise CommandError(
                _("%(count)s files could not be imported (see above).") % {"count": failures}
            )
