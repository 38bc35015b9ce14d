"""Rebuild the search index of one study or of all, e.g. after a new search key."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from chorus.core.progress import progress
from chorus.evidence import search
from chorus.evidence.management.commands.export_qdpx import find_study
from chorus.evidence.models import Study


class Command(BaseCommand):
    help = "Rebuild the evidence search index for a study (its id or exact title), or all studies."

    def add_arguments(self, parser):
        parser.add_argument(
            "study", nargs="?", help="The study's id or exact title; all if absent."
        )

    def handle(self, *args, study: str | None = None, **options):
        studies = [find_study(study)] if study else list(Study.objects.order_by("pk"))
        total = 0
        for found in studies:
            total += search.reindex_study(
                found,
                progress=lambda done, count, title=found.title: progress(
                    done, count, self.stderr, label=title[:30]
                ),
            )
        self.stdout.write(
            _("Indexed %(studies)s studies (%(postings)s index entries).")
            % {"studies": len(studies), "postings": total}
        )
