"""Label UN treaty-body paragraphs for sex-work relevance and stance (JSON Lines in and out).

A thin wrapper: the work is done by `chorus.outcomes.classifier.main`, which also runs without
Django (`python -m chorus.outcomes.classifier ...`). It reads no settings and no database.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chorus.outcomes import classifier


class Command(BaseCommand):
    help = (
        'Label paragraphs (JSON Lines with "text" and optional "lang"): relevant to sex work '
        "or not, stance, cues and confidence. --train LABELLED --model OUT trains a model."
    )
    # No system checks and no database: the tool must run where no database is set up.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--input", help='JSON Lines with a "text" field.')
        parser.add_argument("--output", help="Where to write the rows (default: stdout).")
        parser.add_argument("--model", help="Model file to use, or to write with --train.")
        parser.add_argument("--train", help='JSON Lines with "text", "lang", "label".')

    def handle(self, *args, **options):
        argv: list[str] = []
        for name in ("input", "output", "model", "train"):
            if options.get(name):
                argv += [f"--{name}", options[name]]
        status = classifier.main(argv, prog="chorus classify_recommendations")
        if status:
            # main() has already said what went wrong on stderr.
            raise CommandError("classify_recommendations failed", returncode=status)
