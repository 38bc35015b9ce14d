"""The evidence study of the demo: the case study's own research, rebuilt as a coded study.

The seed (NSWP's 2021 case study, Chinese edition) quotes the people it interviewed by name. The
demo turns each quoted person into a participant and their published quotes into an interview
source, read at run time from the seed in ../shared (never copied into the repository), and
codes every quote with the codebook template. Without ../shared the study and its codebook are
still built, and the seed-derived sources are skipped with a notice.
"""

from __future__ import annotations

import datetime
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.models import User
from chorus.evidence import actions
from chorus.evidence.codebook_template import apply_template
from chorus.evidence.extraction import Extracted
from chorus.evidence.models import Code, Participant, QuoteMode, SourceKind, Study
from chorus.network.models import Organisation
from chorus.network.places import region_of_country

SEED = Path(settings.BASE_DIR).parent / "shared" / "seed" / "case-study-womens-movement.zh.txt"
# The seed's own title, as its running page header gives it.
SEED_TITLE = "案例研究：性工作者主导组织参与妇女运动"
# The demo account that leads the study (see chorus.demo.accounts.demo_accounts).
RESEARCHER = "researcher"

STUDY_TITLE = "Engagement with the women's movement"
# The case study's stated aim, put as a question.
STUDY_QUESTION = (
    "How have NSWP and its network of sex worker-led organisations engaged with the women's "
    "movement, what were the most important challenges, achievements and impacts, how do "
    "external stakeholders in the movement see this engagement, and which lessons and strategies "
    "help meet current and emerging challenges?"
)
STUDY_LANGUAGES = ["zh-hans", "en", "fr", "es", "ru"]
# The case study was published in 2021 with these attributions; see consent_record below.
PUBLISHED_ON = datetime.date(2021, 1, 1)

SEX_WORKER_LED = "sex worker-led"
ALLY = "ally"

# Organisation key: (name as published, country, organisation type, level of its work).
ORGANISATIONS = {
    "CSWC": ("Caribbean Sex Work Coalition", "GY", SEX_WORKER_LED, "regional"),
    "STRASS": ("STRASS (Syndicat du TRAvail Sexuel)", "FR", SEX_WORKER_LED, "national"),
    "Stella": ("Stella, l'amie de Maimie", "CA", SEX_WORKER_LED, "national"),
    "Sopeku": ("Sopeku", "SN", SEX_WORKER_LED, "national"),
    "NSWP": ("Global Network of Sex Work Projects (NSWP)", "GB", SEX_WORKER_LED, "global"),
    "Amnesty": ("Amnesty International", "GB", ALLY, "global"),
    "PLAPERTS": (
        "Plataforma Latinoamericana de Personas que Ejercen el Trabajo Sexual (PLAPERTS)",
        "EC",
        SEX_WORKER_LED,
        "regional",
    ),
    "CREA": ("CREA", "IN", ALLY, "global"),
    "APNSW": ("Asia Pacific Network of Sex Workers (APNSW)", "TH", SEX_WORKER_LED, "regional"),
    "Amelia": ("Amelia", "KZ", SEX_WORKER_LED, "national"),
    "NZPC": ("New Zealand Prostitutes' Collective", "NZ", SEX_WORKER_LED, "national"),
    "Sisonke": ("Sisonke", "ZA", SEX_WORKER_LED, "national"),
    "AWID": ("Association for Women's Rights in Development (AWID)", "CA", ALLY, "global"),
    "Mama Cash": ("Mama Cash", "NL", ALLY, "global"),
    "SWOP Behind Bars": ("SWOP Behind Bars", "US", SEX_WORKER_LED, "national"),
    "ICWEA": (
        "International Community of Women Living with HIV Eastern Africa",
        "UG",
        ALLY,
        "regional",
    ),
    "Empower": ("Empower", "TH", SEX_WORKER_LED, "national"),
    "ESWA": ("European Sex Workers' Rights Alliance (ESWA)", "NL", SEX_WORKER_LED, "regional"),
    "AMMAR": (
        "AMMAR (Asociación de Mujeres Meretrices de la Argentina)",
        "AR",
        SEX_WORKER_LED,
        "national",
    ),
    "GFW": ("Global Fund for Women", "US", ALLY, "global"),
}

