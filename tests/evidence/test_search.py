"""Search across a study's sources: five languages, phrases, ranking, highlighting, key hashing."""

from __future__ import annotations

import re
import stat
import time

import pytest
from django.db import connection

from chorus import config
from chorus.evidence import actions, search
from chorus.evidence.models import SearchParagraph
from tests.evidence.conftest import SAMPLE_TEXT
from tests.evidence.conftest import add_text_source as add_source

CHINESE = "性工作者主导的组织参加了妇女运动的工作。"
RUSSIAN = "Сначала нас не слушали, потом пригласили на форум."
FRENCH = "Les travailleuses du sexe ont été écoutées à la CSW."


def add_text_source(study, actor, text: str, **values):
    """Store `text` as an interview of `study`."""
    return add_source(study, actor, text, kind=values.pop("kind", "interview"), **values)


def paragraph_of(text: str, paragraph: str) -> tuple[int, int]:
    start = text.index(paragraph)
    return start, start + len(paragraph)


def found(study, query: str, **options) -> list[tuple[int, int, int]]:
    """Return (source id, paragraph start, paragraph end) of every hit."""
    results = search.search_study(study, query, **options)
    return [(hit.source_id, hit.paragraph_start, hit.paragraph_end) for hit in results.hits]


def test_two_character_chinese_words_are_found_in_their_paragraph(source, study):
    """工作 and 组织 find the Chinese paragraph, and only it; an absent word finds nothing."""
    expected = [(source.pk, *paragraph_of(SAMPLE_TEXT, CHINESE))]
    assert found(study, "工作") == expected
    assert found(study, "组织") == expected
    assert found(study, "会议") == []


def test_longer_chinese_words_must_be_contiguous(source, study, team):
    """性工作者 is found where it is written, not where its character pairs occur apart."""
    scattered = add_text_source(study, team["lead"], "性工很多。工作作者。", title="Scattered")
    results = search.search_study(study, "性工作者")
    assert [hit.source_id for hit in results.hits] == [source.pk]
    assert results.total == 1
    hit = results.hits[0]
    assert [source.text[s:e] for s, e in hit.match_spans] == ["性工作者"]
    assert found(study, "性工作者", source_ids=[scattered.pk]) == []


def test_single_chinese_character_explains_itself(source, study):
    """A one-character Chinese query finds nothing and says words need two characters."""
    results = search.search_study(study, "的")
    assert results.hits == []
    assert "的" in results.notice
    assert "two characters" in results.notice


def test_single_chinese_character_beside_other_words_is_left_out(source, study):
    """The other words of the query are still searched, with the notice."""
    results = search.search_study(study, "的 组织")
    assert [hit.paragraph_start for hit in results.hits] == [SAMPLE_TEXT.index(CHINESE)]
    assert "的" in results.notice


def test_russian_is_case_insensitive(source, study):
    """Форум, ФОРУМ and форум all find the paragraph that has «форум»."""
    expected = [(source.pk, *paragraph_of(SAMPLE_TEXT, RUSSIAN))]
    for query in ("Форум", "ФОРУМ", "форум"):
        assert found(study, query) == expected


def test_yo_and_short_i_fold_to_their_base_letters(study, team):
    """Ёлка is found by «елка», and Й by «и», as accents are ignored in Cyrillic too."""
    other = add_text_source(study, team["lead"], "Новогодняя Ёлка в Йошкар-Оле.", title="Ёлка")
    assert found(study, "елка") == [(other.pk, 0, len(other.text))]
    assert found(study, "иошкар") == [(other.pk, 0, len(other.text))]


def test_french_accents_and_case_are_ignored(source, study):
    """Écoutées is found by «ecoutees» and «ÉCOUTÉES», and CSW by «csw»."""
    expected = [(source.pk, *paragraph_of(SAMPLE_TEXT, FRENCH))]
    for query in ("ecoutees", "ÉCOUTÉES", "écoutées", "csw"):
        assert found(study, query) == expected


