"""Pseudonymisation of texts: which names are replaced, and how offsets follow the new text."""

from __future__ import annotations

import unicodedata

from chorus.evidence.pseudonymise import OffsetMap, find_names, pseudonymise


def test_replaces_whole_words_case_insensitively():
    """A name is replaced in any case, as a whole word, and not inside a longer word."""
    result = pseudonymise("ann met ANN at the Annual meeting; Ann's friend", [("Ann", "Bea")])
    assert result.text == "Bea met Bea at the Annual meeting; Bea's friend"
    assert result.replaced == 3


def test_longest_name_first_and_no_double_replacement():
    """A longer name wins over a shorter one inside it, and replacements are not searched again."""
    replacements = [("Anna", "Zoe"), ("Anna Lee", "Anna"), ("Lee", "X")]
    result = pseudonymise("Anna Lee spoke. Then Anna. Then Lee.", replacements)
    # "Anna Lee" becomes "Anna" (its replacement), which is not replaced again by "Zoe".
    assert result.text == "Anna spoke. Then Zoe. Then X."


def test_overlapping_names_do_not_overlap_in_output():
    """Of two overlapping candidates the longer name wins; the other is not replaced inside it."""
    text = "Mary Ann Smith and Ann Smith"
    found = find_names(text, ["Mary Ann", "Ann Smith"])
    assert [(s, e) for s, e, _n in found] == [(5, 14), (19, 28)]
    result = pseudonymise(text, [("Mary Ann", "P1"), ("Ann Smith", "P2")])
    assert result.text == "Mary P2 and P2"


def test_chinese_names_match_as_substrings():
    """In Chinese, with no spaces between words, a name is found anywhere in the text."""
    text = "我和王芳说过，王芳芳不在。"
    result = pseudonymise(text, [("王芳", "李华"), ("王芳芳", "赵敏")])
    assert result.text == "我和李华说过，赵敏不在。"
    assert find_names(text, ["王芳"]) == [(2, 4, "王芳"), (7, 9, "王芳")]


def test_latin_name_inside_chinese_text():
    """A Latin-script name written between Chinese characters is still found."""
    assert pseudonymise("我和Maria说", [("maria", "Amina")]).text == "我和Amina说"


def test_cyrillic_names_ignore_case_and_need_whole_words():
    """Cyrillic names match in any case but not as part of a longer word."""
    text = "МАША пришла, а Машенька нет. Маша!"
    result = pseudonymise(text, [("Маша", "Оля")])
    assert result.text == "Оля пришла, а Машенька нет. Оля!"


def test_whitespace_inside_a_name_matches_line_breaks():
    """A name broken across a line still matches."""
    result = pseudonymise("said Maria\nLopez today", [("Maria Lopez", "P7")])
    assert result.text == "said P7 today"


def test_offsets_shift_after_a_replacement():
    """Offsets after a replaced name move by the difference in length."""
    text = "Maria said the police came."
    result = pseudonymise(text, [("Maria", "Participant A")])
    start = text.index("the police")
    new_start, new_end = result.map_span(start, start + len("the police"))
    assert result.text[new_start:new_end] == "the police"
    assert result.map_offset(0) == 0
    assert result.map_offset(len(text)) == len(result.text)


def test_offsets_inside_a_name_map_to_the_replacement_edges():
    """An offset inside a name maps to the replacement's start, or its end for a span end."""
    text = "Hello Maria Lopez, welcome"
    result = pseudonymise(text, [("Maria Lopez", "P")])
    inside = text.index("Lopez")
    assert result.map_offset(inside) == text.index("Maria")
    assert result.map_offset(inside, end=True) == text.index("Maria") + 1
    # A span from inside the name to the end of "welcome" covers the whole replacement.
    start, end = result.map_span(inside, len(text))
    assert result.text[start:end] == "P, welcome"
    # A span ending right before the name ends right before the replacement.
    assert result.map_span(0, text.index("Maria")) == (0, text.index("Maria"))


def test_offsets_in_chinese_and_mixed_scripts():
    """Offsets count codepoints in every script, including characters beyond the BMP."""
    text = "😀王芳说：警察来了。"
    result = pseudonymise(text, [("王芳", "受访者甲")])
    start = text.index("警察")
    new_start, new_end = result.map_span(start, start + 2)
    assert result.text[new_start:new_end] == "警察"


def test_no_names_leaves_text_and_offsets_alone():
    """Without names, or with blank ones, nothing changes."""
    result = pseudonymise("plain text", [("", "x"), ("  ", "y")])
    assert result.text == "plain text"
    assert result.map_span(2, 5) == (2, 5)


def test_find_names_reports_every_occurrence_in_order():
    """find_names lists where the listed names still occur, longest first, in text order."""
    text = "Lee, Anna Lee and anna"
    assert find_names(text, ["Anna", "Anna Lee", "Lee"]) == [
        (0, 3, "Lee"),
        (5, 13, "Anna Lee"),
        (18, 22, "Anna"),
    ]


def test_decomposed_names_match_composed_text():
    """A name typed in decomposed form matches the composed (NFC) text."""
    text = "José vino"
    name = unicodedata.normalize("NFD", "José")
    assert pseudonymise(text, [(name, "P")]).text == "P vino"


def test_offset_map_of_several_edits():
    """OffsetMap moves offsets across several edits of different lengths."""
    offsets = OffsetMap([(0, 2, 0, 5), (4, 10, 7, 8)])
    assert offsets.map_offset(2) == 5
    assert offsets.map_offset(3) == 6
    assert offsets.map_offset(4) == 7
    assert offsets.map_offset(6) == 7
    assert offsets.map_offset(6, end=True) == 8
    assert offsets.map_offset(12) == 10
