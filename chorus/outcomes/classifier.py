"""Relevance and stance of UN treaty-body recommendation paragraphs on sex work.

Pure logic: no Django settings, no database. The `classify_recommendations` management command
and the benchmark call `main(argv)` below, and the same tool runs without Django at all::

    .venv/bin/python -m chorus.outcomes.classifier --input FILE.jsonl --output OUT.jsonl
    .venv/bin/python -m chorus.outcomes.classifier --input FILE.jsonl --model MODEL.joblib
    .venv/bin/python -m chorus.outcomes.classifier --train LABELLED.jsonl --model MODEL.joblib
    .venv/bin/chorus classify_recommendations --input FILE.jsonl --output OUT.jsonl

What it decides, for each paragraph
===================================
1. Language: the row's `lang` if given (en, fr, es, ru, zh-hans; "zh", "zh-cn" are accepted),
   otherwise by script (Han -> zh-hans, Cyrillic -> ru) and, for Latin script, by frequent words.
   Any other language (Arabic, German, ...) is not guessed into one of the five: the row gets
   `relevant: false`, `label: "unknown"`, `confidence: 0` and a `reason` naming the problem.
2. Relevance: the paragraph concerns sex work when a `relevance` term of the cue lexicon matches
   (prostitution, sex work, sex workers, commercial sex, brothels, clients / purchase of sexual
   services, in the five languages). Trafficking alone is not relevant: the treaty bodies use
   "trafficking" for forced labour, organ removal, child sale and sexual exploitation alike, and
   treating every trafficking paragraph as a sex-work paragraph is the very conflation the
   network works against. Terms about children ("child prostitution", "prostitution of
   children") are `exclusions`: a child cannot be a sex worker, so those mentions alone do not
   make a paragraph relevant (other terms in the same paragraph still do). So is trafficking
   "for the sex trade" / "con fines de comercio sexual" (exclusion key
   `trafficking_for_sex_trade`): the sex-trade words there only say what the trafficking was for.
3. Stance, for relevant paragraphs, from the `cues` of the lexicon, each with a polarity:
   rights-affirming (decriminalisation, repeal of criminal laws, harms of criminalisation,
   protection from police violence and arbitrary arrest, protection and safety of sex workers and
   women in prostitution, access to justice, health services and HIV, non-discrimination
   and stigma, labour rights, participation of sex worker organisations) or regressive (end
   demand, criminalising clients or third parties, exit and "rehabilitation" programmes,
   conflating prostitution with trafficking or violence, abolition, the Nordic model).
   Generic cues that also occur in paragraphs about other things (health services and HIV,
   non-discrimination, access to justice, rehabilitation; lexicon `"scope": "near"`) count only
   when a relevance term is in the same sentence and at most `NEAR_WORDS` words away (24
   characters in Chinese), or when that sentence also holds a specific cue of the same polarity;
   "rehabilitation of trafficking victims" two sentences away from "prostitution" is not a stance
   on sex work. When two cues of opposite polarity overlap, the one that starts first frames the
   other and the other is dropped: "repeal the laws criminalizing the purchase of sex" and "the
   consequences of the criminalization of the purchase of sex" are rights-affirming, not mixed.
   Both polarities -> "mixed"; one -> that label; none -> "neutral" (e.g. restating article 6).
   Rows that are not relevant get `label: "not-relevant"` (a string rather than null, so that
   counts and filters need no special case).

Confidence (documented formula, all values in [0, 1])
----------------------------------------------------
Each cue key counts once, with its lexicon weight (1.0 for unambiguous cues, 0.7-0.8 for cues
that also occur in other contexts). With R and G the summed weights of the rights-affirming and
regressive keys found, and strength(s) = 1 - exp(-s):

- one polarity (R or G is 0):  0.5 + 0.5 * strength(R + G)
  (one full cue: 0.82, two: 0.93; more evidence, more confidence);
- mixed (both > 0):             (0.5 + 0.5 * strength(max(R, G))) * (0.6 + 0.3 * balance),
  where balance = min(R, G) / max(R, G)
  (conflicting cues lower it: at most 0.9 of the one-polarity figure for a balanced paragraph,
  and a lopsided "mixed" less still, since it may really be the dominant label);
- neutral (relevant, no cue):   0.5 + 0.3 * strength(relevance terms found / 2)
  (silence is weaker evidence than a cue);
- not relevant:                 0.9 when no relevance term matched at all, 0.7 when only an
  excluded term (child, trafficking for the sex trade) or "trafficking" did, since those are
  the near misses;
- unsupported language:          0.

A trained model (below) may replace the cue label; the confidence is then the model's
probability for the label it chose.

Learning from corrections
-------------------------
`train(examples)` fits a small model (scikit-learn: TF-IDF over character 2-4-grams, which works
for the five languages and scripts without any downloaded model, and a logistic regression) on
confirmed (text, language, label) triples. `classify(text, model=model)` keeps the cue-based
decision and its cues, and asks the model too: when the model's most probable stance differs from
the cue label with probability of at least `MODEL_OVERRIDE_PROBABILITY`, the model's label wins
and `reason` says so with the probability ("the model trained on 12 confirmed labels changed
neutral to rights-affirming (p = 0.81)"). Relevance stays cue-based, so it stays explainable.
Models are saved with joblib (pickle). Loading a pickle runs code from the file: only load
models you trained yourself or that come from a trusted place.

Matching
--------
As in the statement check (chorus/stakeholders/statements.py): case- and accent-insensitive
("ё" matches "е"), whole words for Latin and Cyrillic, plain substrings for Chinese; a word
ending in "*" matches any word starting with it; a space matches any run of spaces, line breaks
or hyphens and a hyphen a hyphen, a space or nothing; "..." matches a gap of up to
`GAP_WORDS` words (12 characters in Chinese), so "criminali* ... clients" matches "criminalize
the purchase of sex by clients". Each cue reports its lexicon key, polarity, the phrase as written
in the paragraph and `start`/`end` character offsets, so `text[start:end] == phrase`.

Only the first `MAX_CHARS` characters of a paragraph are examined, so a runaway 1 MB "paragraph"
costs milliseconds; the `reason` says when text was left out.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CUES_DIR = Path(__file__).resolve().parent / "cues"
LANGUAGES = ("en", "fr", "es", "ru", "zh-hans")
SUBSTRING_LANGUAGES = frozenset({"zh-hans"})
STANCE_LABELS = ("rights-affirming", "regressive", "mixed", "neutral")
NOT_RELEVANT = "not-relevant"
UNKNOWN = "unknown"
POLARITIES = ("rights-affirming", "regressive")
MAX_CHARS = 20_000
GAP_WORDS = 8
GAP_CHARS_SUBSTRING = 12
# A cue with scope "near" counts only with a relevance term in the same sentence and at most this
# many words (characters in Chinese) away: the same window as a "..." gap in a term.
CUE_SCOPES = ("paragraph", "near")
NEAR_WORDS = GAP_WORDS
NEAR_CHARS_SUBSTRING = GAP_CHARS_SUBSTRING * 2
_SENTENCE_BREAK = re.compile(r"[.;?!](?:\s|$)|[。；？！]")
MODEL_OVERRIDE_PROBABILITY = 0.6
# Words that only point at trafficking: used to say why a paragraph is not relevant.
# Exclusion key for trafficking "for the sex trade" (as opposed to child-only wording).
TRAFFICKING_EXCLUSION = "trafficking_for_sex_trade"
TRAFFICKING_HINTS = re.compile(
    r"traffick|traite|trata|торговл\w* людьми|贩运|贩卖", re.IGNORECASE | re.UNICODE
)

_LANGUAGE_ALIASES = {
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-hans-cn": "zh-hans",
    "en-gb": "en",
    "en-us": "en",
    "fr-fr": "fr",
    "es-es": "es",
    "ru-ru": "ru",
}


class InputError(ValueError):
    """A problem with the input file or rows; the message says where and what."""


# --- Languages ---------------------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent words of each language; words shared by several ("de", "la", "en", "die") are left
# out so they cannot tip the balance. German, Italian, Portuguese and Dutch are here only to be
# recognised and refused, rather than misread as one of the supported languages.
STOPWORDS = {
    "en": _words(
        "the and of to is are that this with for be by from which have has their they it as not "
        "all on women should must will its or such"
    ),
    "fr": _words(
        "le les des et est une du pour dans qui sont au aux avec ce cette leur leurs pas elles "
        "ils sur par femmes doit doivent toutes tous"
    ),
    "es": _words(
        "el los las y del una es por para con son su sus como esta este mujeres todas todos "
        "ellas deben debe sobre al"
    ),
    "de": _words("der und das ist nicht mit für von zu den auf ein eine des sich im dem werden"),
    "it": _words("il della delle degli che gli per sono nel nella alla anche essere donne"),
    "pt": _words("os da das dos não uma para com mulheres pelo pela são também"),
    "nl": _words("het een van en zijn niet voor op met ook worden vrouwen deze"),
}


def normalise_language(code: str | None) -> str | None:
    """Return the supported language for a code ("EN", "zh_Hans", "zh-cn"), or None."""
    cleaned = (code or "").strip().lower().replace("_", "-")
    cleaned = _LANGUAGE_ALIASES.get(cleaned, cleaned)
    return cleaned if cleaned in LANGUAGES else None


def detect_language(text: str) -> tuple[str | None, str]:
    """Guess the language by script, then by frequent words; return (language or None, why)."""
    sample = text[:5_000]
    han = len(_HAN.findall(sample))
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    letters = len(_LETTER.findall(sample))
    if not letters:
        return None, "the text has no letters"
    # A Chinese character carries about as much as a short word: weigh it like three letters.
    if han and han * 3 >= max(cyrillic, latin):
        return "zh-hans", "detected from the Han script"
    if cyrillic and cyrillic >= latin:
        return "ru", "detected from the Cyrillic script"
    if latin < letters / 2:
        return None, "the text is in a script other than Latin, Cyrillic or Han"
    counts = dict.fromkeys(STOPWORDS, 0)
    for word in _WORD.findall(sample.lower()):
        for language, words in STOPWORDS.items():
            if word in words:
                counts[language] += 1
    best = max(counts, key=lambda language: counts[language])
    if not counts[best]:
        # Too short to tell (a heading, a one-line recommendation): English is the working
        # language of most treaty-body texts, and the reason says it was assumed.
        return "en", "assumed English: too few words to tell"
    if best not in LANGUAGES:
        return None, f"the text looks like {best}, which is not supported"
    return best, "detected from frequent words"


# --- Folding: case- and accent-insensitive text with a map back to the original ----------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u00b4"), "'")


@functools.lru_cache(maxsize=20_000)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFC", folded).translate(_DASHES).translate(_QUOTES)
    # "ё" folds to "е" by dropping its diaeresis above; "й" must stay distinct from "и".
    return "й" if char in "йЙ" else folded


def fold(text: str) -> tuple[str, list[int] | None]:
    """Fold case and accents; return the folded text and, if lengths differ, a map back.

    `index[i]` is the original position of folded character `i`; None when every character folds
    to exactly one, so positions are the same.
    """
    if text.isascii():
        return text.lower(), None
    pieces = [_fold_char(char) for char in text]
    folded = "".join(pieces)
    if len(folded) == len(text) and all(len(piece) == 1 for piece in pieces):
        return folded, None
    index: list[int] = []
    for position, piece in enumerate(pieces):
        index.extend([position] * len(piece))
    return folded, index


def _original_span(start: int, end: int, index: list[int] | None, text: str) -> tuple[int, int]:
    if index is None:
        return start, end
    if start >= len(index):
        return len(text), len(text)
    original_start = index[start]
    original_end = index[end - 1] + 1 if end > start else original_start
    # Keep accents written as separate characters with the letter they belong to.
    while original_end < len(text) and not _fold_char(text[original_end]):
        original_end += 1
    return original_start, original_end


# --- Compiling terms ---------------------------------------------------------------------------


def _term_pattern(term: str, *, substring: bool) -> str:
    """Turn one lexicon term into a regex fragment (over folded text)."""
    folded = fold(" ".join(term.split()))[0]
    parts: list[str] = []
    for piece in re.split(r"(\s*\.\.\.\s*|\s+|-|,)", folded):
        if not piece:
            continue
        if piece.strip() == "...":
            parts.append(
                rf".{{0,{GAP_CHARS_SUBSTRING}}}?"
                if substring
                else rf"(?:[\W_]+\w+){{0,{GAP_WORDS}}}?[\W_]+"
            )
        elif piece == ",":
            parts.append(",?")
        elif piece == "-" or piece.isspace():
            parts.append(r"\s*" if substring else (r"[\s\-]?" if piece == "-" else r"[\s\-]+"))
        else:
            parts.append(re.escape(piece.rstrip("*")))
            if piece.endswith("*") and not substring:
                parts.append(r"\w*")
    return "".join(parts)


def _literal_length(term: str) -> int:
    return len(term.replace("*", "").replace("...", ""))


class _Matcher:
    """Many terms as one regex; each match cites the entry and term that produced it."""

    def __init__(self, entries: Iterable[tuple[dict, str]], *, substring: bool) -> None:
        # Longest first, so that at one position the more specific term is the one cited.
        self.terms = sorted(entries, key=lambda pair: _literal_length(pair[1]), reverse=True)
        self.fragments = [_term_pattern(term, substring=substring) for _, term in self.terms]
        groups = "|".join(f"(?P<t{i}>{fragment})" for i, fragment in enumerate(self.fragments))
        self.pattern = re.compile(groups if substring else rf"(?<!\w)(?:{groups})(?!\w)")

    def find(self, folded: str) -> Iterable[tuple[int, int, dict, str]]:
        for match in self.pattern.finditer(folded):
            number = int(match.lastgroup[1:]) if match.lastgroup else 0
            entry, term = self.terms[number]
            yield match.start(), match.end(), entry, term


@dataclass(frozen=True)
class _Lexicon:
    language: str
    relevance: _Matcher
    exclusions: _Matcher | None
    cues: tuple[_Matcher, ...]


def _check_lexicon(data: Any, language: str) -> dict:
    if not isinstance(data, dict) or data.get("language") != language:
        raise ValueError(f"cue lexicon {language}: must be an object with language {language!r}")
    for section in ("relevance", "cues"):
        if not isinstance(data.get(section), list) or not data[section]:
            raise ValueError(f"cue lexicon {language}: {section!r} must be a non-empty list")
    for entry in data["cues"]:
        if entry.get("polarity") not in POLARITIES:
            raise ValueError(f"cue lexicon {language}: cue {entry.get('key')!r} has no polarity")
        if entry.get("scope", "paragraph") not in CUE_SCOPES:
            raise ValueError(
                f"cue lexicon {language}: cue {entry.get('key')!r} has scope "
                f"{entry.get('scope')!r}; allowed: {', '.join(CUE_SCOPES)}"
            )
    return data


@functools.cache
def lexicon(language: str) -> _Lexicon:
    """Load and compile the cue lexicon of a supported language (once per process)."""
    with (CUES_DIR / f"{language}.json").open(encoding="utf-8") as handle:
        data = _check_lexicon(json.load(handle), language)
    substring = language in SUBSTRING_LANGUAGES

    def matcher(section: str) -> _Matcher | None:
        entries = [(entry, term) for entry in data.get(section, []) for term in entry["terms"]]
        return _Matcher(entries, substring=substring) if entries else None

    relevance = matcher("relevance")
    assert relevance is not None  # checked above
    # One matcher per cue key: a regex reports non-overlapping matches only, and two cues of
    # different keys may share words ("criminalize clients of women in prostitution").
    cues = tuple(
        _Matcher([(entry, term) for term in entry["terms"]], substring=substring)
        for entry in data["cues"]
    )
    return _Lexicon(language, relevance, matcher("exclusions"), cues)


# --- Classification ----------------------------------------------------------------------------


@dataclass
class Cue:
    key: str
    polarity: str
    phrase: str
    start: int
    end: int
    term: str
    weight: float
    scope: str = "paragraph"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "polarity": self.polarity,
            "phrase": self.phrase,
            "start": self.start,
            "end": self.end,
            "term": self.term,
        }


@dataclass
class Term:
    key: str
    phrase: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "phrase": self.phrase, "start": self.start, "end": self.end}


@dataclass
class Result:
    relevant: bool
    label: str
    confidence: float
    lang: str | None
    reason: str
    cues: list[Cue] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    cue_label: str | None = None
    model_probability: float | None = None
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the fields the CLI adds to each row."""
        out: dict[str, Any] = {
            "relevant": self.relevant,
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "cues": [cue.as_dict() for cue in self.cues],
            "terms": [term.as_dict() for term in self.terms],
            "lang": self.lang,
            "reason": self.reason,
        }
        if self.model_probability is not None:
            out["cue_label"] = self.cue_label
            out["model_probability"] = round(self.model_probability, 3)
        return out


