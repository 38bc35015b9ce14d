"""Analysis of codings: retrieval, frequencies, co-occurrence, agreement and the name check."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from chorus.core.models import AccessEvent
from chorus.evidence import actions, analysis
from chorus.evidence.models import PseudonymKind, QuoteMode, SourceKind
from tests.evidence.conftest import add_text_source

PARAGRAPHS = [
    "We joined the women's coalition in 2016 after long talks.",
    "At first nobody listened to us at the national meetings.",
    "Then the coalition invited us to speak at the forum in Nairobi.",
    "Funding came later, and only for health projects.",
    "Now we sit on the steering committee of the coalition.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def code(study, actor, name: str, parent=None):
    return actions.code_create(actor=actor, study=study, name=name, parent=parent)


def apply(actor, source, codes, part_or_span) -> None:
    """Code a span (or the first occurrence of a piece of text) as `actor`."""
    if isinstance(part_or_span, str):
        start, end = span(source.text, part_or_span)
    else:
        start, end = part_or_span
    actions.coding_create(actor=actor, source=source, codes=codes, start=start, end=end)


def participant(study, lead, pseudonym: str, **values):
    return actions.participant_create(
        actor=lead, study=study, pseudonym=pseudonym, real_name=f"{pseudonym} Real", **values
    )


@pytest.fixture
def world(study, team):
    """Three sources (two with participants), a small codebook and codings by two coders."""
    lead, coder = team["lead"], team["coder"]
    amina = participant(study, lead, "Amina", region="africa", attributes={"gender": "trans woman"})
    lin = participant(study, lead, "Lin", region="asia_pacific", attributes={"gender": "cis woman"})
    interview = add_text_source(
        study,
        lead,
        TEXT,
        kind=SourceKind.INTERVIEW,
        title="Interview Amina",
        language="en",
        participants=[amina],
    )
    french = add_text_source(
        study,
        lead,
        "Nous avons rejoint la coalition. Le financement est venu plus tard.",
        kind=SourceKind.INTERVIEW,
        title="Entretien Lin",
        language="fr",
        participants=[lin],
    )
    report = add_text_source(
        study,
        lead,
        "The report on funding for the coalition.",
        kind=SourceKind.DOCUMENT,
        title="Report",
        language="en",
    )
    movement = code(study, lead, "Movement")
    coalitions = code(study, lead, "Coalitions", parent=movement)
    funding = code(study, lead, "Funding")
    apply(lead, interview, [movement], PARAGRAPHS[1])
    apply(coder, interview, [coalitions], PARAGRAPHS[2])
    apply(lead, interview, [funding], PARAGRAPHS[3])
    apply(lead, interview, [funding], "health projects")
    apply(coder, french, [funding], "Le financement est venu plus tard.")
    apply(lead, french, [coalitions], "Nous avons rejoint la coalition.")
    apply(coder, report, [funding], "funding")
    return {
        "interview": interview,
        "french": french,
        "report": report,
        "movement": movement,
        "coalitions": coalitions,
        "funding": funding,
        "amina": amina,
        "lin": lin,
    }


def texts(page) -> list[str]:
    return sorted(segment.text for segment in page.segments)


def test_retrieval_includes_child_codes_unless_asked_not_to(study, team, world):
    """A parent code's retrieval includes its child codes' segments, or only its own on request."""
    lead = team["lead"]
    page = analysis.segments_for(lead, study, code_ids=[world["movement"].pk])
    assert page.total == 3
    assert {segment.code.name for segment in page.segments} == {"Movement", "Coalitions"}
    own = analysis.segments_for(
        lead, study, code_ids=[world["movement"].pk], include_children=False
    )
    assert own.total == 1
    assert texts(own) == [PARAGRAPHS[1]]


def test_segment_text_context_and_details(study, team, world):
    """Each segment carries its exact text, source, code, coder and participants' pseudonyms."""
    page = analysis.segments_for(team["reader"], study, code_ids=[world["coalitions"].pk])
    segment = next(s for s in page.segments if s.source.id == world["interview"].pk)
    source = world["interview"]
    assert segment.text == source.text[segment.start : segment.end] == PARAGRAPHS[2]
    # Context runs across the blank line into the neighbouring paragraphs.
    assert segment.context_before.rstrip().endswith(PARAGRAPHS[1])
    assert segment.context_after.lstrip().startswith(PARAGRAPHS[3][:20])
    assert segment.context_before + segment.text + segment.context_after in source.text
    assert segment.code.name == "Coalitions"
    assert segment.source.title == "Interview Amina"
    assert segment.source.kind == "interview"
    assert segment.source.language == "en"
    assert segment.coder == "coder"
    assert segment.participants == ("Amina",)


