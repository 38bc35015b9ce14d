"""Coding suggestions: computed on this machine with the network cut, reviewed by a person."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from chorus.evidence import actions, queries
from chorus.evidence.models import Coding, SuggestionStatus
from tests.evidence.conftest import add_text_source

CODED = [
    "Police raided our office and arrested three sex workers at night.",
    "The police confiscated condoms as evidence and detained us.",
    "Officers beat a colleague during the arrest and nobody was charged.",
]
UNCODED = [
    "La police a arrêté des travailleuses du sexe pendant une descente nocturne.",
    "警察在夜里突袭了我们的办公室，逮捕了几名性工作者。",
    "We baked bread for the community fair and sold jam.",
    "Мы пекли хлеб к ярмарке и продавали варенье.",
]


@pytest.fixture
def no_network(monkeypatch):
    """Make every attempt to open a connection fail loudly, and remember it."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def police_code(study, team):
    code = actions.code_create(actor=team["lead"], study=study, name="Police violence")
    coded = add_text_source(study, team["lead"], text="\n\n".join(CODED), title="Coded")
    for passage in CODED:
        start = coded.text.index(passage)
        end = start + len(passage)
        actions.coding_create(actor=team["coder"], source=coded, codes=[code], start=start, end=end)
    add_text_source(study, team["lead"], text="\n\n".join(UNCODED), title="Uncoded")
    return code


def test_suggestions_run_with_the_network_disabled(police_code, team, no_network):
    """The model loads from the installed package and scores text without any connection."""
    suggestions = actions.suggestions_generate(actor=team["coder"], code=police_code)
    assert no_network == []
    texts = [s.source.text[s.start : s.end] for s in suggestions]
    assert texts, "the police passages in French and Chinese should be suggested"
    assert set(texts[:2]) == {UNCODED[0], UNCODED[1]}
    assert UNCODED[2] not in texts[:2] and UNCODED[3] not in texts[:2]
    assert all(
        0 <= s.score <= 1 and "Universal Sentence Encoder" in s.model_name for s in suggestions
    )


def test_a_code_needs_examples_before_suggestions(study, team, source):
    code = actions.code_create(actor=team["lead"], study=study, name="Rare")
    with pytest.raises(ValidationError):
        actions.suggestions_generate(actor=team["coder"], code=code)


def test_accepting_codes_the_passage_and_rates_are_shown(police_code, team, study):
    suggestions = actions.suggestions_generate(actor=team["coder"], code=police_code)
    first, *rest = suggestions
    coding = actions.suggestion_decide(actor=team["coder"], suggestion=first, accept=True)
    assert isinstance(coding, Coding) and coding.coder == team["coder"]
    assert (coding.start, coding.end) == (first.start, first.end)
    if rest:
        actions.suggestion_decide(actor=team["coder"], suggestion=rest[0], accept=False)
    with pytest.raises(ValidationError):
        actions.suggestion_decide(actor=team["coder"], suggestion=first, accept=False)
    [rate] = queries.suggestion_rates(team["reader"], study)
    assert rate["accepted"] == 1
    assert rate["rate"] == (100 if not rest else 50)


def test_rejected_and_coded_passages_are_not_suggested_again(police_code, team):
    suggestions = actions.suggestions_generate(actor=team["coder"], code=police_code)
    for suggestion in suggestions:
        actions.suggestion_decide(actor=team["coder"], suggestion=suggestion, accept=False)
    again = actions.suggestions_generate(actor=team["coder"], code=police_code)
    before = {(s.source_id, s.start) for s in suggestions}
    assert not before & {(s.source_id, s.start) for s in again}
    assert police_code.suggestions.filter(status=SuggestionStatus.REJECTED).count() == len(
        suggestions
    )


def test_readers_cannot_ask_for_suggestions(police_code, team):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.suggestions_generate(actor=team["reader"], code=police_code)
