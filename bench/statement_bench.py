"""Benchmark the statement check on five-page statements in English and Chinese.

Run: .venv/bin/python bench/statement_bench.py [--repeat 50]
Builds a fresh SQLite database in a temporary directory (so the check runs as in production: one
query for the lexicon's version, patterns compiled once), then times `check_statement` and the
highlighted HTML for a ~3 000-word English statement and a Chinese one of the same length in
characters of content, and prints the median and p95 against the 200 ms target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 200

ENGLISH_PARAGRAPH = (
    "The COVID-19 pandemic has deepened the inequalities faced by women and girls everywhere. "
    "Women with disabilities, migrant women, Indigenous women, older women and women living with "
    "HIV have lost income, care and protection. Sex workers were left without any income support, "
    "and some governments used the crisis to tighten laws that criminalise clients and to promote "
    "the Nordic model. Some allies still speak of prostituted women and of the demand that fosters "
    "trafficking, conflating sex trafficking and prostitution, and call for exit programmes. "
    "We call on governments to protect the health, income and rights of every woman, including "
    "trans women, lesbian and bisexual women and young women, and to listen to the organisations "
    "that represent them in every region of the world.\n\n"
)
CHINESE_PARAGRAPH = (
    "新冠肺炎疫情加深了世界各地妇女和女童面临的不平等。残障妇女、移民妇女、原住民妇女、老年妇女和"
    "感染艾滋病毒的妇女失去了收入、照护和保护。性工作者没有得到任何收入支持，一些政府利用危机"
    "加强打击嫖客的法律并推广北欧模式。一些盟友仍然谈论卖淫妇女和助长人口贩运的需求，把性交易与"
    "人口贩运混为一谈，并呼吁退出方案。我们呼吁各国政府保护每一位妇女的健康、收入和权利，包括跨性别"
    "妇女、女同性恋和双性恋妇女以及年轻妇女，并倾听在世界各地区代表她们的组织的声音。\n\n"
)


def setup(var_dir: str) -> None:
    os.environ.update(
        {
            "CHORUS_VAR_DIR": var_dir,
            "CHORUS_HTTPS": "0",
            "CHORUS_ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "chorus.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def five_pages(paragraph: str, *, words: int) -> str:
    """Repeat a paragraph to about `words` words (600 words a page, five pages)."""
    per_paragraph = max(1, len(paragraph.split())) if " " in paragraph else len(paragraph) // 2
    return paragraph * max(1, round(words / per_paragraph))


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()
    setup(tempfile.mkdtemp(prefix="chorus-bench-"))

    from django.core.management import call_command

    from chorus.stakeholders import statements

    call_command("migrate", verbosity=0)
    # A Chinese word averages about two characters: 3 000 words are about 6 000 characters.
    texts = {
        "English": five_pages(ENGLISH_PARAGRAPH, words=3_000),
        "Chinese": five_pages(CHINESE_PARAGRAPH, words=3_000),
    }
    print(f"target: {TARGET_MS} ms per check; {options.repeat} runs each\n")
    for label, text in texts.items():
        started = time.perf_counter()
        first = statements.check_statement(text)
        cold = (time.perf_counter() - started) * 1000

        def check(text=text):
            report = statements.check_statement(text)
            statements.highlight(text, report.flags)

        samples = timed(check, options.repeat)
        median, high = statistics.median(samples), p95(samples)
        print(
            f"{label:<8} {len(text.split()) if label == 'English' else len(text):>6} "
            f"{'words' if label == 'English' else 'chars'}, language {first.language}, "
            f"{sum(g.count for g in first.groups_named)} group mentions, {len(first.flags)} flags"
        )
        print(f"  first check (compiles the lexicon): {cold:7.1f} ms")
        print(
            f"  check + highlight: median {median:6.1f} ms   p95 {high:6.1f} ms   "
            f"p95 / target = {high / TARGET_MS:.3f}"
        )


if __name__ == "__main__":
    main()