def test_context_is_cut_between_words_and_kept_whole_in_chinese(study, team):
    """Context stops at a word boundary about 150 characters away; unspaced scripts keep it all."""
    lead = team["lead"]
    words = " ".join(f"word{n}" for n in range(60))
    text = f"{words} THE SEGMENT {words}"
    source = add_text_source(study, lead, text, kind="document", title="Long")
    chinese = "性工作者主导的组织参加了妇女运动的工作" * 10
    zh_text = chinese + "重点段落" + chinese
    zh = add_text_source(study, lead, zh_text, kind="document", title="中文", language="zh-hans")
    topic = code(study, lead, "Topic")
    apply(lead, source, [topic], "THE SEGMENT")
    apply(lead, zh, [topic], "重点段落")
    page = analysis.segments_for(lead, study, code_ids=[topic.pk])
    latin = next(s for s in page.segments if s.source.id == source.pk)
    before, after = latin.context_before, latin.context_after
    assert text[: latin.start].endswith(before)
    assert text[latin.end :].startswith(after)
    assert 110 <= len(before) <= 150
    assert 110 <= len(after.strip()) <= 150
    # The cut falls on a space: the context begins and ends with whole words.
    assert text[latin.start - len(before) - 1] == " "
    assert text[latin.end + len(after)] == " "
    han = next(s for s in page.segments if s.source.id == zh.pk)
    assert han.context_before == zh_text[han.start - 150 : han.start]
    assert han.context_after == zh_text[han.end : han.end + 150]


def test_filters_narrow_the_segments(study, team, world):
    """Participant region and attribute, source kind, language and coder each narrow retrieval."""
    lead = team["lead"]
    funding = [world["funding"].pk]

    def found(**filters) -> set[str]:
        page = analysis.segments_for(lead, study, code_ids=funding, **filters)
        return {segment.source.title for segment in page.segments}

    assert found() == {"Interview Amina", "Entretien Lin", "Report"}
    assert found(participant_filters={"region": "africa"}) == {"Interview Amina"}
    assert found(participant_filters={"gender": "cis woman"}) == {"Entretien Lin"}
    assert found(participant_filters={"region": "africa", "gender": "cis woman"}) == set()
    assert found(participant_filters={"region": ""}) == {
        "Interview Amina",
        "Entretien Lin",
        "Report",
    }
    assert found(source_kind="document") == {"Report"}
    assert found(language="fr") == {"Entretien Lin"}
    assert found(coder_id=team["coder"].pk) == {"Entretien Lin", "Report"}
    assert found(coder_id=team["lead"].pk) == {"Interview Amina"}


def test_participant_filters_match_any_participant_of_a_source(study, team, world):
    """A source with several participants matches when one of them matches every filter."""
    lead = team["lead"]
    actions.source_update(
        actor=lead, source=world["report"], participants=[world["amina"], world["lin"]]
    )
    page = analysis.segments_for(
        lead,
        study,
        code_ids=[world["funding"].pk],
        participant_filters={"region": "asia_pacific", "gender": "cis woman"},
    )
    assert {s.source.title for s in page.segments} == {"Entretien Lin", "Report"}
    report = next(s for s in page.segments if s.source.title == "Report")
    assert report.participants == ("Amina", "Lin")


def test_pagination_counts_and_pages(study, team):
    """Totals and page numbers follow the filters; a page past the end shows the last page."""
    lead = team["lead"]
    source = add_text_source(study, lead, "abcdefghij" * 10, kind="document", title="Letters")
    topic = code(study, lead, "Topic")
    for n in range(7):
        apply(lead, source, [topic], (n * 10, n * 10 + 5))
    first = analysis.segments_for(lead, study, code_ids=[topic.pk], per_page=3)
    assert (first.total, first.pages, first.page, len(first.segments)) == (7, 3, 1, 3)
    assert [s.start for s in first.segments] == [0, 10, 20]
    last = analysis.segments_for(lead, study, code_ids=[topic.pk], per_page=3, page=3)
    assert [s.start for s in last.segments] == [60]
    beyond = analysis.segments_for(lead, study, code_ids=[topic.pk], per_page=3, page=9)
    assert beyond.page == 3
    empty = analysis.segments_for(lead, study, code_ids=[])
    assert (empty.total, empty.pages, empty.segments) == (0, 1, [])


