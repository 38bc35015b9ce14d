"""Load the demo data set built from the seed document; safe to run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from chorus.core.models import Role, User
from chorus.demo.accounts import ensure_accounts, read_credentials
from chorus.demo.casestudy import build_casestudy_demo
from chorus.demo.engagement import load_engagements
from chorus.demo.evidence import build_evidence_demo
from chorus.demo.outcomes import load_fixture_recommendations, load_outcomes
from chorus.demo.registry import load_registry
from chorus.demo.synthetic import synthetic_registry_create
from chorus.network.models import Organisation


class Command(BaseCommand):
    help = "Create the demo organisations and one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Leave a database that already holds accounts or organisations untouched.",
        )
        parser.add_argument(
            "--synthetic",
            type=int,
            default=0,
            metavar="N",
            help="Also add N clearly marked synthetic organisations, for scale tests only.",
        )

    def handle(self, *args, if_empty: bool = False, synthetic: int = 0, **options):
        if if_empty and (User.objects.exists() or Organisation.objects.exists()):
            self.stdout.write("The database already holds data: demo data not loaded.")
            self._print_accounts(read_credentials())
            return
        organisations = load_registry(actor=None)
        self.stdout.write(f"Demo registry: {len(organisations)} seed organisations.")
        engagements = load_engagements(organisations=organisations)
        self.stdout.write(f"Demo engagements: {engagements} added from the seed.")
        outcomes = load_outcomes(organisations=organisations)
        paragraphs = load_fixture_recommendations()
        self.stdout.write(
            f"Demo outcomes: {outcomes} added; UN paragraphs imported and classified: {paragraphs}."
        )
        ensure_accounts(organisations)
        # After the accounts: the demo researcher leads the evidence study.
        build_evidence_demo(stdout=self.stdout)
        # The case study quotes the evidence study's codings, so it comes right after it.
        build_casestudy_demo(stdout=self.stdout)
        if synthetic > 0:
            added = synthetic_registry_create(
                network=organisations["NSWP"], count=synthetic, stream=self.stderr
            )
            self.stdout.write(f"Added {added} synthetic organisations (scale tests only).")
        self._print_accounts(read_credentials())

    def _print_accounts(self, credentials: dict[str, str]) -> None:
        users = {user.username: user for user in User.objects.filter(username__in=credentials)}
        if not users:
            return
        self.stdout.write("Demo accounts (user name, password, role):")
        for username, password in credentials.items():
            if username in users:
                role = Role(users[username].role).label
                self.stdout.write(f"  {username:<12} {password:<20} {role}")
        self.stdout.write(
            "Sign in at http://127.0.0.1:8000/ with one of these. The secretariat account is asked "
            "to set up two-factor authentication (any TOTP authenticator app) at first sign-in."
        )