def _strength(score: float) -> float:
    return 1.0 - math.exp(-score)


def _spans(
    matcher: _Matcher, folded: str, index: list[int] | None, text: str
) -> list[tuple[int, int, dict, str]]:
    found = []
    for start, end, entry, term in matcher.find(folded):
        original_start, original_end = _original_span(start, end, index, text)
        found.append((original_start, original_end, entry, term))
    return found


def _gap(text: str, a: tuple[int, int], b: tuple[int, int], *, substring: bool) -> int | None:
    """Words (characters in Chinese) between two spans, or None if a sentence ends between them."""
    if a[1] <= b[0]:
        between = text[a[1] : b[0]]
    elif b[1] <= a[0]:
        between = text[b[1] : a[0]]
    else:
        return 0  # overlapping spans
    if _SENTENCE_BREAK.search(between):
        return None
    return len(between.strip()) if substring else len(_WORD.findall(between))


def _anchored(
    text: str, cue: Cue, terms: Sequence[Term], anchors: Sequence[Cue], *, substring: bool
) -> bool:
    """Whether a "near" cue is about the sex-work mention rather than about something else.

    It is when a relevance term is in the same sentence and either close to the cue (the "near"
    window) or the sentence also holds a paragraph-scope cue of the same polarity: in
    "decriminalize sex work, protect sex workers from police violence ... and ensure their access
    to justice" the access is the sex workers', although nine words away.
    """
    window = NEAR_CHARS_SUBSTRING if substring else NEAR_WORDS
    span = (cue.start, cue.end)
    gaps = [_gap(text, span, (term.start, term.end), substring=substring) for term in terms]
    gaps = [gap for gap in gaps if gap is not None]
    if not gaps:
        return False
    if min(gaps) <= window:
        return True
    return any(
        anchor.polarity == cue.polarity
        and _gap(text, span, (anchor.start, anchor.end), substring=substring) is not None
        for anchor in anchors
    )