def test_pages_of_a_code_with_sub_codes_match_one_sorted_read(study, team, monkeypatch):
    """The merged read per code gives every page exactly as sorting all the codings would."""
    import random

    lead, coder = team["lead"], team["coder"]
    parent = code(study, lead, "Parent")
    children = [
        actions.code_create(actor=lead, study=study, parent=parent, name=f"Child {n}")
        for n in range(3)
    ]
    sources = [
        add_text_source(study, lead, "word " * 200, kind="document", title=f"Doc {n}")
        for n in range(4)
    ]
    rng = random.Random(7)
    for _ in range(60):
        source = rng.choice(sources)
        start = rng.randrange(0, 900)
        chosen = rng.sample([parent, *children], rng.randint(1, 3))
        apply(rng.choice([lead, coder]), source, chosen, (start, start + rng.randint(1, 50)))

    def pages(**filters):
        return [
            [(s.source.id, s.start, s.end, s.code.id) for s in page.segments]
            for number in range(1, 8)
            for page in [
                analysis.segments_for(
                    lead, study, code_ids=[parent.pk], per_page=11, page=number, **filters
                )
            ]
        ]

    for filters in ({}, {"coder_id": coder.pk}, {"source_kind": "document"}):
        merged = pages(**filters)
        monkeypatch.setattr(analysis, "MERGE_DEPTH", 0)
        sorted_once = pages(**filters)
        monkeypatch.undo()
        assert merged == sorted_once
        assert sum(len(page) for page in merged) > 11


def test_a_code_with_many_sub_codes_pages_the_same_either_way(study, team, monkeypatch):
    """Past MERGE_CODES codes the page is sorted once; below it, merged; both give the same."""
    lead = team["lead"]
    parent = code(study, lead, "Parent")
    children = [
        actions.code_create(actor=lead, study=study, parent=parent, name=f"Child {n}")
        for n in range(60)
    ]
    source = add_text_source(study, lead, "word " * 400, kind="document", title="Doc")
    for n, child in enumerate(children):
        apply(lead, source, [child], (n * 30 % 1900, n * 30 % 1900 + 10))

    def page(number: int):
        result = analysis.segments_for(lead, study, code_ids=[parent.pk], per_page=25, page=number)
        return result.total, [(s.start, s.code.id) for s in result.segments]

    sorted_once = [page(n) for n in (1, 2, 3)]
    assert sorted_once[0][0] == 60
    monkeypatch.setattr(analysis, "MERGE_CODES", 100)
    assert [page(n) for n in (1, 2, 3)] == sorted_once


def test_codes_of_another_study_are_ignored(study, team, world):
    """Asking for another study's code finds nothing in this study."""
    lead = team["lead"]
    other = actions.study_create(actor=lead, title="Other", languages=["en"])
    foreign = code(other, lead, "Foreign")
    page = analysis.segments_for(lead, study, code_ids=[foreign.pk])
    assert page.total == 0


def test_code_names_follow_the_active_language(study, team, world):
    """Code names are given in the reader's language when the codebook has a translation."""
    from django.utils import translation

    actions.code_update(
        actor=team["lead"], code=world["funding"], translations={"fr": "Financement"}
    )
    with translation.override("fr"):
        page = analysis.segments_for(team["lead"], study, code_ids=[world["funding"].pk])
    assert {s.code.name for s in page.segments} == {"Financement"}


