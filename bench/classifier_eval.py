"""Measure the UN recommendation classifier on the labelled concluding observations.

Run: .venv/bin/python bench/classifier_eval.py [--split dev|heldout|all] [--misses dev|heldout]

Reads bench/data/concluding_observations_labelled.jsonl (sources, labels and the fixed
development / held-out split are described in bench/data/README.md), classifies every row with
the cue lexicons only (no trained model, no database) and prints, for the development half, the
held-out half and both together:

- relevance precision, recall and F1 (a row is relevant when its gold label is not
  "not-relevant");
- stance precision and recall per label, on the rows whose gold label is relevant (a relevant
  row the classifier finds not relevant counts as a miss for its label);
- a confusion matrix, gold label by row, predicted label by column;
- relevance precision / recall and stance accuracy per language.

Misses (rows classified differently from their gold label, with the cues that decided) are
printed only for the half named by --misses. Cue changes are made by looking at the
development half only; the held-out half is the honest measure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chorus.outcomes import classifier  # noqa: E402 - after the path is set

EVALUATION_SET = ROOT / "bench" / "data" / "concluding_observations_labelled.jsonl"
LABELS = (*classifier.STANCE_LABELS, classifier.NOT_RELEVANT)
SPLITS = ("dev", "heldout")


def load(path: Path = EVALUATION_SET) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for number, row in enumerate(rows, start=1):
        if row.get("label") not in LABELS or row.get("split") not in SPLITS:
            raise SystemExit(f"{path}, line {number}: bad label or split")
    return rows


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f} ({numerator}/{denominator})" if denominator else "n/a"


def f1(tp: int, fp: int, fn: int) -> str:
    return f"{2 * tp / (2 * tp + fp + fn):.2f}" if tp else ("n/a" if not (fp or fn) else "0.00")


def measure(pairs: list[tuple[dict, dict]]) -> dict:
    """Return the figures for (gold row, prediction) pairs."""
    gold_relevant = [g["label"] != classifier.NOT_RELEVANT for g, _ in pairs]
    predicted_relevant = [bool(p["relevant"]) for _, p in pairs]
    tp = sum(g and p for g, p in zip(gold_relevant, predicted_relevant, strict=True))
    fp = sum(p and not g for g, p in zip(gold_relevant, predicted_relevant, strict=True))
    fn = sum(g and not p for g, p in zip(gold_relevant, predicted_relevant, strict=True))
    confusion = Counter((g["label"], p["label"]) for g, p in pairs)
    stance = [(g["label"], p["label"]) for g, p in pairs if g["label"] != classifier.NOT_RELEVANT]
    per_label = {}
    for label in classifier.STANCE_LABELS:
        hits = sum(1 for gold, got in stance if gold == got == label)
        predicted = sum(1 for _, got in stance if got == label)
        gold_n = sum(1 for gold, _ in stance if gold == label)
        per_label[label] = (hits, predicted, gold_n)
    correct = sum(1 for gold, got in stance if gold == got)
    return {
        "rows": len(pairs),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "confusion": confusion,
        "per_label": per_label,
        "stance_correct": correct,
        "stance_rows": len(stance),
    }


def report(title: str, pairs: list[tuple[dict, dict]]) -> dict:
    figures = measure(pairs)
    tp, fp, fn = figures["tp"], figures["fp"], figures["fn"]
    print(f"\n== {title}: {figures['rows']} rows, {tp + fn} relevant ==")
    print(
        f"relevance precision {ratio(tp, tp + fp)}, recall {ratio(tp, tp + fn)}, "
        f"F1 {f1(tp, fp, fn)}"
    )
    print(
        f"stance accuracy on gold-relevant rows "
        f"{ratio(figures['stance_correct'], figures['stance_rows'])}"
    )
    for label, (hits, predicted, gold_n) in figures["per_label"].items():
        print(f"  {label:17} precision {ratio(hits, predicted):14} recall {ratio(hits, gold_n)}")
    short = {"rights-affirming": "rights", "not-relevant": "not-rel"}
    header = "".join(f"{short.get(label, label):>11}" for label in LABELS)
    print(f"  confusion (rows: gold, columns: predicted)\n  {'':17}{header}")
    for gold in LABELS:
        cells = "".join(f"{figures['confusion'][(gold, got)]:>11}" for got in LABELS)
        print(f"  {gold:17}{cells}")
    languages = sorted({g["lang"] for g, _ in pairs})
    for language in languages:
        subset = [(g, p) for g, p in pairs if g["lang"] == language]
        sub = measure(subset)
        print(
            f"  [{language}] {sub['rows']:3} rows, {sub['tp'] + sub['fn']} relevant, "
            f"{sub['tp'] + sub['fp']} predicted relevant: precision "
            f"{ratio(sub['tp'], sub['tp'] + sub['fp'])}, recall "
            f"{ratio(sub['tp'], sub['tp'] + sub['fn'])}; stance accuracy "
            f"{ratio(sub['stance_correct'], sub['stance_rows'])}"
        )
    return figures


def print_misses(pairs: list[tuple[dict, dict]], split: str) -> None:
    print(f"\nMisses in the {split} half:")
    for gold, got in pairs:
        if gold["label"] == got["label"]:
            continue
        keys = ", ".join(sorted({cue["key"] for cue in got["cues"]})) or "no cues"
        terms = ", ".join(sorted({term["key"] for term in got["terms"]})) or "no terms"
        print(
            f"  {gold['symbol'][:60]} para {gold['paragraph']} [{gold['lang']}]: gold "
            f"{gold['label']}, got {got['label']} (terms: {terms}; cues: {keys})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default=None)
    parser.add_argument("--misses", choices=SPLITS, default=None)
    parser.add_argument("--input", type=Path, default=EVALUATION_SET)
    options = parser.parse_args(argv)
    rows = load(options.input)
    predictions = classifier.classify_rows(
        [{"text": row["text"], "lang": row["lang"]} for row in rows]
    )
    pairs = list(zip(rows, predictions, strict=True))
    by_split = {split: [(g, p) for g, p in pairs if g["split"] == split] for split in SPLITS}
    print(f"Evaluation set: {options.input}, {len(rows)} rows (cue lexicons only)")
    titles = {"dev": "development half", "heldout": "held-out half"}
    wanted = SPLITS if options.split in (None, "all") else (options.split,)
    for split in wanted:
        report(titles[split], by_split[split])
    if options.split in (None, "all"):
        report("all rows", pairs)
    if options.misses:
        print_misses(by_split[options.misses], options.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