def test_sharp_s_matches_double_s(study, team):
    """«Straße» and «strasse» find each other."""
    other = add_text_source(study, team["lead"], "Die Straße ist lang.", title="Straße")
    assert found(study, "strasse") == [(other.pk, 0, len(other.text))]
    hit = search.search_study(study, "STRASSE").hits[0]
    assert [other.text[s:e] for s, e in hit.match_spans] == ["Straße"]


def test_phrase_matches_only_adjacent_words_in_order(source, study):
    """A quoted phrase needs its words next to each other, in the order given."""
    french = [(source.pk, *paragraph_of(SAMPLE_TEXT, FRENCH))]
    assert found(study, '"travailleuses du sexe"') == french
    assert found(study, '"Travailleuses  DU sexe"') == french
    assert found(study, '"sexe du travailleuses"') == []
    assert found(study, '"travailleuses sexe"') == []
    # Unquoted, the same words only need to be in the same paragraph.
    assert found(study, "sexe travailleuses") == french


def test_phrase_allows_punctuation_between_words(study, team):
    """Spaces and punctuation between a phrase's words do not matter."""
    other = add_text_source(study, team["lead"], "Sex work, rights and health.", title="P")
    assert found(study, '"work rights"') == [(other.pk, 0, len(other.text))]
    assert found(study, "«work rights»") == [(other.pk, 0, len(other.text))]


def test_apostrophe_word_is_a_phrase(source, study):
    """«women's coalition» matches the text; «women coalition» as a phrase does not."""
    english = [(source.pk, *paragraph_of(SAMPLE_TEXT, "We joined the women's coalition in 2016."))]
    assert found(study, '"women\'s coalition"') == english
    assert found(study, '"women coalition"') == []
    assert found(study, "women coalition") == english


def test_all_words_must_be_in_the_same_paragraph(source, study):
    """Words are combined with AND, within one paragraph: words in two paragraphs find none."""
    assert found(study, "sexe CSW") == [(source.pk, *paragraph_of(SAMPLE_TEXT, FRENCH))]
    assert found(study, "форум CSW") == []
    assert found(study, "coalition 2016") != []
    assert found(study, "coalition 2017") == []


def test_excluded_word_removes_paragraphs(source, study):
    """A leading minus excludes paragraphs that contain the word or phrase."""
    assert found(study, "coalition -women") == []
    assert found(study, "coalition -форум") != []
    assert found(study, 'coalition -"joined the women"') == []
    assert found(study, 'coalition -"the joined"') != []
    results = search.search_study(study, "-coalition")
    assert results.hits == []
    assert results.notice


def test_more_occurrences_rank_first(study, team):
    """A paragraph where the word occurs more often (same length) ranks above the others."""
    text = (
        "The forum was long and tiring for everyone involved today.\n\n"
        "The forum, the forum, the forum: all of it was about the forum.\n\n"
        "Nothing to see here at all, only some other unrelated words."
    )
    other = add_text_source(study, team["lead"], text, title="Ranking")
    hits = search.search_study(study, "forum").hits
    assert [hit.paragraph_start for hit in hits] == [text.index("The forum,"), 0]
    assert hits[0].score > hits[1].score
    assert {hit.source_id for hit in hits} == {other.pk}


def test_ties_are_ordered_by_title(study, team):
    """Equally good paragraphs come in order of their source's title."""
    second = add_text_source(study, team["lead"], "Outreach work.", title="Interview B")
    first = add_text_source(study, team["lead"], "Outreach work.", title="Interview A")
    assert [hit.source_id for hit in search.search_study(study, "outreach").hits] == [
        first.pk,
        second.pk,
    ]


def test_snippet_escapes_html_and_marks_matches(study, team):
    """HTML in a transcript is shown escaped, with every match inside <mark>."""
    text = "<script>alert('x')</script> The Forum & the forum <b>met</b>."
    add_text_source(study, team["lead"], text, title="HTML")
    hit = search.search_study(study, "forum").hits[0]
    html = str(hit.snippet_html)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<mark>Forum</mark> &amp; the <mark>forum</mark>" in html
    assert html.count("<mark>") == 2