# Person as the seed's attribution names them: (organisation key, role as published). Roles come
# from the domain notes; where those give none, they are translated from the seed's Chinese
# attribution (noted per line), so they stand in for the English edition's wording.
PEOPLE = {
    "Miriam Edwards": ("CSWC", "Regional coordinator"),
    "Thierry Schaffauser": ("STRASS", "Coordinator"),
    "Jenn Clamen": ("Stella", "Communications and mobilisation coordinator"),  # 交流动员协调员
    "Lala Maty-Sow": ("Sopeku", "President"),
    "Nadine Gloss": ("NSWP", "Policy officer"),
    "Carolyn Eisert": ("Amnesty", "Policy adviser"),
    "Karina Neira Bravo": ("PLAPERTS", "Coordinator"),
    "Susana Fried": ("CREA", "Director of global programmes"),  # 全球项目总监
    "KayThi Win": ("APNSW", "Regional coordinator"),
    "Ruth Morgan Thomas": ("NSWP", "Global coordinator"),
    "Nataliya Zholnerova": ("Amelia", "Executive director"),
    "Catherine Healy": ("NZPC", "National coordinator"),
    "Kholi Buthelezi": ("Sisonke", "National coordinator"),
    "Hakima Abbas": ("AWID", "Co-executive director"),
    "Happy Mwende Kinyili": ("Mama Cash", "Programme director"),
    "Alex Andrews": ("SWOP Behind Bars", "Executive director"),
    "Dorothy Namutamba": ("ICWEA", "Programme and advocacy director"),  # 项目与倡导主任
    "Liz Hilton": ("Empower", "Representative"),  # 代表
    "Sabrina Sanchez": ("ESWA", "Coordinator"),  # 协调员
    "Cybèle Lespérance": ("STRASS", "Administrative officer"),  # 行政官员
    "Neil McCulloch": ("NSWP", "Senior policy officer"),
    "Eugenia Aravena": ("AMMAR", "President"),  # 主席
    # The seed's attribution is cut short ("与生殖正义项目主任"); its legible part is kept.
    "Erin Williams": ("GFW", "Programme director, reproductive justice"),
}

# The codes of each quote, chosen by reading it: person -> one tuple per quote, in the seed's
# order (a person with more quotes than tuples gets the last tuple for the rest).
CODINGS = {
    "Miriam Edwards": [("Stigma and stereotypes", "Exclusion, discrimination and abuse")],
    "Thierry Schaffauser": [
        ("Anti-trafficking narrative and conflation", "Stigma and stereotypes")
    ],
    "Jenn Clamen": [("Exclusion, discrimination and abuse",)],
    "Lala Maty-Sow": [("Tokenistic inclusion and fragile support",)],
    "Nadine Gloss": [("Tokenistic inclusion and fragile support",)],
    "Carolyn Eisert": [
        ("Resistance", "Apathy"),
        ("Finding common ground",),
    ],
    "Karina Neira Bravo": [("Local and national coalitions", "Regional level")],
    "Susana Fried": [
        ("Sex Worker Inclusive Feminist Alliance (SWIFA)", "Global level"),
        ("Domino effect", "Count Me In! (CMI)"),
    ],
    "KayThi Win": [("AWID International Forum", "Global level")],
    "Ruth Morgan Thomas": [
        ("Commission on the Status of Women (CSW)", "Global level"),
        ("Alliances on shared values", "Patience and persistence"),
    ],
    "Nataliya Zholnerova": [("CEDAW shadow reports", "National level")],
    "Catherine Healy": [
        ("National policy-making", "Local and national coalitions", "National level")
    ],
    "Kholi Buthelezi": [
        ("National policy-making", "Local and national coalitions", "National level")
    ],
    "Hakima Abbas": [("Institutional learning",)],
    "Happy Mwende Kinyili": [("Institutional learning",)],
    "Alex Andrews": [("Finding common ground",)],
    "Dorothy Namutamba": [("Alliances on shared values",)],
    "Liz Hilton": [("Targeting the movable middle",)],
    "Sabrina Sanchez": [("Soft power and empathy",)],
    "Cybèle Lespérance": [("Soft power and empathy",)],
    "Neil McCulloch": [("Patience and persistence", "Soft power and empathy")],
    "Eugenia Aravena": [("Self-care and compassion",)],
    "Erin Williams": [("Self-care and compassion",)],
}