def _drop_framed_cues(cues: list[Cue]) -> list[Cue]:
    """Drop a cue overlapped by an earlier cue of the other polarity that frames it.

    "Repeal the laws criminalizing the purchase of sex" or "the consequences of the
    criminalization of the purchase of sexual acts": the earlier phrase (repeal, consequences of)
    says what is done with or thought of the later one, so the later cue is not the paragraph's
    own stance. Cues of the same polarity, and cues that do not overlap, are all kept.
    """
    kept = []
    for cue in cues:
        framed = any(
            other.polarity != cue.polarity
            and other.start < cue.end
            and cue.start < other.end
            and (other.start, -other.end) < (cue.start, -cue.end)
            for other in cues
        )
        if not framed:
            kept.append(cue)
    return kept


def cue_decision(text: str, language: str) -> Result:
    """Classify one paragraph in a supported language with the cue lexicon only."""
    truncated = len(text) > MAX_CHARS
    examined = text[:MAX_CHARS] if truncated else text
    compiled = lexicon(language)
    folded, index = fold(examined)
    excluded = _spans(compiled.exclusions, folded, index, examined) if compiled.exclusions else []

    def inside_exclusion(start: int, end: int) -> bool:
        return any(ex_start <= start and end <= ex_end for ex_start, ex_end, _, _ in excluded)

    terms = [
        Term(entry["key"], examined[start:end], start, end)
        for start, end, entry, _ in _spans(compiled.relevance, folded, index, examined)
        if not inside_exclusion(start, end)
    ]
    note = (
        f" Only the first {MAX_CHARS} of {len(text)} characters were examined." if truncated else ""
    )
    if not terms:
        if excluded:
            start, end, entry, _ = excluded[0]
            what = (
                "trafficking for the sex trade"
                if entry["key"] == TRAFFICKING_EXCLUSION
                else "the sexual exploitation of children"
            )
            reason = f"Only mentions {what} ({examined[start:end]!r}), which is not sex work."
            confidence = 0.7
        elif TRAFFICKING_HINTS.search(examined):
            reason = "Mentions trafficking but not prostitution or sex work."
            confidence = 0.7
        else:
            reason = "No term for prostitution or sex work."
            confidence = 0.9
        return Result(False, NOT_RELEVANT, confidence, language, reason + note, truncated=truncated)

    cues = [
        Cue(
            entry["key"],
            entry["polarity"],
            examined[start:end],
            start,
            end,
            term,
            float(entry.get("weight", 1.0)),
            entry.get("scope", "paragraph"),
        )
        for cue_matcher in compiled.cues
        for start, end, entry, term in _spans(cue_matcher, folded, index, examined)
    ]
    substring = language in SUBSTRING_LANGUAGES
    anchors = [cue for cue in cues if cue.scope != "near"]
    cues = [
        cue
        for cue in cues
        if cue.scope != "near" or _anchored(examined, cue, terms, anchors, substring=substring)
    ]
    cues = _drop_framed_cues(cues)
    cues.sort(key=lambda cue: (cue.start, -cue.end))
    weights: dict[str, dict[str, float]] = {polarity: {} for polarity in POLARITIES}
    for cue in cues:
        weights[cue.polarity][cue.key] = max(weights[cue.polarity].get(cue.key, 0), cue.weight)
    rights = sum(weights["rights-affirming"].values())
    regressive = sum(weights["regressive"].values())
    if rights and regressive:
        label = "mixed"
        balance = min(rights, regressive) / max(rights, regressive)
        confidence = (0.5 + 0.5 * _strength(max(rights, regressive))) * (0.6 + 0.3 * balance)
    elif rights or regressive:
        label = "rights-affirming" if rights else "regressive"
        confidence = 0.5 + 0.5 * _strength(rights + regressive)
    else:
        label = "neutral"
        confidence = 0.5 + 0.3 * _strength(len(terms) / 2)
    keys = {polarity: ", ".join(sorted(weights[polarity])) or "none" for polarity in POLARITIES}
    reason = (
        f"Relevant ({', '.join(sorted({term.key for term in terms}))}); "
        f"rights-affirming cues: {keys['rights-affirming']}; regressive cues: {keys['regressive']}."
        + note
    )
    return Result(True, label, confidence, language, reason, cues, terms, label, None, truncated)


