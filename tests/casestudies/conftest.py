"""Case-study fixtures build on the evidence workspace's: a study with its team."""

from __future__ import annotations

from tests.evidence.conftest import study, team  # noqa: F401 (fixtures shared with evidence)
