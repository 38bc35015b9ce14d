"""The codebook template and the demo's evidence study built from the seed's quotes."""

from __future__ import annotations

import colorsys
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from chorus.core.models import Role
from chorus.demo import evidence as demo_evidence
from chorus.evidence import actions
from chorus.evidence.codebook_template import (
    DEFAULT_TEMPLATE,
    OTHER_LANGUAGES,
    CodebookTemplateError,
    apply_template,
    load_template,
)
from chorus.evidence.models import Code, Coding, Memo, Participant, QuoteMode, Source, Study
from tests.conftest import make_user

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED = SHARED / "seed" / "case-study-womens-movement.zh.txt"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"the seed {SEED} is absent")
# The seed (2021 Chinese edition) quotes 23 people in 26 passages; a lower bound leaves room for
# a corrected edition while catching an extractor that silently stops finding quotes.
MIN_PEOPLE = 20
COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def walk(codes):
    for code in codes:
        yield code
        yield from walk(code.children)


def hue(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(red, green, blue)[0] * 360


def seed_without_layout() -> str:
    """Return the seed's running text: footnote and link lines dropped, line breaks undone."""
    seed = SEED.read_text(encoding="utf-8")
    kept = [
        line
        for line in seed.split("\n")
        if not re.match(r"\s*(\d{1,2}(?!\d)\s*\S|https?://)", line)
    ]
    return re.sub(r"\s*\n\s*", "", "\n".join(kept))


# The template ---------------------------------------------------------------------------------


def test_every_template_code_has_five_names_a_description_and_a_colour():
    roots = load_template()
    codes = list(walk(roots))
    assert len(roots) == 5 and len(codes) >= 30
    for code in codes:
        assert code.name and code.description.endswith(".")
        assert set(code.translations) == set(OTHER_LANGUAGES)
        assert all(name.strip() for name in code.translations.values())
        assert COLOUR.match(code.colour), code.name
    # One hue family per top-level branch, so a branch reads as one colour in the coding stripes.
    for root in roots:
        for code in walk([root]):
            distance = abs(hue(code.colour) - hue(root.colour)) % 360
            assert min(distance, 360 - distance) < 30, code.name


@needs_seed
def test_template_chinese_names_use_the_seeds_wording_and_the_terms_table():
    seed = SEED.read_text(encoding="utf-8")
    chinese = {code.name: code.translations["zh-hans"] for code in walk(load_template())}
    for name in (
        "Exclusion, discrimination and abuse",
        "Challenges of external stakeholders",
        "Finding common ground",
        "Soft power and empathy",
        "Patience and persistence",
        "Self-care and compassion",
        "Targeting the movable middle",
        "Institutional learning",
    ):
        assert chinese[name] in seed, name
    assert "可争取的中立派" in chinese["Targeting the movable middle"]
    assert chinese["CEDAW shadow reports"].endswith("影子报告")


@pytest.mark.django_db
def test_applying_the_template_builds_the_tree_with_translations(users):
    study = actions.study_create(
        actor=users[Role.RESEARCHER], title="Template", languages=["en", "zh-hans"]
    )
    created = apply_template(actor=users[Role.RESEARCHER], study=study)
    assert len(created) == len(list(walk(load_template()))) == study.codes.count()
    barriers = study.codes.get(name="Barriers", parent=None)
    assert barriers.translations["zh-hans"] == "合作障碍"
    assert set(barriers.children.values_list("name", flat=True)) >= {
        "Stigma and stereotypes",
        "Challenges of external stakeholders",
    }
    assert study.codes.get(name="Fear of backlash").parent.name == (
        "Challenges of external stakeholders"
    )


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda data: "{not json", "not valid JSON"),
        (lambda data: json.dumps({"codes": []}), "non-empty list"),
        (
            lambda data: json.dumps(
                {"codes": [{**data["codes"][0], "colour": "red"}, *data["codes"][1:]]}
            ),
            "#rrggbb",
        ),
        (
            lambda data: json.dumps(
                {
                    "codes": [
                        *data["codes"][:-1],
                        {
                            **data["codes"][-1],
                            "names": {
                                k: v for k, v in data["codes"][-1]["names"].items() if k != "ru"
                            },
                        },
                    ]
                }
            ),
            "name in ru",
        ),
        (
            lambda data: json.dumps({"codes": [data["codes"][0], data["codes"][0]]}),
            "more than once",
        ),
    ],
)
@pytest.mark.django_db
def test_a_malformed_template_is_refused_and_creates_nothing(users, tmp_path, mutate, message):
    data = json.loads(DEFAULT_TEMPLATE.read_text(encoding="utf-8"))
    path = tmp_path / "template.json"
    path.write_text(mutate(data), encoding="utf-8")
    study = actions.study_create(actor=users[Role.RESEARCHER], title="Template")
    with pytest.raises(CodebookTemplateError, match=re.escape(message)):
        apply_template(actor=users[Role.RESEARCHER], study=study, path=path)
    assert not Code.objects.exists()


