"""Benchmark and evaluate the UN recommendation classifier.

Run: .venv/bin/python bench/classifier_bench.py [--repeat 3]

1. Speed: turns every paragraph of the UN fixture (../shared/fixtures/un/treaty-body-general-
   comments/, read in place) into JSON Lines rows in a temporary directory, then runs the
   command-line path end to end (`classifier.main`: read, check, classify, write atomically) and
   prints paragraphs, seconds, paragraphs per second and the ratio to the 200/s target (below
   1.00 meets it). No Django, no database.
2. Quality: classifies bench/data/concluding_observations_labelled.jsonl (concluding
   observations labelled by hand, see bench/data/README.md) and prints precision and recall for
   relevance, and per-label precision, recall and accuracy for stance.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chorus.outcomes import classifier  # noqa: E402 - after the path is set

TARGET_PER_SECOND = 200
FIXTURE_DIR = ROOT.parent / "shared" / "fixtures" / "un" / "treaty-body-general-comments"
EVALUATION_SET = ROOT / "bench" / "data" / "concluding_observations_labelled.jsonl"


def fixture_rows(directory: Path) -> list[dict]:
    """Return one row per paragraph ({source, id, text}) of every JSON file in the directory."""
    rows = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data if isinstance(data, list) else []
        for entry in entries:
            # _index.json lists documents, not paragraphs: its entries have no "Text".
            if isinstance(entry, dict) and isinstance(entry.get("Text"), str):
                rows.append({"source": path.name, "id": entry.get("ID"), "text": entry["Text"]})
    return rows


def speed(repeat: int) -> None:
    rows = fixture_rows(FIXTURE_DIR)
    files = len(list(FIXTURE_DIR.glob("*.json")))
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
        )
        timings = []
        for _ in range(repeat):
            classifier.lexicon.cache_clear()  # each run compiles the lexicons, as a new process
            started = time.perf_counter()
            status = classifier.main(["--input", str(source), "--output", str(target)])
            timings.append(time.perf_counter() - started)
            if status:
                raise SystemExit(f"classifier failed with status {status}")
        written = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(written) == len(rows)
    best = min(timings)
    per_second = len(rows) / best
    relevant = sum(row["relevant"] for row in written)
    print(f"Speed: {len(rows)} paragraphs from {files} files, {relevant} relevant")
    print(
        f"  best of {repeat}: {best:.2f} s, {per_second:.0f} paragraphs/s; "
        f"ratio to {TARGET_PER_SECOND}/s: {TARGET_PER_SECOND / per_second:.2f} "
        "(below 1.00 meets it)"
    )


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f} ({numerator}/{denominator})" if denominator else "n/a"


def evaluate(path: Path = EVALUATION_SET) -> dict:
    """Print and return relevance precision/recall and stance precision/recall/accuracy."""
    gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    predicted = classifier.classify_rows(gold)
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if _relevant(g) and p["relevant"])
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if not _relevant(g) and p["relevant"])
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if _relevant(g) and not p["relevant"])
    print(f"Evaluation set: {path.relative_to(ROOT)}, {len(gold)} rows")
    print(f"  relevance precision {ratio(tp, tp + fp)}, recall {ratio(tp, tp + fn)}")
    stance_pairs = [
        (g["label"], p["label"]) for g, p in zip(gold, predicted, strict=True) if _relevant(g)
    ]
    correct = sum(1 for expected, got in stance_pairs if expected == got)
    print(
        f"  stance accuracy on the {len(stance_pairs)} relevant rows: "
        f"{ratio(correct, len(stance_pairs))}"
    )
    per_label = {}
    for label in classifier.STANCE_LABELS:
        hits = sum(1 for expected, got in stance_pairs if expected == got == label)
        predicted_n = sum(1 for _, got in stance_pairs if got == label)
        gold_n = sum(1 for expected, _ in stance_pairs if expected == label)
        per_label[label] = (hits, predicted_n, gold_n)
        print(f"  {label:17} precision {ratio(hits, predicted_n):14} recall {ratio(hits, gold_n)}")
    for g, p in zip(gold, predicted, strict=True):
        if _relevant(g) != p["relevant"] or (_relevant(g) and g["label"] != p["label"]):
            keys = ", ".join(sorted({cue["key"] for cue in p["cues"]})) or "no cues"
            print(
                f"    miss: {g['symbol']} para {g['paragraph']}: gold {g['label']}, "
                f"got {p['label']} ({keys})"
            )
    return {"tp": tp, "fp": fp, "fn": fn, "stance": stance_pairs, "per_label": per_label}


def _relevant(row: dict) -> bool:
    return row["label"] != classifier.NOT_RELEVANT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    speed(options.repeat)
    evaluate()


if __name__ == "__main__":
    main()