def test_segments_say_whether_they_may_be_quoted(study, team, world):
    """A segment may be quoted only when every participant consented to quotes and still does."""
    lead = team["lead"]
    actions.consent_record(
        actor=lead,
        participant=world["amina"],
        recorded=True,
        quote_mode=QuoteMode.ANONYMOUS,
        approval_required=False,
        given_on=datetime.date(2025, 1, 10),
    )
    page = analysis.segments_for(lead, study, code_ids=[world["funding"].pk])
    quotable = {s.source.title: s.quotable for s in page.segments}
    # Lin has no consent recorded; a document without participants quotes no one.
    assert quotable == {"Interview Amina": True, "Entretien Lin": False, "Report": True}
    actions.consent_withdraw(actor=lead, participant=world["amina"])
    page = analysis.segments_for(lead, study, code_ids=[world["funding"].pk])
    assert not any(s.quotable for s in page.segments if s.source.title == "Interview Amina")


def test_outsider_gets_404_from_every_function(study, team, world):
    """Someone off the study's team is told it does not exist, whatever they ask."""
    outsider = team["outsider"]
    calls = [
        lambda: analysis.segments_for(outsider, study, code_ids=[world["funding"].pk]),
        lambda: analysis.all_segments(outsider, study, code_ids=[world["funding"].pk]),
        lambda: analysis.code_frequencies(outsider, study, by="region"),
        lambda: analysis.frequency_dimensions(outsider, study),
        lambda: analysis.cooccurrence(outsider, study),
        lambda: analysis.agreement(outsider, study, coder_a=team["lead"], coder_b=team["coder"]),
        lambda: analysis.uncoded_names(outsider, study),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call()


def test_frequencies_by_region(study, team, world):
    """Codings and sources per code and region, with a column for sources without a region."""
    table = analysis.code_frequencies(team["reader"], study, by="region")
    assert [c.label for c in table.columns] == ["Africa", "Asia and the Pacific", "—"]
    assert [c.value for c in table.columns] == ["africa", "asia_pacific", ""]
    rows = {row.code.name: row for row in table.rows}
    # Codes in tree order, children indented below their parent.
    assert [(r.code.name, r.code.depth) for r in table.rows] == [
        ("Movement", 0),
        ("Coalitions", 1),
        ("Funding", 0),
    ]
    funding = [(cell.codings, cell.sources) for cell in rows["Funding"].cells]
    assert funding == [(2, 1), (1, 1), (1, 1)]
    assert (rows["Funding"].total.codings, rows["Funding"].total.sources) == (4, 3)
    coalitions = [(cell.codings, cell.sources) for cell in rows["Coalitions"].cells]
    assert coalitions == [(1, 1), (1, 1), (0, 0)]
    assert (rows["Movement"].total.codings, rows["Movement"].total.sources) == (1, 1)


def test_frequencies_by_attribute_kind_and_coder(study, team, world):
    """The breakdown also works by a participant attribute, by kind of source and by coder."""
    reader = team["reader"]
    by_gender = analysis.code_frequencies(reader, study, by="gender")
    assert [c.label for c in by_gender.columns] == ["cis woman", "trans woman", "—"]
    funding = next(r for r in by_gender.rows if r.code.name == "Funding")
    assert [c.codings for c in funding.cells] == [1, 2, 1]
    by_kind = analysis.code_frequencies(reader, study, by="source_kind")
    assert [c.label for c in by_kind.columns] == ["Document", "Interview", "—"]
    funding = next(r for r in by_kind.rows if r.code.name == "Funding")
    assert [(c.codings, c.sources) for c in funding.cells] == [(1, 1), (3, 2), (0, 0)]
    by_coder = analysis.code_frequencies(reader, study, by="coder")
    assert [c.label for c in by_coder.columns] == ["coder", "lead", "—"]
    funding = next(r for r in by_coder.rows if r.code.name == "Funding")
    assert [c.codings for c in funding.cells] == [2, 2, 0]
    keys = [key for key, _label in analysis.frequency_dimensions(reader, study)]
    assert keys[-1] == "gender"
    assert {"region", "organisation", "role_title", "source_kind", "language", "coder"} <= set(keys)


def test_cooccurrence_counts_overlapping_codings_only(study, team):
    """Codes co-occur where one coder's codings intersect; touching or other coders' do not."""
    lead, coder = team["lead"], team["coder"]
    source = add_text_source(study, lead, "x" * 100, kind="document", title="Plain")
    a, b, c, d = (code(study, lead, name) for name in ("A", "B", "C", "D"))
    apply(lead, source, [a], (0, 10))
    apply(lead, source, [b], (5, 15))  # overlaps A
    apply(lead, source, [c], (10, 20))  # touches A's end: no overlap with A, overlaps B
    apply(lead, source, [b], (8, 12))  # overlaps A and C (and another B, which is no pair)
    apply(coder, source, [d], (0, 10))  # same span as A, but another coder
    apply(lead, source, [d], (50, 60))  # far from everything
    matrix = analysis.cooccurrence(team["reader"], study)
    assert matrix.count(a.pk, b.pk) == matrix.count(b.pk, a.pk) == 2
    assert matrix.count(b.pk, c.pk) == 2
    assert matrix.count(a.pk, c.pk) == 0
    assert matrix.count(a.pk, d.pk) == 0
    assert matrix.count(b.pk, b.pk) == 2  # the diagonal counts the code's codings
    index = {ref.id: i for i, ref in enumerate(matrix.codes)}
    assert matrix.sources[index[a.pk]][index[b.pk]] == 1
    only = analysis.cooccurrence(team["reader"], study, code_ids=[a.pk, c.pk])
    assert [ref.name for ref in only.codes] == ["A", "C"]
    assert only.counts == [[1, 0], [0, 1]]


@pytest.fixture
def double_coded(study, team):
    """Five paragraphs coded by the lead (coder A) and the coder (coder B) with three codes."""
    lead, coder = team["lead"], team["coder"]
    source = add_text_source(study, lead, TEXT, kind="interview", title="Double coded")
    x, y, z = (code(study, lead, name) for name in ("X", "Y", "Z"))
    # X: A codes paragraphs 1, 2 and 3 (3 only in part), B codes 1 and 2.
    for part in (PARAGRAPHS[0], PARAGRAPHS[1], "the forum"):
        apply(lead, source, [x], part)
    for part in (PARAGRAPHS[0], "nobody listened"):
        apply(coder, source, [x], part)
    # Y: both code paragraph 4 and paragraph 1, with different spans.
    apply(lead, source, [y], PARAGRAPHS[3])
    apply(coder, source, [y], "only for health")
    apply(lead, source, [y], PARAGRAPHS[0][:10])
    apply(coder, source, [y], PARAGRAPHS[0][5:20])
    # Z: nobody applies it.
    # A source only the lead coded is left out of the comparison.
    alone = add_text_source(study, lead, "Only one coder read this.", kind="document", title="Solo")
    apply(lead, alone, [x], "Only one coder")
    return {"source": source, "x": x, "y": y, "z": z, "alone": alone}


def test_agreement_matches_a_hand_calculation(study, team, double_coded):
    """Kappa, alpha and percent agreement equal values computed by hand for a tiny case."""
    results = analysis.agreement(team["reader"], study, coder_a=team["lead"], coder_b=team["coder"])
    x = next(r for r in results if r.code.name == "X")
    # Units: the five paragraphs of "Double coded" ("Solo" was coded by A only).
    # A = [1, 1, 1, 0, 0], B = [1, 1, 0, 0, 0]: 4 of 5 units agree.
    assert (x.units, x.coded_by_a, x.coded_by_b, x.coded_by_both) == (5, 3, 2, 2)
    assert x.percent_agreement == pytest.approx(80.0)
    # Cohen: p_o = 0.8; p_e = 0.6 * 0.4 + 0.4 * 0.6 = 0.48; kappa = 0.32 / 0.52 = 0.6153846.
    assert x.kappa == pytest.approx(0.32 / 0.52)
    # Krippendorff (nominal): 10 values, five 1s and five 0s; one disagreeing unit puts 2 in
    # the off-diagonal of the coincidence matrix: alpha = 1 - (10 - 1) * 2 / (2 * 5 * 5) = 0.64.
    assert x.alpha == pytest.approx(0.64)
    assert x.reason == ""


def test_perfect_agreement(study, team, double_coded):
    """Coders who code the same units (with different spans) agree perfectly."""
    results = analysis.agreement(
        team["lead"], study, coder_a=team["lead"].pk, coder_b=team["coder"].pk
    )
    y = next(r for r in results if r.code.name == "Y")
    assert (y.percent_agreement, y.kappa, y.alpha) == (100.0, 1.0, 1.0)
    assert y.disagreements == []


def test_agreement_without_variation_is_undefined_not_nan(study, team, double_coded):
    """A code neither coder applied has no variation: kappa and alpha are None with a reason."""
    results = analysis.agreement(
        team["lead"],
        study,
        coder_a=team["lead"],
        coder_b=team["coder"],
        code_ids=[double_coded["z"].pk],
    )
    assert len(results) == 1
    z = results[0]
    assert z.kappa is None
    assert z.alpha is None
    assert z.percent_agreement == 100.0
    assert z.reason == "no variation: both coders agree on every unit"


def test_agreement_without_shared_sources(study, team, double_coded):
    """With no source coded by both, there is nothing to compare, and the result says so."""
    results = analysis.agreement(
        team["lead"],
        study,
        coder_a=team["lead"],
        coder_b=team["coder"],
        source_ids=[double_coded["alone"].pk],
    )
    assert all(r.units == 0 and r.kappa is None and r.reason for r in results)
    with pytest.raises(ValidationError):
        analysis.agreement(team["lead"], study, coder_a=team["lead"], coder_b=team["lead"])


def test_disagreements_are_listed_for_reconciliation(study, team, double_coded):
    """Each unit only one coder coded is listed, with its source, position and coder."""
    results = analysis.agreement(team["lead"], study, coder_a=team["lead"], coder_b=team["coder"])
    x = next(r for r in results if r.code.name == "X")
    assert len(x.disagreements) == 1
    unit = x.disagreements[0]
    source = double_coded["source"]
    assert unit.source.id == source.pk
    assert unit.source.title == "Double coded"
    assert unit.paragraph == 3
    assert (unit.start, unit.end) == span(source.text, PARAGRAPHS[2])
    assert unit.snippet == PARAGRAPHS[2]
    assert unit.coder == "lead"
    assert unit.coder_id == team["lead"].pk


@pytest.fixture
def names(study, team):
    lead = team["lead"]
    actions.pseudonym_create(
        actor=lead,
        study=study,
        kind=PseudonymKind.PERSON,
        real="Amina Otieno",
        replacement="Participant A",
    )
    actions.pseudonym_create(
        actor=lead, study=study, kind=PseudonymKind.PERSON, real="王芳", replacement="参与者乙"
    )
    actions.pseudonym_create(
        actor=lead, study=study, kind=PseudonymKind.PLACE, real="Ann", replacement="a town"
    )


def test_uncoded_names_is_for_study_leads_only(study, team, names):
    """Coders and readers may not run the name check; outsiders are told the study is absent."""
    for role in ("coder", "reader"):
        with pytest.raises(PermissionDenied):
            analysis.uncoded_names(team[role], study)
    with pytest.raises(Http404):
        analysis.uncoded_names(team["outsider"], study)
    assert not AccessEvent.objects.filter(purpose="pseudonym check").exists()


def test_uncoded_names_finds_names_and_flags_coded_ones(study, team, names):
    """Every occurrence is found (Chinese too, any case, whole words) and flagged if coded."""
    lead = team["lead"]
    english = add_text_source(
        study,
        lead,
        "Amina Otieno spoke first.\n\nLater AMINA OTIENO left for Ann. The Annual report.",
        kind="interview",
        title="English",
    )
    chinese = add_text_source(
        study,
        lead,
        "我们和王芳一起去了论坛。\n\n后来王芳发言了。",
        kind="interview",
        title="中文",
        language="zh-hans",
    )
    topic = code(study, lead, "Topic")
    apply(lead, english, [topic], "Amina Otieno spoke")
    apply(lead, chinese, [topic], "后来王芳")
    found = analysis.uncoded_names(lead, study)
    summary = [(o.source.title, o.text, o.replacement, o.kind, o.in_coding) for o in found]
    assert summary == [
        ("English", "Amina Otieno", "Participant A", "person", True),
        ("English", "AMINA OTIENO", "Participant A", "person", False),
        ("English", "Ann", "a town", "place", False),
        ("中文", "王芳", "参与者乙", "person", False),
        ("中文", "王芳", "参与者乙", "person", True),
    ]
    for occurrence in found:
        source = english if occurrence.source.id == english.pk else chinese
        assert source.text[occurrence.start : occurrence.end] == occurrence.text
    event = AccessEvent.objects.get(purpose="pseudonym check")
    assert (event.actor_id, event.data_class, event.object_id) == (lead.pk, "secret", str(study.pk))