def test_match_spans_point_at_the_text_after_emoji_and_accents(study, team):
    """Spans are codepoint offsets: text[s:e] folds to the query even after astral characters."""
    text = "🎉🏳️‍🌈 Café crème 👩🏽‍⚕️ ÉCOUTÉES, écoutées 工作 𠀀 工作 end"
    other = add_text_source(study, team["lead"], text, title="Emoji")
    for query, expected in (
        ("ecoutees", ["ÉCOUTÉES", "écoutées"]),
        ("cafe", ["Café"]),
        ("工作", ["工作", "工作"]),
        ('"cafe creme"', ["Café crème"]),
    ):
        hit = search.search_study(study, query, source_ids=[other.pk]).hits[0]
        assert [text[s:e] for s, e in hit.match_spans] == expected
        assert all(
            search.fold(text[s:e]) == search.fold(query.strip('"')) for s, e in hit.match_spans
        )
    hit = search.search_study(study, "écoutées", source_ids=[other.pk]).hits[0]
    assert "<mark>ÉCOUTÉES</mark>, <mark>écoutées</mark>" in str(hit.snippet_html)


def test_spans_in_a_later_paragraph_are_absolute(source, study):
    """Offsets count from the start of the source, not of the paragraph."""
    hit = search.search_study(study, "CSW").hits[0]
    ((start, end),) = hit.match_spans
    assert start == SAMPLE_TEXT.index("CSW")
    assert source.text[start:end] == "CSW"


def test_long_snippet_is_a_window_around_the_first_match(study, team):
    """A long paragraph gives a snippet of about 200 characters around the first match."""
    text = "lorem ipsum " * 60 + "activism " + "dolor sit amet " * 60
    add_text_source(study, team["lead"], text, title="Long")
    hit = search.search_study(study, "activism").hits[0]
    html = str(hit.snippet_html)
    assert "<mark>activism</mark>" in html
    assert html.startswith("…")
    assert html.endswith("…")
    assert 150 < len(html) < 260


def test_adding_and_removing_a_source_updates_the_index(study, team):
    """A new source is searchable at once; deleting it (or remove_source) drops its index rows."""
    assert found(study, "decriminalisation") == []
    new = add_text_source(study, team["lead"], "We argued for decriminalisation.", title="New")
    assert found(study, "decriminalisation") == [(new.pk, 0, len(new.text))]
    actions.source_delete(actor=team["lead"], source=new)
    assert not SearchParagraph.objects.filter(source_id=new.pk).exists()
    assert found(study, "decriminalisation") == []

    kept = add_text_source(study, team["lead"], "Decriminalisation now.", title="Kept")
    search.remove_source(kept)
    assert not SearchParagraph.objects.filter(source_id=kept.pk).exists()
    assert found(study, "decriminalisation") == []
    assert_engine_in_step()


def assert_engine_in_step():
    """On SQLite, FTS5 checks its index against the paragraph table (raises if they differ)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            table = search.FTS_TABLE
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # noqa: S608


def test_deleting_a_study_empties_its_index(source, study, team):
    """Rows go with their study (a cascade), and the engine follows them."""
    other_study = actions.study_create(actor=team["lead"], title="Other", languages=["fr"])
    add_text_source(other_study, team["lead"], SAMPLE_TEXT, title="Copy")
    assert search.search_study(other_study, "工作").total == 1
    other_study.delete()
    assert set(SearchParagraph.objects.values_list("study_id", flat=True)) == {study.pk}
    assert_engine_in_step()
    assert search.search_study(study, "工作").total == 1


def test_reindex_study_rebuilds_the_same_index(source, study):
    """Reindexing gives the same rows, reports progress, and search works as before."""
    columns = ("source_id", "paragraph_start", "paragraph_end", "terms")
    before = sorted(SearchParagraph.objects.values_list(*columns))
    SearchParagraph.objects.all().delete()
    assert found(study, "工作") == []
    seen = []
    written = search.reindex_study(study, progress=lambda done, total: seen.append((done, total)))
    after = sorted(SearchParagraph.objects.values_list(*columns))
    assert after == before
    assert written == len(before) > 0
    assert seen == [(1, 1)]
    assert found(study, "工作") == [(source.pk, *paragraph_of(SAMPLE_TEXT, CHINESE))]
    assert_engine_in_step()


def test_results_stay_within_the_study(source, study, team):
    """Another study's source is never returned, even when asked for by id."""
    other_study = actions.study_create(actor=team["lead"], title="Other", languages=["fr"])
    foreign = add_text_source(other_study, team["lead"], "Un forum à la CSW.", title="Foreign")
    assert {hit.source_id for hit in search.search_study(study, "CSW").hits} == {source.pk}
    assert found(study, "CSW", source_ids=[foreign.pk]) == []
    assert {hit.source_id for hit in search.search_study(other_study, "CSW").hits} == {foreign.pk}


