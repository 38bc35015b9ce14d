"""Re-encrypt every confidential and secret value under a new data key."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chorus import config
from chorus.core import crypto
from chorus.core.audit import record_change
from chorus.core.fields import encrypted_fields
from chorus.core.models import AuditEvent
from chorus.core.progress import progress


class Command(BaseCommand):
    help = "Generate a new data-encryption key, re-encrypt every encrypted field, retire old keys."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-old",
            action="store_true",
            help="Keep the previous keys in the key file (to read an older backup).",
        )

    def handle(self, *args, keep_old: bool = False, **options):
        if os.environ.get("CHORUS_DATA_KEYS"):
            raise CommandError(
                "The data keys come from CHORUS_DATA_KEYS: put a new key first in that variable, "
                "run this command, then remove the old key from it."
            )
        old_keys = config.data_keys()
        new_key = Fernet.generate_key().decode()
        # The new key goes first while the old ones stay, so every value stays readable
        # whether or not the re-encryption below completes.
        config.write_data_keys([new_key, *old_keys])
        crypto.reset_keys()
        models = [model for model in apps.get_models() if encrypted_fields(model)]
        total = sum(model._default_manager.count() for model in models)
        done = 0
        with transaction.atomic():
            for model in models:
                names = [field.attname for field in encrypted_fields(model)]
                for pk, *values in model._default_manager.values_list("pk", *names).iterator():
                    # Values arrive decrypted; saving encrypts them again under the newest key.
                    model._default_manager.filter(pk=pk).update(
                        **dict(zip(names, values, strict=True))
                    )
                    done += 1
                    progress(done, total, self.stderr, label="re-encrypting")
            record_change(
                actor=None,
                action="data_key.rotate",
                obj=AuditEvent,
                changed_fields=[model._meta.label_lower for model in models],
            )
        if not keep_old:
            config.write_data_keys([new_key])
            crypto.reset_keys()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {done} records under a new data key."))
