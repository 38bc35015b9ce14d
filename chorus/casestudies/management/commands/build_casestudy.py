"""Build a case study file (PDF, DOCX, HTML or Markdown) in one language, from the command line."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from chorus.casestudies import exports
from chorus.casestudies.actions import GateClosed
from chorus.casestudies.models import CaseStudy


def _one_line(error: GateClosed) -> str:
    """Say why the gate is closed on one line: the verdict, then each problem and its place."""
    problems = getattr(error, "problems", None)
    if not problems:
        text = " ".join(error.messages)
    else:
        places = [
            f"{problem.section or '-'} [{problem.language}]: {problem.message}"
            for problem in problems
        ]
        text = error.messages[0] + " " + "; ".join(places)
    return " ".join(text.split())


class Command(BaseCommand):
    help = (
        "Build a case study (by its short name) as PDF, DOCX, HTML or Markdown in one language. "
        "Without --draft the document must be approved or published and pass the gate."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The case study's short name.")
        parser.add_argument(
            "--lang", default="", help="The language, e.g. zh-hans (default: its main language)."
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=exports.FORMATS,
            default="",
            help="pdf, docx, html or md (default: from the --out file's extension).",
        )
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Build a draft at any status; every page says it is not for publication.",
        )

    def handle(self, *args, slug: str, lang: str, fmt: str, out: str, draft: bool, **options):
        case_study = CaseStudy.objects.filter(slug=slug).first()
        if case_study is None:
            raise CommandError(_("No case study has the short name %(slug)s.") % {"slug": slug})
        fmt = fmt or Path(out).suffix.lstrip(".").lower()
        if fmt not in exports.FORMATS:
            raise CommandError(_("Give --format pdf, docx, html or md."))
        language = lang or case_study.language
        try:
            # The system itself renders (user None): the gate, not a role, decides what goes out.
            data = exports.export(None, case_study, language, fmt, draft=draft)
        except GateClosed as error:
            raise CommandError(_one_line(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        try:
            # A draft may hold unpublished text: readable by its owner only.
            descriptor = os.open(
                out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if draft else 0o644
            )
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": out, "error": error.strerror}
            ) from None
        self.stdout.write(self.style.SUCCESS(_("Wrote %(path)s.") % {"path": out}))
