"""Production settings pass Django's deployment checklist with no warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CHORUS_")
        and key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "CHORUS_VAR_DIR": str(tmp_path),
            "CHORUS_ALLOWED_HOSTS": "chorus.example.org",
            "DJANGO_SETTINGS_MODULE": "chorus.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "chorus.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