# The quote extractor ---------------------------------------------------------------------------


def test_the_extractor_reads_wrapped_quotes_across_page_furniture():
    seed = (
        "正文第一行 \n\n"
        "“第一段引文的开\n\n头，接着是结尾。” \n\n"
        "Ann  Example，协调员，某组织 \n\n"
        "“跨页的引文\n\n \n\n3 “脚注”，2020 年。 \n\nhttps://example.org/x\n\n继续并结束。”\n\n"
        "Bo Sample, Coordinator \n\n"
        "“性工作者”一词反映了多样性，这不是引文。\n\n"
        "“没有署名的引文。”\n\n普通的段落。\n"
    )
    quotes = demo_evidence.extract_quotes(seed)
    assert [(quote.name, quote.text) for quote in quotes] == [
        ("Ann Example", "“第一段引文的开头，接着是结尾。”"),
        ("Bo Sample", "“跨页的引文继续并结束。”"),
    ]


# The demo study --------------------------------------------------------------------------------


@pytest.fixture
def researcher(db):
    return make_user(demo_evidence.RESEARCHER, Role.RESEARCHER)


@needs_seed
@pytest.mark.django_db
def test_the_demo_builds_one_coded_interview_per_quoted_person(researcher):
    out = io.StringIO()
    study = demo_evidence.build_evidence_demo(stdout=out)
    people = demo_evidence.quotes_by_person(demo_evidence.extract_quotes(demo_evidence.read_seed()))
    assert len(people) >= MIN_PEOPLE
    assert f"by {len(people)} people" in out.getvalue()

    assert study.title == "Engagement with the women's movement"
    assert study.languages == ["zh-hans", "en", "fr", "es", "ru"]
    assert study.members.get(user=researcher).role == "lead"
    assert study.codes.count() == len(list(walk(load_template())))

    interviews = study.sources.filter(kind="interview")
    assert interviews.count() == len(people) == study.participants.count()
    running_text = seed_without_layout()
    for source in interviews:
        assert source.language == "zh-hans"
        for quote in source.text.split("\n\n"):
            assert quote in running_text, source.title
        assert source.codings.exists(), source.title
        assert source.codings.filter(coder=researcher).count() == source.codings.count()
        assert source.participants.count() == 1

    for participant in study.participants.all():
        assert participant.consent.quote_mode == QuoteMode.NAMED
        assert not participant.consent.approval_required
        assert participant.real_name in people
        assert participant.attributes["organisation type"] in {"sex worker-led", "ally"}
    ruth = next(p for p in Participant.objects.all() if p.real_name == "Ruth Morgan Thomas")
    assert (ruth.role_title, ruth.region) == ("Global coordinator", "europe")
    assert ruth.sources.get().text.count("“") == 2  # both of her quotes, one paragraph each
    edwards = next(p for p in Participant.objects.all() if p.real_name == "Miriam Edwards")
    assert edwards.region == "north_america_caribbean"

    document = study.sources.get(kind="document")
    assert document.title == demo_evidence.SEED_TITLE
    assert document.title in SEED.read_text(encoding="utf-8")
    assert document.language == "zh-hans"
    assert study.memos.count() >= 1


@needs_seed
@pytest.mark.django_db
def test_the_demo_command_builds_the_study_once():
    call_command("demo", stdout=io.StringIO())
    counts = (Study.objects.count(), Source.objects.count(), Coding.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert counts == (Study.objects.count(), Source.objects.count(), Coding.objects.count())
    assert counts[0] == 1 and counts[1] > MIN_PEOPLE
    # The registry was loaded first, so participants point at its organisations where it has them.
    ruth = next(p for p in Participant.objects.all() if p.real_name == "Ruth Morgan Thomas")
    assert ruth.organisation.acronym == "NSWP"


@pytest.mark.django_db
def test_without_the_seed_the_study_and_codebook_are_still_built(researcher, monkeypatch, tmp_path):
    monkeypatch.setattr(demo_evidence, "SEED", tmp_path / "absent.txt")
    out = io.StringIO()
    study = demo_evidence.build_evidence_demo(stdout=out)
    assert study.codes.count() == len(list(walk(load_template())))
    assert not study.sources.exists() and not Participant.objects.exists()
    assert not Memo.objects.exists()
    assert "absent" in out.getvalue()
    # Run again, now with the seed: the missing parts are added to the same study.
    if SEED.is_file():
        monkeypatch.setattr(demo_evidence, "SEED", SEED)
        assert demo_evidence.build_evidence_demo(stdout=out) == study
        assert study.sources.filter(kind="interview").count() >= MIN_PEOPLE
        assert Study.objects.count() == 1


@pytest.mark.django_db
def test_without_a_researcher_account_no_study_is_built():
    out = io.StringIO()
    assert demo_evidence.build_evidence_demo(stdout=out) is None
    assert not Study.objects.exists()
    assert "researcher" in out.getvalue()
