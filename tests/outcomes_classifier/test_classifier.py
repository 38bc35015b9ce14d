"""The UN recommendation classifier: relevance, stance, cues, languages, learning and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chorus.outcomes import classifier
from chorus.outcomes.classifier import classify, main, train
from tests.outcomes_classifier.cue_helpers import assert_offsets

ROOT = Path(__file__).resolve().parents[2]
SHARED_UN = ROOT.parent / "shared" / "fixtures" / "un"
FIXTURE_DIR = SHARED_UN / "treaty-body-general-comments"
CEDAW_LABELLED = SHARED_UN / "cedaw-general-recommendations-labelled.jsonl"


# --- Relevance in five languages ---------------------------------------------------------------

RELEVANT = [
    ("en", "The Committee is concerned about the situation of women in prostitution."),
    ("en", "Sex workers face violence and are denied access to services."),
    ("fr", "Le Comité est préoccupé par la situation des travailleuses du sexe."),
    ("fr", "Il recommande de lutter contre l'exploitation de la prostitution des femmes."),
    ("es", "Preocupa al Comité la situación de las trabajadoras sexuales en el Estado parte."),
    ("es", "El Comité observa la explotación de la prostitución de mujeres migrantes."),
    ("ru", "Комитет обеспокоен положением женщин, занимающихся проституцией."),
    ("ru", "Комитет рекомендует защитить секс-работниц от насилия."),
    ("ru", "Комитет озабочен эксплуатацией проституции."),
    ("zh-hans", "委员会关切性工作者遭受暴力。"),
    ("zh-hans", "委员会关切卖淫剥削问题以及嫖娼行为。"),
]
NOT_RELEVANT = [
    ("en", "The Committee recommends that the State party combat trafficking in persons."),
    ("fr", "Le Comité recommande à l'État partie de lutter contre la traite des êtres humains."),
    ("es", "El Comité insta al Estado parte a combatir la trata de personas."),
    ("ru", "Комитет рекомендует государству-участнику бороться с торговлей людьми."),
    ("zh-hans", "委员会建议缔约国打击贩运人口行为。"),
    ("en", "The State party should eradicate child prostitution and child labour."),
]


@pytest.mark.parametrize(("lang", "text"), RELEVANT)
def test_relevant_in_each_language(lang, text):
    result = classify(text, lang)
    assert result.relevant, result.reason
    assert result.label in classifier.STANCE_LABELS
    assert result.terms
    assert_offsets(text, result)


@pytest.mark.parametrize(("lang", "text"), NOT_RELEVANT)
def test_trafficking_or_children_only_is_not_relevant(lang, text):
    result = classify(text, lang)
    assert not result.relevant
    assert result.label == classifier.NOT_RELEVANT
    assert result.reason


def test_language_is_detected_by_script_and_words():
    assert classify("委员会关切性工作者遭受暴力。").lang == "zh-hans"
    assert classify("Комитет обеспокоен положением секс-работниц.").lang == "ru"
    assert classify("Le Comité est préoccupé par la situation des prostituées.").lang == "fr"
    assert (
        classify("El Comité recomienda que el Estado parte despenalice el trabajo sexual.").lang
        == "es"
    )
    assert classify("The Committee is concerned that sex workers are arrested.").lang == "en"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("توصي اللجنة الدولة الطرف بحماية حقوق المشتغلين بالجنس.", None),
        (
            "Der Ausschuss ist besorgt über die Lage der Sexarbeiterinnen und die Prostitution.",
            None,
        ),
        ("The Committee is concerned about prostitution.", "de"),
    ],
)
def test_unsupported_language_is_unknown(text, lang):
    result = classify(text, lang)
    assert not result.relevant
    assert result.label == classifier.UNKNOWN
    assert result.confidence == 0
    assert "not supported" in result.reason or "not recognised" in result.reason


# --- Stance, cues and offsets ------------------------------------------------------------------


def test_rights_affirming_with_cues_and_offsets():
    text = (
        "The Committee recommends that the State party decriminalize sex work, protect sex "
        "workers from police violence and arbitrary arrest, and ensure their access to justice."
    )
    result = classify(text, "en")
    assert result.label == "rights-affirming"
    keys = {cue.key for cue in result.cues}
    assert {"decriminalisation", "police_violence", "access_to_justice"} <= keys
    assert all(cue.polarity == "rights-affirming" for cue in result.cues)
    assert_offsets(text, result)
    assert 0.9 < result.confidence <= 1


def test_regressive_with_cues_and_offsets():
    text = (
        "The Committee urges the State party to discourage the demand for prostitution, "
        "criminalize the purchase of sexual services and provide exit programmes."
    )
    result = classify(text, "en")
    assert result.label == "regressive"
    assert {"end_demand", "criminalise_clients", "exit_programmes"} <= {c.key for c in result.cues}
    assert_offsets(text, result)


def test_mixed_lowers_confidence():
    text = (
        "The Committee recommends that the State party decriminalize women in prostitution and "
        "provide exit programmes for women who wish to leave prostitution."
    )
    result = classify(text, "en")
    assert result.label == "mixed"
    assert {cue.polarity for cue in result.cues} == {"rights-affirming", "regressive"}
    one_sided = classify(
        "The State party should provide exit programmes for women in prostitution.", "en"
    )
    assert result.confidence < one_sided.confidence + 0.1
    assert_offsets(text, result)


def test_neutral_article_6_restatement():
    text = (
        "States parties are required by article 6 to take measures to suppress all forms of "
        "traffic in women and exploitation of the prostitution of women."
    )
    result = classify(text, "en")
    assert result.relevant and result.label == "neutral" and not result.cues
    assert 0.5 <= result.confidence < 0.8


@pytest.mark.parametrize(
    ("lang", "text", "label", "key"),
    [
        (
            "fr",
            "Le Comité recommande de dépénaliser le travail du sexe.",
            "rights-affirming",
            "decriminalisation",
        ),
        (
            "es",
            "El Comité recomienda desalentar la demanda de prostitución.",
            "regressive",
            "end_demand",
        ),
        (
            "ru",
            "Комитет рекомендует декриминализировать секс-работу.",
            "rights-affirming",
            "decriminalisation",
        ),
        (
            "ru",
            "Комитет рекомендует программы выхода из проституции.",
            "regressive",
            "exit_programmes",
        ),
        ("zh-hans", "委员会建议将性工作非刑罪化。", "rights-affirming", "decriminalisation"),
        ("zh-hans", "委员会建议采用北欧模式，惩罚嫖客。", "regressive", "nordic_model"),
    ],
)
def test_stance_in_other_languages(lang, text, label, key):
    result = classify(text, lang)
    assert result.label == label
    assert key in {cue.key for cue in result.cues}
    assert_offsets(text, result)


def test_accents_case_and_offsets_survive_folding():
    text = "LE COMITÉ RECOMMANDE DE DÉPÉNALISER LES TRAVAILLEUSES DU SEXE ET LA PROSTITUTION."
    result = classify(text, "fr")
    assert result.label == "rights-affirming"
    assert_offsets(text, result)
    decomposed = "Le Comite\u0301 recommande de de\u0301pe\u0301naliser la prostitution."
    result = classify(decomposed, "fr")
    assert result.label == "rights-affirming"
    assert_offsets(decomposed, result)


def test_cedaw_labelled_fixture_rows():
    rows = [json.loads(line) for line in CEDAW_LABELLED.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 15
    agree = 0
    for row in rows:
        result = classify(row["text"], "en")
        assert result.relevant, row["symbol"]
        assert result.label != classifier.UNKNOWN
        assert_offsets(row["text"], result)
        agree += result.label == row["label"]
    assert agree >= 12


# --- Size and speed ----------------------------------------------------------------------------


def test_one_megabyte_paragraph_is_capped_and_fast():
    text = ("Sex workers are arrested by police. " * 30_000)[:1_000_000]
    started = time.perf_counter()
    result = classify(text, "en")
    assert time.perf_counter() - started < 2
    assert result.relevant
    assert "first 20000" in result.reason
    assert all(cue.end <= classifier.MAX_CHARS for cue in result.cues)


def test_pathological_text_completes_quickly():
    text = "prostitution " + "a-" * 200_000 + " clients"
    started = time.perf_counter()
    classify(text, "en")
    assert time.perf_counter() - started < 2


def test_every_fixture_paragraph_gets_a_label():
    count = relevant = 0
    for path in sorted(FIXTURE_DIR.glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            if "Text" not in entry:
                continue
            result = classify(entry["Text"])
            count += 1
            assert result.label in (*classifier.STANCE_LABELS, classifier.NOT_RELEVANT, "unknown")
            if result.relevant:
                relevant += 1
                assert result.label in classifier.STANCE_LABELS
    assert count > 6000
    assert relevant > 20


# --- Learning from corrections -----------------------------------------------------------------

CORRECTIONS = [
    ("Expand community outreach to sex workers in rural districts.", "en", "rights-affirming"),
    ("Fund outreach teams that visit sex workers in border towns.", "en", "rights-affirming"),
    ("Support mobile outreach services for sex workers in mining areas.", "en", "rights-affirming"),
    (
        "Scale up peer outreach with sex workers along transport corridors.",
        "en",
        "rights-affirming",
    ),
    ("Provide information on the number of women in prostitution.", "en", "neutral"),
    ("Include statistics on prostitution in the next periodic report.", "en", "neutral"),
    ("Collect data on prostitution disaggregated by age.", "en", "neutral"),
    ("Discourage the demand for prostitution.", "en", "regressive"),
]
SIMILAR = "Extend outreach services to sex workers in remote border districts."


def test_training_on_corrections_changes_a_later_classification():
    before = classify(SIMILAR, "en")
    assert before.label == "neutral"
    model = train(CORRECTIONS)
    after = classify(SIMILAR, "en", model=model)
    assert after.label == "rights-affirming"
    assert "changed neutral to rights-affirming" in after.reason
    assert after.cue_label == "neutral"
    assert 0.6 <= after.model_probability <= 1
    # The cue decision stays explainable and unchanged without a model.
    assert classify(SIMILAR, "en").label == "neutral"


def test_training_needs_two_labels_and_valid_labels():
    with pytest.raises(classifier.InputError):
        train([("prostitution", "en", "neutral")] * 3)
    with pytest.raises(classifier.InputError):
        train([("prostitution", "en", "neutral"), ("sex work", "en", "good")])


# --- Command-line tool -------------------------------------------------------------------------


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cli_end_to_end_without_and_with_a_model(tmp_path, capsys):
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": 1, "text": "The Committee recommends decriminalizing sex work."},
            {"id": 2, "text": SIMILAR, "lang": "en"},
            {"id": 3, "text": "Combat trafficking in persons."},
            {"id": 4, "text": "Die Prostitution ist in Deutschland legal und geregelt."},
        ],
    )
    target = tmp_path / "out.jsonl"
    assert main(["--input", str(source), "--output", str(target)]) == 0
    rows = read_jsonl(target)
    assert [row["id"] for row in rows] == [1, 2, 3, 4]
    assert [row["label"] for row in rows] == [
        "rights-affirming",
        "neutral",
        "not-relevant",
        "unknown",
    ]
    assert [row["relevant"] for row in rows] == [True, True, False, False]
    cue = rows[0]["cues"][0]
    assert set(cue) >= {"key", "polarity", "phrase", "start", "end"}
    assert rows[0]["text"][cue["start"] : cue["end"]] == cue["phrase"]

    labelled = write_jsonl(
        tmp_path / "labelled.jsonl",
        [{"text": text, "lang": lang, "label": label} for text, lang, label in CORRECTIONS],
    )
    model = tmp_path / "model.joblib"
    assert main(["--train", str(labelled), "--model", str(model)]) == 0
    assert model.exists()
    assert main(["--input", str(source), "--output", str(target), "--model", str(model)]) == 0
    rows = read_jsonl(target)
    assert rows[1]["label"] == "rights-affirming"
    assert rows[1]["cue_label"] == "neutral"

    assert main(["--input", str(source)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4


def test_cli_runs_without_django_settings_or_database(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "委员会建议将性工作非刑罪化。"}])
    target = tmp_path / "out.jsonl"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    code = (
        "import runpy, sys; "
        "sys.argv = ['classifier', '--input', sys.argv[1], '--output', sys.argv[2]]; "
        "runpy.run_module('chorus.outcomes.classifier', run_name='__main__'); "
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "chorus.outcomes.classifier",
            "--input",
            str(source),
            "--output",
            str(target),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    rows = read_jsonl(target)
    assert rows[0]["label"] == "rights-affirming" and rows[0]["lang"] == "zh-hans"
    # Nothing imported Django settings along the way.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            code + "print('django.conf' in sys.modules and "
            "__import__('django.conf').conf.settings.configured)",
            str(source),
            str(target),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() in {"", "False"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no rows"),
        ("not json\n", "line 1: not JSON"),
        ('{"text": "prostitution"}\n{"lang": "en"}\n', 'line 2: the row has no "text"'),
        ('["a list"]\n', "line 1: each line must be a JSON object"),
    ],
)
def test_cli_rejects_bad_input_and_writes_nothing(tmp_path, capsys, content, message):
    source = tmp_path / "in.jsonl"
    source.write_text(content, encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert main(["--input", str(source), "--output", str(target)]) == 1
    assert message in capsys.readouterr().err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_cli_keeps_an_existing_output_when_input_is_bad(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text("{broken\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n", encoding="utf-8")
    assert main(["--input", str(source), "--output", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "previous\n"


def test_cli_usage_errors(tmp_path, capsys):
    assert main([]) == 2
    assert main(["--train", str(tmp_path / "x.jsonl")]) == 2
    assert main(["--input", str(tmp_path / "missing.jsonl")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_management_command_is_a_thin_wrapper(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    source = write_jsonl(
        tmp_path / "in.jsonl", [{"text": "Criminalize the clients of sex workers."}]
    )
    target = tmp_path / "out.jsonl"
    call_command("classify_recommendations", "--input", str(source), "--output", str(target))
    assert read_jsonl(target)[0]["label"] == "regressive"
    source.write_text("oops\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("classify_recommendations", "--input", str(source), "--output", str(target))
