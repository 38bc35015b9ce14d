"""Cue behaviour added after measuring on real concluding observations (bench/data/README.md).

Generic cues (health services, non-discrimination, access to justice, rehabilitation) count only
near a sex-work mention; a cue framed by an earlier cue of the other polarity is dropped; Spanish
and English conflation and third-party wording; child-only wording is not relevant; "sexual
workers"; protection of sex workers in five languages. Plus the evaluation set's shape and a floor
on its development half.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter

import pytest

from chorus.outcomes import classifier
from chorus.outcomes.classifier import classify
from tests.outcomes_classifier.cue_helpers import (
    EVALUATION_SET,
    ROOT,
    assert_decided,
    assert_offsets,
    keys,
)

# --- Relevance -----------------------------------------------------------------------------------


def test_sexual_workers_is_relevant():
    text = "The State party should ensure access to public services for sexual workers."
    result = classify(text, "en")
    assert result.relevant
    assert {term.key for term in result.terms} == {"sex_work"}
    assert_offsets(text, result)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "The Committee is concerned at the growing involvement of children in the sex "
            "industry.",
        ),
        (
            "en",
            "The Committee is concerned at increasing instances of sexual exploitation of "
            "children, including through prostitution.",
        ),
        ("es", "Preocupa al Comité la existencia de niñas en la prostitución."),
        ("es", "La Junta coordina medidas a favor de las prostitutas infantiles."),
        ("fr", "Le Comité s'inquiète du nombre d'enfants dans l'industrie du sexe."),
        ("ru", "Комитет обеспокоен вовлечением детей в проституцию."),
        ("zh-hans", "委员会关切儿童从事卖淫。"),
    ],
)
def test_child_only_wording_is_not_relevant(lang, text):
    result = classify(text, lang)
    assert not result.relevant, result.reason
    assert "children" in result.reason


def test_an_adult_mention_beside_a_child_one_stays_relevant():
    result = classify(
        "Le Comité s'inquiète des enfants dans l'industrie du sexe et des femmes prostituées.",
        "fr",
    )
    assert result.relevant


# --- Generic cues count only near the sex-work mention ---------------------------------------


def test_generic_health_cue_in_another_sentence_does_not_count():
    result = classify(
        "The Committee is concerned about prostitution in the State party. It recommends "
        "improving access to health services for rural women.",
        "en",
    )
    assert result.relevant and result.label == "neutral" and not result.cues


def test_generic_health_cue_far_away_in_the_same_sentence_does_not_count():
    text = (
        "El Comité está preocupado porque los programas de lucha contra el VIH/SIDA no estén "
        "focalizados en las mujeres, con la excepción de las prostitutas y las embarazadas."
    )
    result = classify(text, "es")
    assert result.relevant and result.label == "neutral"


def test_generic_cue_next_to_the_mention_counts():
    text = "The State party should ensure that sex workers have access to health services."
    result = classify(text, "en")
    assert result.label == "rights-affirming"
    assert keys(result) == {"health_services"}
    assert_offsets(text, result)


def test_rehabilitation_of_trafficking_victims_elsewhere_is_not_a_prostitution_cue():
    text = (
        "Recomienda la rehabilitación e integración social de las víctimas de la trata. "
        "Pide datos sobre la explotación de la prostitución."
    )
    result = classify(text, "es")
    assert result.relevant and result.label == "neutral"


def test_scope_must_be_known(tmp_path, monkeypatch):
    data = json.loads((classifier.CUES_DIR / "en.json").read_text(encoding="utf-8"))
    data["cues"][0]["scope"] = "sentence"
    with pytest.raises(ValueError, match="scope"):
        classifier._check_lexicon(data, "en")


# --- Framing: the earlier of two overlapping opposite cues wins -------------------------------


def test_consequences_of_criminalising_the_purchase_is_rights_affirming():
    text = (
        "The Committee is concerned at the unintended consequences of the criminalization since "
        "2009 of the purchase of sexual activity, in particular the higher risk for the personal "
        "safety of women in prostitution as reflected in the low reporting rate of violence."
    )
    result = classify(text, "en")
    assert result.label == "rights-affirming"
    assert "criminalise_clients" not in keys(result)
    assert {"criminalisation_harm", "protection", "access_to_justice"} <= keys(result)
    assert_offsets(text, result)


def test_repealing_client_criminalisation_is_rights_affirming():
    result = classify(
        "The State party should repeal the laws criminalizing the purchase of sexual services.",
        "en",
    )
    assert result.label == "rights-affirming"
    assert "criminalise_clients" not in keys(result)


def test_separate_opposite_cues_still_make_mixed():
    result = classify(
        "The State party should decriminalize women in prostitution and criminalize the "
        "purchase of sexual services.",
        "en",
    )
    assert result.label == "mixed"


# --- Spanish conflation, third parties, exit, protection --------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            "Preocupa al Comité la persistencia de la trata de personas y la explotación de la "
            "prostitución.",
            "conflation",
        ),
        (
            "Investigue los casos de trata de personas con fines de explotación sexual y "
            "explotación de la prostitución.",
            "conflation",
        ),
        (
            "El Comité recomienda que la legislación sancione a quienes se dedican a la "
            "explotación de la prostitución.",
            "criminalise_third_parties",
        ),
        (
            "Preocupa la falta de programas de ayuda para las mujeres que ejercen la prostitución "
            "y desean abandonarla.",
            "exit_programmes",
        ),
    ],
)
def test_spanish_regressive_wording(text, key):
    assert_decided(text, "es", "regressive", key)


def test_trafficking_then_preventing_exploitation_of_prostitution_is_not_conflation():
    result = classify(
        "Refuerce las medidas con los países de origen de las víctimas de trata en particular "
        "para prevenir la explotación de la prostitución.",
        "es",
    )
    assert result.relevant and result.label == "neutral"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "es",
            "Adopte medidas para proteger a las mujeres que ejercen la prostitución y facilitar "
            "las denuncias ante la policía.",
        ),
        ("en", "The State party should protect sex workers from violence."),
        ("fr", "Le Comité recommande de protéger les travailleuses du sexe contre la violence."),
        ("ru", "Комитет рекомендует защищать секс-работников от насилия."),
        ("zh-hans", "委员会建议保护性工作者免遭暴力。"),
    ],
)
def test_protection_of_sex_workers_in_five_languages(lang, text):
    assert_decided(text, lang, "rights-affirming", "protection")


def test_protection_and_exit_together_are_mixed():
    result = classify(
        "Adopte medidas para proteger de la explotación a las mujeres que se dedican a la "
        "prostitución, facilitar las denuncias ante la policía y establezca programas para las "
        "mujeres que quieran abandonar la prostitución.",
        "es",
    )
    assert result.label == "mixed"


# --- The evaluation set -------------------------------------------------------------------------


def _rows() -> list[dict]:
    return [json.loads(line) for line in EVALUATION_SET.read_text(encoding="utf-8").splitlines()]


def test_evaluation_set_shape():
    rows = _rows()
    required = {"symbol", "paragraph", "url", "lang", "text", "relevant", "label", "split"}
    for row in rows:
        assert required <= row.keys()
        assert row["label"] in (*classifier.STANCE_LABELS, classifier.NOT_RELEVANT)
        assert row["relevant"] == (row["label"] != classifier.NOT_RELEVANT)
        assert row["split"] in ("dev", "heldout")
        assert classifier.normalise_language(row["lang"]) is not None
        assert row["text"].strip() and "**" not in row["text"]
    splits = Counter(row["split"] for row in rows)
    assert abs(splits["dev"] - splits["heldout"]) <= 2
    duplicates = Counter((row["symbol"], row["paragraph"], row["lang"]) for row in rows)
    assert max(duplicates.values()) == 1


def test_development_half_floor():
    spec = importlib.util.spec_from_file_location(
        "classifier_eval", ROOT / "bench" / "classifier_eval.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = [row for row in module.load() if row["split"] == "dev"]
    predicted = classifier.classify_rows([{"text": r["text"], "lang": r["lang"]} for r in rows])
    figures = module.measure(list(zip(rows, predicted, strict=True)))
    assert figures["fn"] == 0
    assert figures["tp"] / (figures["tp"] + figures["fp"]) >= 0.9
    assert figures["stance_correct"] / figures["stance_rows"] >= 0.85


def test_prostitution_as_a_form_of_violence_is_still_conflation():
    result = classify(
        "The State party should treat prostitution as a form of gender-based violence.", "en"
    )
    assert result.label == "regressive"
    assert "conflation" in keys(result)
