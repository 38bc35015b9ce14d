"""Reads of the evidence workspace, scoped to the studies the user is on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from chorus.core.audit import record_access
from chorus.core.scoping import get_visible_or_404
from chorus.evidence import access
from chorus.evidence.models import (
    Code,
    Coding,
    Memo,
    Participant,
    Pseudonym,
    Source,
    Study,
    StudyMember,
    StudyRole,
    Suggestion,
    SuggestionStatus,
)


def studies_for(user) -> QuerySet[Study]:
    return access.studies_visible_to(user).annotate(source_count=Count("sources", distinct=True))


def study_for(user, pk: int) -> Study:
    return get_visible_or_404(access.studies_visible_to(user), pk=pk)


def team_for(user, study: Study) -> QuerySet[StudyMember]:
    access.require(user, study)
    return study.members.select_related("user").order_by("role", "user__username")


def sources_for(user, study: Study, *, kind: str = "") -> QuerySet[Source]:
    access.require(user, study)
    sources = study.sources.defer("text").annotate(coding_count=Count("codings", distinct=True))
    if kind:
        sources = sources.filter(kind=kind)
    return sources.prefetch_related("participants").order_by("title", "pk")


def source_for(user, study: Study, pk: int) -> Source:
    """Return a source with its text; reading a transcript is logged as a confidential read."""
    access.require(user, study)
    source = get_visible_or_404(study.sources.all(), pk=pk)
    with transaction.atomic():
        record_access(actor=user, obj=source, data_class="confidential", purpose="read source")
    return source


def codes_for(user, study: Study) -> QuerySet[Code]:
    access.require(user, study)
    return study.codes.annotate(coding_count=Count("codings"))


def code_for(user, study: Study, pk: int) -> Code:
    access.require(user, study)
    return get_visible_or_404(study.codes.all(), pk=pk)


@dataclass
class CodeNode:
    code: Code
    depth: int
    children: list[CodeNode] = field(default_factory=list)


def code_tree(codes) -> list[CodeNode]:
    """Arrange codes as a depth-first list (parents before children) with their depth."""
    by_parent: dict[int | None, list[Code]] = {}
    for code in codes:
        by_parent.setdefault(code.parent_id, []).append(code)
    ordered: list[CodeNode] = []

    def visit(parent_id, depth):
        for code in sorted(by_parent.get(parent_id, []), key=lambda c: (c.position, c.name)):
            ordered.append(CodeNode(code=code, depth=depth))
            visit(code.pk, depth + 1)

    visit(None, 0)
    return ordered


def codings_in_source(user, source: Source) -> QuerySet[Coding]:
    access.require(user, source.study)
    return source.codings.select_related("code", "coder").order_by("start", "end", "code__name")


def coding_for(user, study: Study, pk: int) -> Coding:
    access.require(user, study)
    return get_visible_or_404(
        Coding.objects.select_related("source", "code"), pk=pk, source__study=study
    )


def participants_for(user, study: Study) -> QuerySet[Participant]:
    access.require(user, study)
    return study.participants.select_related("consent", "organisation")


def participant_for(user, study: Study, pk: int) -> Participant:
    access.require(user, study)
    return get_visible_or_404(participants_for(user, study), pk=pk)


def participant_identity(user, participant: Participant) -> dict[str, str]:
    """Return the secret identity of a participant, to a lead only, logging the read."""
    access.require(user, participant.study, StudyRole.LEAD)
    with transaction.atomic():
        record_access(
            actor=user, obj=participant, data_class="secret", purpose="read participant identity"
        )
    return {"real_name": participant.real_name, "contact": participant.contact}


def memos_for(user, study: Study, *, source=None, code=None) -> QuerySet[Memo]:
    access.require(user, study)
    memos = study.memos.select_related("author", "source", "code", "coding")
    if source is not None:
        memos = memos.filter(Q(source=source) | Q(coding__source=source))
    if code is not None:
        memos = memos.filter(code=code)
    return memos


def memo_for(user, study: Study, pk: int) -> Memo:
    access.require(user, study)
    return get_visible_or_404(study.memos.all(), pk=pk)


def pseudonyms_for(user, study: Study):
    """Return the study's name list (secret), to a lead only, logging the read."""
    access.require(user, study, StudyRole.LEAD)
    with transaction.atomic():
        record_access(actor=user, obj=study, data_class="secret", purpose="read name list")
    return study.pseudonyms.all()


def suggestions_for(user, code: Code, *, status: str = SuggestionStatus.PENDING):
    access.require(user, code.study)
    return code.suggestions.filter(status=status).select_related("source")


def suggestion_for(user, study: Study, pk: int) -> Suggestion:
    access.require(user, study)
    return get_visible_or_404(
        Suggestion.objects.select_related("code", "source"), pk=pk, code__study=study
    )


def suggestion_rates(user, study: Study) -> list[dict]:
    """Per code, how many suggestions people accepted and rejected, so they can judge them."""
    access.require(user, study)
    rows = (
        Suggestion.objects.filter(code__study=study)
        .values("code_id", "code__name")
        .annotate(
            accepted=Count("pk", filter=Q(status=SuggestionStatus.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=SuggestionStatus.REJECTED)),
            pending=Count("pk", filter=Q(status=SuggestionStatus.PENDING)),
        )
        .order_by("code__name")
    )
    result = []
    for row in rows:
        decided = row["accepted"] + row["rejected"]
        row["rate"] = round(100 * row["accepted"] / decided) if decided else None
        result.append(row)
    return result


def source_texts(user, study: Study, source_ids) -> dict[int, str]:
    """Return the texts of some of the study's sources (decrypted), for snippets and excerpts."""
    access.require(user, study)
    return dict(study.sources.filter(pk__in=set(source_ids)).values_list("id", "text"))


def log_transcript_read(user, study: Study, purpose: str) -> None:
    """Record that a page or export showed transcript text of the study (a confidential read)."""
    with transaction.atomic():
        record_access(actor=user, obj=study, data_class="confidential", purpose=purpose)


# Reads for the case-study gate. They answer for the system, whatever the reader's scope: the
# gate must see a quote to refuse it, and it checks the reader's access itself.


def quoted_segment(pk: int) -> Coding | None:
    """Return a coded segment with its source and study, or None when it no longer exists."""
    return Coding.objects.select_related("source__study").filter(pk=pk).first()


def private_names(study_id: int) -> tuple[list[str], dict[int, str]]:
    """Return the study's name list and each participant's real name, by participant id."""
    listed = [entry.real for entry in Pseudonym.objects.filter(study_id=study_id)]
    real_names = dict(Participant.objects.filter(study_id=study_id).values_list("pk", "real_name"))
    return listed, real_names


def coding_ids_of(participant: Participant) -> set[int]:
    """Return the ids of the codings in the sources the participant speaks in."""
    return set(Coding.objects.filter(source__participants=participant).values_list("pk", flat=True))
