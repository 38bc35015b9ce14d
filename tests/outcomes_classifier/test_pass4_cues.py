"""Cue behaviour added in the fourth collection round (bench/data/README.md, "Fourth pass").

Relevance and stance in French, Russian and Chinese on short sentences in the committees' wording
(the evaluation set has no relevant row in those languages yet, so these tests are their only
check); inflected Spanish verbs (gerund, subjunctive, infinitive with an object pronoun);
trafficking "for the sex trade" is trafficking, not sex work; child-only wording with a gap in
Russian and Chinese; the fourth round's rows in the evaluation set.
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

# --- French, Russian, Chinese: relevance and stance ---------------------------------------------

STANCE_CASES = [
    (
        "fr",
        "Le Comité recommande à l'État partie de dépénaliser la prostitution et de garantir "
        "l'accès des travailleuses du sexe aux services de santé.",
        "rights-affirming",
        {"decriminalisation", "health_services"},
    ),
    (
        "fr",
        "Le Comité engage l'État partie à décourager la demande de prostitution et à offrir des "
        "programmes de sortie aux femmes souhaitant quitter la prostitution.",
        "regressive",
        {"end_demand", "exit_programmes"},
    ),
    (
        "fr",
        "Le Comité recommande à l'État partie de protéger les femmes prostituées contre la "
        "violence.",
        "rights-affirming",
        {"protection"},
    ),
    (
        "fr",
        "Le Comité demande à l'État partie de fournir des données sur la prostitution dans son "
        "prochain rapport.",
        "neutral",
        set(),
    ),
    (
        "ru",
        "Комитет рекомендует государству-участнику декриминализировать секс-работу и обеспечить "
        "доступ секс-работниц к медицинским услугам.",
        "rights-affirming",
        {"decriminalisation", "health_services"},
    ),
    (
        "ru",
        "Комитет призывает государство-участник сократить спрос на проституцию и предоставить "
        "программы выхода женщинам, желающим оставить проституцию.",
        "regressive",
        {"end_demand", "exit_programmes"},
    ),
    (
        "ru",
        "Государству-участнику следует снижать спрос на сексуальные услуги.",
        "regressive",
        {"end_demand"},
    ),
    (
        "ru",
        "Комитет обеспокоен принудительной проституцией женщин.",
        "regressive",
        {"conflation"},
    ),
    (
        "ru",
        "Комитет просит государство-участник представить данные о проституции в своем следующем "
        "докладе.",
        "neutral",
        set(),
    ),
    (
        "zh-hans",
        "委员会建议缔约国将性工作非刑罪化，并确保性工作者获得保健服务。",
        "rights-affirming",
        {"decriminalisation", "health_services"},
    ),
    (
        "zh-hans",
        "委员会促请缔约国减少对卖淫的需求，并为希望离开卖淫的妇女提供退出方案。",
        "regressive",
        {"end_demand", "exit_programmes"},
    ),
    (
        "zh-hans",
        "委员会建议缔约国禁止强迫妇女卖淫。",
        "regressive",
        {"conflation"},
    ),
    (
        "zh-hans",
        "委员会请缔约国在下一次报告中提供关于卖淫问题的数据。",
        "neutral",
        set(),
    ),
]


@pytest.mark.parametrize(("lang", "text", "label", "cue_keys"), STANCE_CASES)
def test_relevance_and_stance_in_french_russian_chinese(lang, text, label, cue_keys):
    result = classify(text, lang)
    assert result.relevant
    assert result.label == label
    assert keys(result) == cue_keys
    assert_offsets(text, result)


def test_language_is_detected_without_a_lang_field():
    for lang, text, label, _ in STANCE_CASES:
        result = classify(text)
        assert result.lang == lang
        assert result.label == label


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "Комитет рекомендует бороться с вовлечением детей в проституцию."),
        ("ru", "Комитет обеспокоен тем, что дети вовлекаются в проституцию."),
        ("zh-hans", "委员会关切地注意到，儿童被迫卖淫。"),
        ("zh-hans", "委员会建议缔约国打击儿童卖淫。"),
    ],
)
def test_child_only_wording_with_a_gap_is_not_relevant(lang, text):
    result = classify(text, lang)
    assert not result.relevant
    assert result.label == classifier.NOT_RELEVANT


# --- Spanish inflections --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (
            "El Comité recomienda al Estado parte que siga desalentando la demanda de "
            "prostitución.",
            "end_demand",
        ),
        (
            "El Comité recomienda al Estado parte que reduzca la demanda de prostitución.",
            "end_demand",
        ),
        (
            "El Comité recomienda al Estado parte que desaliente la demanda de servicios sexuales.",
            "end_demand",
        ),
        (
            "La prostitución es una forma de explotación y el Estado parte debe adoptar medidas "
            "para abolirla.",
            "abolition",
        ),
        (
            "La prostitución persiste y el Estado parte debe erradicarla.",
            "abolition",
        ),
    ],
)
def test_spanish_inflected_verbs_are_regressive_cues(text, key):
    assert_decided(text, "es", "regressive", key)


def test_eliminarla_about_something_else_is_not_abolition():
    text = (
        "El Estado parte debe eliminar la discriminación contra las mujeres y adoptar medidas "
        "para eliminarla; también debe proporcionar datos sobre la prostitución."
    )
    result = classify(text, "es")
    assert result.relevant
    assert result.label == "neutral"


# --- Trafficking for the sex trade ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The State party should combat trafficking in women for the sex trade."),
        ("en", "Women are trafficked into the sex industry of neighbouring countries."),
        (
            "es",
            "El Comité considera que el tráfico de mujeres con fines de comercio sexual debe ser "
            "penalizado.",
        ),
        (
            "fr",
            "Le Comité recommande à l'État partie de lutter contre la traite des femmes aux fins "
            "du commerce du sexe.",
        ),
    ],
)
def test_trafficking_for_the_sex_trade_is_not_relevant(lang, text):
    result = classify(text, lang)
    assert not result.relevant
    assert "trafficking" in result.reason


def test_demand_for_commercial_sex_stays_relevant_and_regressive():
    result = classify("Take effective measures to reduce demand for commercial sex.", "en")
    assert result.relevant
    assert result.label == "regressive"
    assert "end_demand" in keys(result)


def test_trafficking_and_prostitution_as_one_phenomenon_stays_relevant():
    result = classify("El Comité insta a combatir la trata y la prostitución.", "es")
    assert result.relevant
    assert "conflation" in keys(result)


# --- The fourth round's rows ----------------------------------------------------------------------


def _rows() -> list[dict]:
    return [json.loads(line) for line in EVALUATION_SET.read_text(encoding="utf-8").splitlines()]


def test_fourth_pass_rows():
    rows = _rows()
    fourth = [row for row in rows if row.get("pass") == 4]
    assert len(fourth) == 8
    assert Counter(row["label"] for row in fourth) == {"rights-affirming": 2, "not-relevant": 6}
    assert Counter(row["split"] for row in fourth) == {"dev": 4, "heldout": 4}
    for row in fourth:
        assert row["url"].startswith("https://")
        assert row["label_reason"]
    assert {1, 2, 3, 4} <= {row["pass"] for row in rows}
    assert Counter(row["label"] for row in rows)["rights-affirming"] == 5