MEMOS = [
    (
        "Where these sources come from",
        None,
        "Each interview source holds only the passages of one person that NSWP's case study "
        "(Chinese edition, 2021) quotes, taken from the seed with its line wrapping and page "
        "furniture removed; the transcripts of the 29 interviews with 31 people are not part of "
        "the seed. Participants are named because the case study names them: the published "
        "attribution stands for their consent. Roles the domain notes do not give are translated "
        "from the Chinese attributions and should be checked against the English edition.",
    ),
    (
        "Two Chinese renderings of 'movable middle'",
        "Targeting the movable middle",
        "The Chinese edition writes 可争取的中立派 in the heading and most of the text, but "
        "可移动的中间派 once, under 'Soft power and empathy'. The codebook follows the terms "
        "table (可争取的中立派); the next Chinese edition should use one term throughout.",
    ),
]

OPEN, CLOSE = "“", "”"
# The attribution after a quote opens with the speaker's name in Latin script and a comma
# (Chinese or Latin), e.g. "Miriam Edwards，加勒比性工作联盟区域协调员".
ATTRIBUTION = re.compile(
    r"^\s*(?P<name>[A-Z][A-Za-z\u00c0-\u024f'’-]*(?:[ \t]+[A-Z][A-Za-z\u00c0-\u024f'’-]*)+)"
    r"\s*[，,]"
)
# Lines of the PDF's layout that may fall inside a quote at a page break: blank lines (the seed
# separates every wrapped line with one), link lines, footnotes ("3 “…”" or "1“…”": one or two
# digits, then text; a year such as "2020 年" has four) and the running headers.
FURNITURE = re.compile(
    r"^\s*$"
    r"|^\s*https?://"
    r"|^\s*\d{1,2}(?!\d)\s*[“\"A-Za-z\u4e00-\u9fff]"
    r"|^\s*全球性工作项目网络\s+案例研究\s*$"
    r"|^\s*案例研究：\S+\s+\d+\s*$"
)
# A block quote in the seed runs to about a dozen wrapped lines; a longer run means the opening
# mark belongs to something else.
MAX_QUOTE_LINES = 60


@dataclass(frozen=True)
class Quote:
    """A quoted passage of the seed and the person its attribution line names."""

    name: str
    text: str
    line: int  # 1-based line of the seed where the quote opens


def _unwrap(lines: list[str]) -> str:
    """Join a passage's wrapped lines: Chinese needs no space, two Latin words need one."""
    text = ""
    for line in lines:
        if (
            text
            and text[-1].isascii()
            and text[-1].isalnum()
            and line[:1].isascii()
            and (line[:1].isalnum())
        ):
            text += " "
        text += line
    return text


