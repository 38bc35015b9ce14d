"""The `chorus` command: Django's manage.py for this project, with clear start-up errors."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv or sys.argv)
    except ImproperlyConfigured as error:
        sys.stderr.write(f"chorus: configuration problem: {error}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
