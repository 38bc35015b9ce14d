"""Fixtures of case studies: a study's team, consenting speakers, their quotes, and a document.

`quoted` holds a named Chinese quote and an anonymous Russian quote (consent recorded, no
approval needed); `case_study` is a draft in English with a Chinese translation of some
sections, quoting both, with footnotes, a link, a table figure and raw HTML in its Markdown;
`approved_case_study` is the same document approved by the study lead. `make_speaker` and
`make_quote` build further speakers and quotes for a test's own cases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from chorus.casestudies import actions
from chorus.casestudies.models import CaseStudy, TranslationStatus
from chorus.evidence import actions as evidence
from chorus.evidence.models import Coding, Participant, QuoteMode
from tests.evidence import conftest as evidence_fixtures
from tests.evidence.conftest import add_text_source

# The evidence workspace's fixtures, shared: a study with a lead, a coder, a reader, an outsider.
team = evidence_fixtures.team
study = evidence_fixtures.study
source = evidence_fixtures.source

CHINESE_QUOTE = "我们终于被邀请参加论坛，并且第一次为自己发声。"
RUSSIAN_QUOTE = "Сначала нас не слушали, потом пригласили на форум."
CHINESE_NAME = "王芳"
LINK = "https://www.nswp.org/resource"
RAW_HTML = '<script>alert("x")</script><b onclick="steal()">bold?</b>'


@dataclass
class QuotedSegment:
    """A coded segment ready to quote: who said it, the coding, and the words."""

    participant: Participant
    coding: Coding
    text: str

    @property
    def element(self) -> str:
        return f"{{{{ quote {self.coding.pk} }}}}"


def make_speaker(
    study,
    lead,
    *,
    pseudonym: str,
    mode: str,
    real_name: str = "",
    approval: bool = False,
    role_title: str = "coordinator",
    organisation_name: str = "Sisonke",
    region: str = "africa",
    description: str = "a sex worker activist",
) -> Participant:
    """Add a participant with a recorded consent to be quoted as `mode`."""
    participant = evidence.participant_create(
        actor=lead,
        study=study,
        pseudonym=pseudonym,
        real_name=real_name,
        role_title=role_title,
        organisation_name=organisation_name,
        region=region,
        attributes={"description": description},
    )
    evidence.consent_record(
        actor=lead,
        participant=participant,
        recorded=True,
        quote_mode=mode,
        approval_required=approval,
        given_on=datetime.date(2021, 1, 1),
    )
    return participant


def make_quote(study, lead, participant, text: str, *, language: str = "en") -> QuotedSegment:
    """Store `text` as the participant's interview and code all of it."""
    source = add_text_source(
        study,
        lead,
        text=text,
        title=f"Interview {participant.pseudonym}",
        kind="interview",
        language=language,
        filename=f"{participant.pseudonym}.txt",
    )
    evidence.source_update(actor=lead, source=source, participants=[participant])
    code = study.codes.first() or evidence.code_create(actor=lead, study=study, name="Voice")
    [coding] = evidence.coding_create(
        actor=lead, source=source, codes=[code], start=0, end=len(text)
    )
    return QuotedSegment(participant=participant, coding=coding, text=text)


@pytest.fixture
def quoted(study, team) -> dict[str, QuotedSegment]:
    """A named Chinese quote and an anonymous Russian quote, both consented."""
    lead = team["lead"]
    chinese = make_speaker(
        study,
        lead,
        pseudonym="P-zh",
        mode=QuoteMode.NAMED,
        real_name=CHINESE_NAME,
        role_title="协调员",
        organisation_name="Asia Pacific Network",
        region="asia_pacific",
    )
    russian = make_speaker(
        study,
        lead,
        pseudonym="P-ru",
        mode=QuoteMode.ANONYMOUS,
        real_name="Olga K.",
        region="europe",
        description="a sex worker activist",
    )
    return {
        "chinese": make_quote(study, lead, chinese, CHINESE_QUOTE, language="zh-hans"),
        "russian": make_quote(study, lead, russian, RUSSIAN_QUOTE, language="ru"),
    }


def voices_body(quoted: dict[str, QuotedSegment]) -> str:
    """The English 'voices' section: quotes, notes, a link, a table figure and raw HTML."""
    return (
        "We spoke with {{ figure interviews }}, as the *report* explains[^1]. "
        f"Read the **full** [resource]({LINK}).\n\n"
        f"{quoted['chinese'].element}\n\n"
        "Members by region:\n\n"
        "{{ figure members_by_region }}\n\n"
        f"{quoted['russian'].element}\n\n"
        f"Raw markup stays text: {RAW_HTML}\n\n"
        "1. First step\n2. Second step\n\n"
        "[^1]: The interviews took place in 2021[^2].\n"
        "[^2]: Online and in person.\n"
    )


def write_section(case_study, lead, key: str, language: str, title: str, body: str) -> None:
    actions.section_text_save(
        actor=lead,
        case_study=case_study,
        key=key,
        language=language,
        title=title,
        body=body,
        status=TranslationStatus.TRANSLATED,
    )


@pytest.fixture
def case_study(study, team, quoted) -> CaseStudy:
    """A draft in English and (partly) Chinese; 'method' exists in English only."""
    lead = team["lead"]
    document = actions.casestudy_create(
        actor=lead,
        study=study,
        title="Engagement with the women's movement",
        slug="engagement",
        language="en",
        summary="How sex worker-led organisations joined the women's movement.",
        authors="Global Network Secretariat",
        dated=datetime.date(2024, 3, 1),
    )
    for key, title in (("introduction", "Introduction"), ("voices", "Voices")):
        actions.section_add(actor=lead, case_study=document, key=key, title=title)
    actions.section_add(actor=lead, case_study=document, key="method", title="Method")
    write_section(
        document, lead, "introduction", "en", "Introduction",
        "Sex worker-led organisations took part in the **women's movement**.",
    )  # fmt: skip
    write_section(
        document, lead, "introduction", "zh-hans", "引言",
        "性工作者主导的组织参加了**妇女运动**的工作。",
    )  # fmt: skip
    write_section(document, lead, "voices", "en", "Voices", voices_body(quoted))
    write_section(
        document, lead, "voices", "zh-hans", "声音",
        f"我们采访了{{{{ figure interviews }}}}[^1]。详见[资料]({LINK})。\n\n"
        f"{quoted['chinese'].element}\n\n"
        "{{ figure members_by_region }}\n\n"
        f"{quoted['russian'].element}\n\n"
        f"原始标记：{RAW_HTML}\n\n"
        "[^1]: 访谈于2021年进行。\n",
    )  # fmt: skip
    write_section(
        document, lead, "method", "en", "Method",
        "We coded each interview twice.\n\n- Coding\n- Review\n",
    )  # fmt: skip
    return document


@pytest.fixture
def approved_case_study(case_study, team) -> CaseStudy:
    """The same document, approved by the study lead (the gate found no problem)."""
    return actions.casestudy_approve(actor=team["lead"], case_study=case_study)
