"""What the classifier tests share: the evaluation set's path and checks on a result's cues."""

from __future__ import annotations

from pathlib import Path

from chorus.outcomes import classifier

ROOT = Path(__file__).resolve().parents[2]
EVALUATION_SET = ROOT / "bench" / "data" / "concluding_observations_labelled.jsonl"


def keys(result: classifier.Result) -> set[str]:
    """The keys of the cues that decided a result."""
    return {cue.key for cue in result.cues}


def assert_offsets(text: str, result: classifier.Result) -> None:
    """Every cue and term points at the very words it names."""
    for cue in result.cues:
        assert text[cue.start : cue.end] == cue.phrase
    for term in result.terms:
        assert text[term.start : term.end] == term.phrase


def assert_decided(text: str, language: str, label: str, key: str) -> classifier.Result:
    """The text gets `label`, with the cue `key` among those that decided it, at its words."""
    result = classifier.classify(text, language)
    assert result.label == label, result.reason
    assert key in keys(result)
    assert_offsets(text, result)
    return result