def classify(text: str, lang: str | None = None, *, model: Model | None = None) -> Result:
    """Classify one paragraph: language, relevance, stance, cues, confidence and reason."""
    if lang:
        language = normalise_language(lang)
        if language is None:
            return Result(
                False,
                UNKNOWN,
                0.0,
                lang,
                f"The language {lang!r} is not supported; supported: {', '.join(LANGUAGES)}.",
            )
        how = "given"
    else:
        language, how = detect_language(text)
        if language is None:
            return Result(
                False, UNKNOWN, 0.0, None, f"Language not supported or not recognised: {how}."
            )
    result = cue_decision(text, language)
    if not lang:
        result.reason = f"Language {language} ({how}). {result.reason}"
    if model is not None and result.relevant:
        model.apply(text, result)
    return result


# --- Learning from corrections -----------------------------------------------------------------


@dataclass
class Model:
    """A classifier trained on confirmed labels; combined with the cues by `classify`.

    Saved with joblib (a pickle): load only files you trust.
    """

    pipeline: Any
    labels: list[str]
    examples: int
    version: int = 1

    def stance_probabilities(self, text: str, language: str | None) -> dict[str, float]:
        probabilities = self.pipeline.predict_proba([_model_text(text, language)])[0]
        stance = {
            label: float(p)
            for label, p in zip(self.pipeline.classes_, probabilities, strict=True)
            if label in STANCE_LABELS
        }
        total = sum(stance.values())
        return {label: p / total for label, p in stance.items()} if total else {}

    def apply(self, text: str, result: Result) -> None:
        """Let the model confirm or change the cue label of a relevant paragraph."""
        probabilities = self.stance_probabilities(text, result.lang)
        if not probabilities:
            return
        best = max(probabilities, key=lambda label: probabilities[label])
        probability = probabilities[best]
        result.cue_label = result.label
        result.model_probability = probability
        if best != result.label and probability >= MODEL_OVERRIDE_PROBABILITY:
            result.reason += (
                f" The model trained on {self.examples} confirmed labels changed "
                f"{result.label} to {best} (p = {probability:.2f})."
            )
            result.label = best
            result.confidence = probability
        elif best == result.label:
            result.reason += f" The model agrees (p = {probability:.2f})."
            result.confidence = max(result.confidence, probability)
        else:
            result.reason += (
                f" The model prefers {best} (p = {probability:.2f}), below the "
                f"{MODEL_OVERRIDE_PROBABILITY} needed to change the cue label."
            )


