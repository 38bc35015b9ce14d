"""Settings for the test suite: production settings, but plain HTTP and a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("CHORUS_HTTPS", "0")
os.environ.setdefault("CHORUS_VAR_DIR", tempfile.mkdtemp(prefix="chorus-test-"))

from chorus.settings import *  # noqa: F403

# Tests do not run collectstatic, so static files are served from the apps, without a manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Argon2 stays the hasher in production; the suite hashes hundreds of passwords, so a cheaper
# hasher keeps it fast, while one test checks that production settings use Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