def _read_quote(lines: list[str], first: int) -> tuple[list[str], int] | None:
    """Return the lines of the quote opening at `first` and the index of its last line.

    The quote ends where its opening mark is balanced; that must be at the end of a line, or the
    marks quote a phrase inside running text rather than a block quote.
    """
    depth = 0
    parts: list[str] = []
    for index in range(first, min(first + MAX_QUOTE_LINES, len(lines))):
        line = lines[index]
        if index > first and FURNITURE.match(line):
            continue
        line = line.strip()
        for position, character in enumerate(line):
            if character == OPEN:
                depth += 1
            elif character == CLOSE:
                depth -= 1
                if depth == 0:
                    if line[position + 1 :].strip():
                        return None
                    parts.append(line)
                    return parts, index
        parts.append(line)
    return None


def extract_quotes(seed: str) -> list[Quote]:
    """Find the seed's block quotes: a passage in “…” followed by a line naming the speaker."""
    lines = seed.split("\n")
    quotes: list[Quote] = []
    index = 0
    while index < len(lines):
        if not lines[index].strip().startswith(OPEN):
            index += 1
            continue
        found = _read_quote(lines, index)
        if found is None:
            index += 1
            continue
        parts, last = found
        following = next((i for i in range(last + 1, len(lines)) if lines[i].strip()), None)
        match = ATTRIBUTION.match(lines[following]) if following is not None else None
        if match is None:
            index += 1
            continue
        name = " ".join(match["name"].split())  # the seed sometimes doubles the space
        quotes.append(Quote(name=name, text=_unwrap(parts), line=index + 1))
        index = last + 1
    return quotes


def quotes_by_person(quotes: Iterable[Quote]) -> dict[str, list[Quote]]:
    """Group quotes by speaker, speakers in order of their first quote."""
    grouped: dict[str, list[Quote]] = {}
    for quote in quotes:
        grouped.setdefault(quote.name, []).append(quote)
    return grouped


def read_seed(path: Path | None = None) -> str | None:
    """Return the seed's text (NFC, as every source text is), or None when it is absent."""
    path = path or SEED
    if not path.is_file():
        return None
    return unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))


def _tidy_document(text: str) -> str:
    """Lay the seed out as a source text: no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _registry_organisation(key: str) -> Organisation | None:
    """Return the demo registry's record of the organisation, if the registry was loaded."""
    return (
        Organisation.objects.filter(is_synthetic=False, acronym=key).first()
        or Organisation.objects.filter(is_synthetic=False, name=key).first()
    )


def _participant(researcher: User, study: Study, pseudonym: str, name: str) -> Participant:
    existing = study.participants.filter(pseudonym=pseudonym).first()
    if existing is not None:
        return existing
    key, role = PEOPLE.get(name, ("", ""))
    organisation_name, country, kind, level = ORGANISATIONS.get(key, ("", "", "", ""))
    attributes = {"organisation type": kind, "level of work": level} if kind else {}
    participant = actions.participant_create(
        actor=researcher,
        study=study,
        pseudonym=pseudonym,
        real_name=name,
        organisation=_registry_organisation(key) if key else None,
        organisation_name=organisation_name,
        role_title=role,
        region=region_of_country().get(country, ""),
        attributes=attributes,
    )
    attribution = ", ".join(part for part in (name, role, organisation_name) if part)
    # The case study was published with these people's names, roles and organisations: that
    # published attribution stands for their consent to be quoted by name. Whether the
    # interviews were audio-recorded is not published, so recording is not claimed.
    actions.consent_record(
        actor=researcher,
        participant=participant,
        recorded=False,
        quote_mode=QuoteMode.NAMED,
        approval_required=False,
        given_on=PUBLISHED_ON,
        notes=f"Quoted by name in NSWP's published case study (2021) as: {attribution}.",
    )
    return participant