def _model_text(text: str, language: str | None) -> str:
    # Folded, so that case and accents do not split the character n-grams.
    return fold(text[:MAX_CHARS])[0]


def train(examples: Sequence[tuple[str, str | None, str]]) -> Model:
    """Fit a model on confirmed (text, lang, label) examples; needs two labels at least.

    Labels must be stance labels or "not-relevant"; the latter teach the model what is not a
    stance but never change relevance, which stays with the cue lexicon.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    allowed = {*STANCE_LABELS, NOT_RELEVANT}
    texts, labels = [], []
    for number, (text, language, label) in enumerate(examples, start=1):
        if label not in allowed:
            raise InputError(
                f"example {number}: label {label!r} is not one of {', '.join(sorted(allowed))}"
            )
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"example {number}: the text is empty")
        texts.append(_model_text(text, language))
        labels.append(label)
    if len(set(labels)) < 2:
        raise InputError("training needs examples of at least two different labels")
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, class_weight="balanced", C=10.0),
    )
    pipeline.fit(texts, labels)
    return Model(pipeline, sorted(set(labels)), len(labels))


def save_model(model: Model, path: str | os.PathLike) -> None:
    """Save a model with joblib, atomically (written next to the target, then renamed)."""
    import joblib

    target = Path(path)
    with tempfile.NamedTemporaryFile(dir=target.parent or ".", delete=False) as handle:
        temporary = Path(handle.name)
    try:
        joblib.dump(model, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def load_model(path: str | os.PathLike) -> Model:
    """Load a model saved by `save_model`. Pickle runs code: load only files you trust."""
    import joblib

    # Unpickling runs code from the file: documented above, trusted files only.
    model = joblib.load(path)
    if not isinstance(model, Model):
        raise InputError(f"{path} is not a model saved by this tool")
    return model


# --- Command-line tool -------------------------------------------------------------------------


def read_rows(path: str, *, need_label: bool = False) -> list[dict[str, Any]]:
    """Read and check every row of a JSON Lines file ("-" for stdin) before anything is written."""
    try:
        if path == "-":
            lines = sys.stdin.read().splitlines()
        else:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text") from error
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}, line {number}: not JSON ({error.msg})") from error
        if not isinstance(row, dict):
            raise InputError(f"{path}, line {number}: each line must be a JSON object")
        if not isinstance(row.get("text"), str):
            raise InputError(f'{path}, line {number}: the row has no "text" string')
        if row.get("lang") is not None and not isinstance(row["lang"], str):
            raise InputError(f'{path}, line {number}: "lang" must be a string')
        if need_label and not isinstance(row.get("label"), str):
            raise InputError(f'{path}, line {number}: the row has no "label" string')
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: the file has no rows")
    return rows


def classify_rows(rows: Iterable[dict[str, Any]], model: Model | None = None) -> list[dict]:
    """Return each row with the classifier's fields added (existing fields are kept)."""
    out = []
    for row in rows:
        result = classify(row["text"], row.get("lang"), model=model)
        out.append({**row, **result.as_dict()})
    return out


