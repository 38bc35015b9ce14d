"""Fixtures of the evidence workspace: a study with a lead, a coder, a reader and an outsider."""

from __future__ import annotations

import pytest

from chorus.core.models import Role
from chorus.evidence import actions
from chorus.evidence.extraction import Extracted
from chorus.evidence.models import StudyRole
from tests.conftest import make_user

SAMPLE_TEXT = (
    "We joined the women's coalition in 2016.\n\n"
    "Сначала нас не слушали, потом пригласили на форум.\n\n"
    "性工作者主导的组织参加了妇女运动的工作。\n\n"
    "Les travailleuses du sexe ont été écoutées à la CSW."
)


@pytest.fixture
def team(db):
    lead = make_user("lead", Role.RESEARCHER)
    coder = make_user("coder", Role.RESEARCHER)
    reader = make_user("reader", Role.RESEARCHER)
    outsider = make_user("outsider", Role.RESEARCHER)
    return {"lead": lead, "coder": coder, "reader": reader, "outsider": outsider}


@pytest.fixture
def study(team):
    study = actions.study_create(
        actor=team["lead"],
        title="Engagement with the women's movement",
        languages=["en", "zh-hans", "ru", "fr", "es"],
    )
    actions.member_set(actor=team["lead"], study=study, user=team["coder"], role=StudyRole.CODER)
    actions.member_set(actor=team["lead"], study=study, user=team["reader"], role=StudyRole.READER)
    return study


def add_text_source(study, actor, text: str = SAMPLE_TEXT, **values):
    """Store `text` as a source of `study`, as if imported from a .txt file."""
    return actions.source_create(
        actor=actor,
        study=study,
        extracted=Extracted(text=text, file_format="txt", cues=[], warnings=[]),
        filename=values.pop("filename", "interview.txt"),
        **values,
    )


@pytest.fixture
def source(study, team):
    return add_text_source(study, team["lead"], kind="interview", title="Interview 1")
