"""Check a draft statement from a file and print the report as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chorus.stakeholders import statements


class Command(BaseCommand):
    help = (
        "Check a draft statement (.txt, .md or .docx): the groups it names and leaves out, and "
        "language to change. Prints the report as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The statement: .txt or .md in any encoding, or .docx.")
        parser.add_argument(
            "--language",
            help="The statement's language (en, fr, es, ru, zh-hans); detected if not given.",
        )

    def handle(self, *args, file: str, language: str | None = None, **options):
        path = Path(file)
        if language:
            try:
                language = statements.normalise_language(language)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        try:
            size = path.stat().st_size
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        # Refuse an oversized file before reading it into memory.
        if size > statements.MAX_FILE_BYTES:
            raise CommandError(statements.too_large_message())
        try:
            text = statements.read_statement_file(path.name, path.read_bytes())
        except statements.StatementFileError as error:
            raise CommandError(f"{path}: {error}") from error
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from error
        report = statements.check_statement(text, language=language)
        output = {"file": str(path), **report.as_dict()}
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