def write_rows(rows: Iterable[dict[str, Any]], path: str | None) -> None:
    """Write JSON Lines to a file atomically (temporary file, then rename), or to stdout."""
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if not path or path == "-":
        sys.stdout.writelines(lines)
        sys.stdout.flush()
        return
    target = Path(path)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed after
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", delete=False
    )
    try:
        with handle:
            handle.writelines(lines)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def build_parser(prog: str = "python -m chorus.outcomes.classifier") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Label UN treaty-body paragraphs: relevant to sex work or not, and their stance "
            "(rights-affirming, regressive, mixed, neutral), with the cues that decided it."
        ),
    )
    parser.add_argument("--input", help='JSON Lines with a "text" field (and optional "lang").')
    parser.add_argument("--output", help="Where to write the labelled rows (default: stdout).")
    parser.add_argument(
        "--model",
        help="A model file: used to classify, or written by --train. Pickle: trusted files only.",
    )
    parser.add_argument(
        "--train",
        metavar="LABELLED",
        help='Train a model on JSON Lines with "text", "lang", "label"; save it to --model.',
    )
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    """Run the tool; return the exit status (0 ok, 1 bad input, 2 bad usage)."""
    parser = build_parser(prog or "python -m chorus.outcomes.classifier")
    try:
        options = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if options.train:
            if not options.model:
                parser.print_usage(sys.stderr)
                print("error: --train needs --model FILE to save the model to", file=sys.stderr)
                return 2
            rows = read_rows(options.train, need_label=True)
            model = train([(row["text"], row.get("lang"), row["label"]) for row in rows])
            save_model(model, options.model)
            print(
                json.dumps(
                    {"trained": model.examples, "labels": model.labels, "model": options.model}
                ),
                file=sys.stderr,
            )
            return 0
        if not options.input:
            parser.print_usage(sys.stderr)
            print("error: --input FILE is required (or --train FILE --model OUT)", file=sys.stderr)
            return 2
        model = load_model(options.model) if options.model else None
        rows = read_rows(options.input)
        write_rows(classify_rows(rows, model), options.output)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
