"""Cue behaviour added in the fifth collection round (bench/data/README.md, "Fifth pass").

Spanish "protección contra ... violencia ... mujeres" near a prostitution term is protection (a
rights-affirming cue), so protection beside exit wording is "mixed"; the same words far from any
prostitution term, or about trafficking only, decide nothing. And the fifth round's rows in the
evaluation set. Then the cues added since: police abuse and remedies for sex workers, the
Spanish subjunctive "despenalice", and abolishing custody and education or administrative
detention, all rights-affirming.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from chorus.outcomes import classifier
from chorus.outcomes.classifier import classify
from tests.outcomes_classifier.cue_helpers import (
    EVALUATION_SET,
    assert_decided,
    assert_offsets,
    keys,
)


def test_protection_from_violence_beside_exit_wording_is_mixed():
    text = (
        "El Comité alienta al Estado parte a que refuerce la protección contra la discriminación "
        "y la violencia de las mujeres y las niñas que desean abandonar la prostitución."
    )
    result = classify(text, "es")
    assert result.relevant
    assert result.label == "mixed"
    assert {"protection", "exit_programmes"} <= keys(result)
    assert_offsets(text, result)


def test_protection_from_violence_of_women_in_prostitution_is_rights_affirming():
    text = (
        "El Comité recomienda al Estado parte que garantice la protección contra la violencia "
        "de las mujeres que ejercen la prostitución."
    )
    assert_decided(text, "es", "rights-affirming", "protection")


def test_protection_from_violence_far_from_prostitution_decides_nothing():
    text = (
        "El Comité recomienda al Estado parte que garantice la protección contra la violencia "
        "doméstica de las mujeres rurales e indígenas en todo el territorio nacional. También "
        "pide datos sobre la prostitución."
    )
    result = classify(text, "es")
    assert result.relevant
    assert "protection" not in keys(result)
    assert result.label == "neutral"


def test_protection_of_trafficking_victims_is_not_relevant():
    text = (
        "El Comité recomienda al Estado parte que refuerce la protección contra la violencia de "
        "las mujeres víctimas de la trata de personas."
    )
    result = classify(text, "es")
    assert not result.relevant


# --- The fifth round's rows ----------------------------------------------------------------------


def test_fifth_pass_rows():
    rows = [
        json.loads(line)
        for line in EVALUATION_SET.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    fifth = [row for row in rows if row.get("pass") == 5]
    assert len(fifth) == 6
    assert Counter(row["label"] for row in fifth) == {"neutral": 1, "not-relevant": 5}
    assert Counter(row["lang"] for row in fifth) == {"en": 4, "es": 2}
    assert Counter(row["split"] for row in fifth) == {"dev": 3, "heldout": 3}
    for row in fifth:
        assert row["url"].startswith("https://github.com/")
        assert row["label_reason"]
    assert {row["pass"] for row in rows} == {1, 2, 3, 4, 5}
    assert len(rows) == 144
    texts = [row["text"] for row in rows]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize(
    "text",
    [
        "Investigate and prosecute police abuses against sex workers and provide remedies.",
        "Ensure redress for sex workers who have suffered violence.",
        "Put an end to police brutality against sex workers.",
    ],
)
def test_police_abuse_and_remedies_for_sex_workers_are_rights_affirming(text):
    result = classifier.classify(text, "en")
    assert result.relevant
    assert result.label == "rights-affirming"


def test_remedies_alone_do_not_make_a_paragraph_relevant():
    result = classifier.classify("Provide effective remedies to victims of torture.", "en")
    assert not result.relevant


@pytest.mark.parametrize(
    ("language", "text", "key"),
    [
        (
            "es",
            "El Comité recomienda que el Estado parte despenalice el trabajo sexual.",
            "decriminalisation",
        ),
        ("zh-hans", "委员会建议缔约国废除卖淫妇女收容教育制度。", "repeal_criminal_laws"),
        (
            "en",
            "The Committee recommends that the State party abolish the administrative detention "
            "of women in prostitution, including the custody and education system.",
            "repeal_criminal_laws",
        ),
    ],
)
def test_abolishing_detention_or_decriminalising_in_the_subjunctive_is_rights_affirming(
    language, text, key
):
    assert_decided(text, language, "rights-affirming", key)


def test_custody_and_education_on_its_own_stays_regressive():
    assert_decided("委员会关切对卖淫妇女实行收容教育。", "zh-hans", "regressive", "rehabilitation")
