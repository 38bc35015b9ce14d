"""Benchmark and evaluate the UN recommendation classifier.

Run: .venv/bin/python bench/classifier_bench.py [--repeat 3]

1. Speed: turns every paragraph of the UN fixture (../shared/fixtures/un/treaty-body-general-
   comments/, read in place) into JSON Lines rows in a temporary directory, then runs the
   command-line path end to end (`classifier.main`: read, check, classify, write atomically) and
   prints paragraphs, seconds, paragraphs per second and the ratio to the 200/s target (below
   1.00 meets it). No Django, no database.
2. Quality: runs bench/classifier_eval.py on bench/data/concluding_observations_labelled.jsonl
   (concluding observations and UPR recommendations labelled by hand, see bench/data/README.md):
   relevance precision / recall / F1, per-label stance precision and recall, a confusion matrix
   and per-language figures, for the development half, the held-out half and both. Row-by-row
   misses are not printed here; `bench/classifier_eval.py --misses dev` prints the development
   half's.
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

import classifier_eval  # noqa: E402 - bench/ is on the path when run as a script

from chorus.outcomes import classifier  # noqa: E402 - after the path is set

TARGET_PER_SECOND = 200
FIXTURE_DIR = ROOT.parent / "shared" / "fixtures" / "un" / "treaty-body-general-comments"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    speed(options.repeat)
    classifier_eval.main([])


if __name__ == "__main__":
    main()