def _interview(
    researcher: User, study: Study, codes: dict[str, Code], pseudonym: str, quotes: list[Quote]
) -> bool:
    """Store one person's quotes as an interview and code each quote; False if already there."""
    title = f"Interview {pseudonym}: quotes published in the case study"
    if study.sources.filter(kind=SourceKind.INTERVIEW, title=title).exists():
        return False
    name = quotes[0].name
    participant = _participant(researcher, study, pseudonym, name)
    # One paragraph per quote, so each quote is one coded segment.
    text = "\n\n".join(quote.text for quote in quotes)
    source = actions.source_create(
        actor=researcher,
        study=study,
        extracted=Extracted(text=text, file_format="txt", cues=[], warnings=[]),
        filename=f"{pseudonym}.txt",
        participants=[participant],
        kind=SourceKind.INTERVIEW,
        title=title,
        language="zh-hans",
    )
    choices = CODINGS.get(name, [])
    start = 0
    for index, quote in enumerate(quotes):
        end = start + len(quote.text)
        names = choices[min(index, len(choices) - 1)] if choices else ()
        chosen = [codes[code_name] for code_name in names if code_name in codes]
        if chosen:
            actions.coding_create(
                actor=researcher, source=source, codes=chosen, start=start, end=end
            )
        start = end + 2  # the blank line between quotes
    return True


def _document(researcher: User, study: Study, seed: str) -> bool:
    if study.sources.filter(kind=SourceKind.DOCUMENT, title=SEED_TITLE).exists():
        return False
    actions.source_create(
        actor=researcher,
        study=study,
        extracted=Extracted(text=_tidy_document(seed), file_format="txt", cues=[], warnings=[]),
        filename=SEED.name,
        kind=SourceKind.DOCUMENT,
        title=SEED_TITLE,
        language="zh-hans",
        held_on=PUBLISHED_ON,
    )
    return True


def _memos(researcher: User, study: Study, codes: dict[str, Code]) -> None:
    for title, code_name, text in MEMOS:
        if study.memos.filter(title=title).exists():
            continue
        actions.memo_create(
            actor=researcher, study=study, title=title, text=text, code=codes.get(code_name or "")
        )


@transaction.atomic
def build_evidence_demo(*, stdout: TextIO | None = None) -> Study | None:
    """Create whatever part of the demo's evidence study is missing; return the study.

    The demo researcher leads it. Its codebook comes from the template; with the seed present,
    each person the seed quotes becomes a participant with their quotes as an interview, coded,
    and the seed itself a document.
    """
    out = stdout or sys.stdout

    def say(message: str) -> None:
        # The line ending stays out of the translated message, where translators would trip on it.
        out.write(message + "\n")

    researcher = User.objects.filter(username=RESEARCHER).first()
    if researcher is None:
        say(_("Demo evidence: no “%(user)s” account, study not built.") % {"user": RESEARCHER})
        return None
    study = Study.objects.filter(title=STUDY_TITLE).first()
    if study is None:
        study = actions.study_create(
            actor=researcher,
            title=STUDY_TITLE,
            question=STUDY_QUESTION,
            languages=STUDY_LANGUAGES,
        )
    if not study.codes.exists():
        apply_template(actor=researcher, study=study)
    codes = {code.name: code for code in study.codes.all()}
    seed = read_seed()
    if seed is None:
        say(
            _(
                "Demo evidence: study and codebook (%(codes)s codes) built; the seed %(path)s is "
                "absent, so no interviews were added."
            )
            % {"codes": len(codes), "path": SEED}
        )
        return study
    _document(researcher, study, seed)
    people = quotes_by_person(extract_quotes(seed))
    added = 0
    for number, (name, quotes) in enumerate(people.items(), start=1):
        if name not in PEOPLE:
            say(
                _("Demo evidence: %(name)s is quoted in the seed but not described here.")
                % {"name": name}
            )
        added += _interview(researcher, study, codes, f"P{number:02d}", quotes)
    _memos(researcher, study, codes)
    say(
        _(
            "Demo evidence: %(quotes)s quotes by %(people)s people found in the seed; "
            "%(added)s interviews added; %(codes)s codes."
        )
        % {
            "quotes": sum(len(quotes) for quotes in people.values()),
            "people": len(people),
            "added": added,
            "codes": len(codes),
        }
    )
    return study