def test_same_word_hashes_differently_per_study(source, study, team):
    """A word's hash depends on the study, so indexes of two studies cannot be matched up."""
    other_study = actions.study_create(actor=team["lead"], title="Other", languages=["fr"])
    add_text_source(other_study, team["lead"], SAMPLE_TEXT, title="Copy")
    terms = {
        study_id: {
            term
            for row in SearchParagraph.objects.filter(study_id=study_id).values_list("terms")
            for term in row[0].split()
        }
        for study_id in (study.pk, other_study.pk)
    }
    assert terms[study.pk]
    assert not terms[study.pk] & terms[other_study.pk]


def test_database_holds_no_word_in_the_clear(source, study):
    """The index holds hashes, in hash order: no word, and not the words' order either."""
    table = connection.ops.quote_name(SearchParagraph._meta.db_table)
    tables = [table]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # FTS5's own tables: its index segments, document sizes and settings.
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %s",
                [f"{search.FTS_TABLE}%"],
            )
            tables += [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
        dumps = []
        for name in tables:
            cursor.execute(f"SELECT * FROM {name}")  # noqa: S608 - table names from the schema
            dumps.append(repr(cursor.fetchall()))
        cursor.execute(f"SELECT terms FROM {table}")  # noqa: S608 - a model's table name
        rows = [terms for (terms,) in cursor.fetchall()]
    assert rows
    for terms in rows:
        tokens = terms.split(" ")
        assert all(re.fullmatch("t[0-9a-f]{16}", token) for token in tokens), terms
        assert tokens == sorted(tokens)
    dump = "".join(dumps)
    for word in ("coalition", "форум", "工作", "CSW", "csw", "ecoutees", "écoutées", "women"):
        assert word not in dump


def test_empty_and_whitespace_queries_find_nothing(source, study):
    """An empty or blank query returns no hits and no error."""
    for query in ("", "   ", "\n\t"):
        results = search.search_study(study, query)
        assert results.hits == []
        assert results.total == 0


def test_punctuation_only_query_says_so(source, study):
    """A query of punctuation has no words: no hits, and a notice."""
    results = search.search_study(study, '?!… , " " - «»')
    assert results.hits == []
    assert results.total == 0
    assert results.notice


def test_very_long_query_is_cut_quickly_with_a_notice(source, study):
    """A 1000-word query uses its first terms only, answers fast and says it was cut."""
    query = " ".join(f"word{number}" for number in range(1000))
    started = time.perf_counter()
    results = search.search_study(study, query)
    elapsed = time.perf_counter() - started
    assert results.hits == []
    assert str(search.MAX_TERMS) in results.notice
    assert elapsed < 1.0
    # A long pasted Chinese sentence is still searched as one phrase.
    results = search.search_study(study, CHINESE * 3)
    assert results.hits == []
    results = search.search_study(study, CHINESE[:-1] * 1)
    assert [hit.source_id for hit in results.hits] == [source.pk]


def test_many_exclusions_do_not_crowd_out_the_word_searched_for(source, study):
    """Exclusions are counted after the words to find against the limit of terms."""
    exclusions = " ".join(f"-word{number}" for number in range(40))
    results = search.search_study(study, f"{exclusions} coalition")
    assert [hit.source_id for hit in results.hits] == [source.pk]
    assert str(search.MAX_TERMS) in results.notice


def test_total_and_pages(study, team):
    """`total` counts every matching paragraph; limit and offset page through them."""
    text = "\n\n".join(f"Paragraph {number} about outreach." for number in range(30))
    add_text_source(study, team["lead"], text, title="Pages")
    first = search.search_study(study, "outreach", limit=20)
    second = search.search_study(study, "outreach", limit=20, offset=20)
    beyond = search.search_study(study, "outreach", limit=20, offset=40)
    assert (first.total, second.total, beyond.total) == (30, 30, 30)
    assert len(first.hits) == 20
    assert len(second.hits) == 10
    assert beyond.hits == []
    starts = [hit.paragraph_start for hit in first.hits + second.hits]
    assert len(set(starts)) == 30
    phrase = search.search_study(study, '"about outreach"', limit=5, offset=5)
    assert phrase.total == 30
    assert len(phrase.hits) == 5
    assert not phrase.estimated


def test_long_paragraphs_are_cut_near_two_thousand_characters(study, team):
    """A text without blank lines is indexed in pieces of at most 2000 characters."""
    text = " ".join(f"w{number}" for number in range(2000)) + " needle"
    other = add_text_source(study, team["lead"], text, title="Wall")
    pieces = list(search.paragraphs(text))
    assert len(pieces) > 1
    assert all(end - start <= search.MAX_PARAGRAPH for start, end in pieces)
    ((source_id, start, end),) = found(study, "needle")
    assert source_id == other.pk
    assert text[start:end].endswith("needle")
    assert found(study, "w1999") != []


def test_folding_a_string_equals_folding_its_characters():
    """The highlighter folds character by character; the indexer folds whole paragraphs."""
    text = "ÉCOUTÉES Straße ΣΑΣ İstanbul ﬁne Ёлка Йод 工作 ①２ e\u0301 🎉 がギ"
    assert search.fold(text) == "".join(search.fold(char) for char in text)
    assert search.fold("Écoutées Ёлка Й ß") == "ecoutees елка и ss"


def test_search_key_file_is_created_owner_only(tmp_path, monkeypatch):
    """The key file is created on first use with 0600 permissions and read back unchanged."""
    monkeypatch.setenv("CHORUS_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("CHORUS_SEARCH_KEY", raising=False)
    key = config.search_key.__wrapped__()
    path = tmp_path / "search.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32
    assert config.search_key.__wrapped__() == key


def test_search_key_from_the_environment(monkeypatch):
    """CHORUS_SEARCH_KEY, when set, is the key; a short one is refused."""
    monkeypatch.setenv("CHORUS_SEARCH_KEY", "k" * 40)
    assert config.search_key.__wrapped__() == b"k" * 40
    monkeypatch.setenv("CHORUS_SEARCH_KEY", "short")
    with pytest.raises(config.ConfigurationError):
        config.search_key.__wrapped__()


def test_phrase_total_is_estimated_when_checking_is_cut_short(study, team, monkeypatch):
    """Past the checking budget a phrase's total is extrapolated and flagged as an estimate."""
    for number in range(5):
        add_text_source(study, team["lead"], "Talk about outreach.", title=f"S{number}")
    monkeypatch.setattr(search, "VERIFY_CANDIDATES", 2)
    monkeypatch.setattr(search, "VERIFY_SOURCES", 1)
    results = search.search_study(study, '"about outreach"', limit=1)
    assert len(results.hits) == 1
    assert results.estimated
    assert results.total == 5
    monkeypatch.setattr(search, "VERIFY_CANDIDATES", 400)
    results = search.search_study(study, '"about outreach"', limit=1)
    assert not results.estimated
    assert results.total == 5
