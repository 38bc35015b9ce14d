"""Reads of case studies, scoped to the studies the user is on."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from chorus.casestudies.models import (
    CaseStudy,
    Comment,
    QuoteApproval,
    QuoteTranslation,
    Revision,
    SectionText,
    TranslationStatus,
)
from chorus.core.scoping import get_visible_or_404
from chorus.evidence import access as evidence_access


def case_studies_for(user) -> QuerySet[CaseStudy]:
    studies = evidence_access.studies_visible_to(user)
    return CaseStudy.objects.filter(study__in=studies).select_related("study")


def case_study_for(user, slug: str) -> CaseStudy:
    return get_visible_or_404(case_studies_for(user), slug=slug)


def translation_matrix(case_study: CaseStudy, languages: list[str]) -> list[dict]:
    """Per section, the translation status in each language ("missing" where no text)."""
    texts = {}
    for text in SectionText.objects.filter(section__case_study=case_study):
        texts[(text.section_id, text.language)] = text
    rows = []
    for section in case_study.sections.order_by("position"):
        cells = []
        for language in languages:
            text = texts.get((section.pk, language))
            status = text.status if text else TranslationStatus.MISSING
            cells.append(
                {"language": language, "status": status, "label": TranslationStatus(status).label}
            )
        main = texts.get((section.pk, case_study.language))
        rows.append(
            {"section": section, "title": main.title if main else section.key, "cells": cells}
        )
    return rows


def history_for(user, case_study: CaseStudy, key: str, language: str):
    evidence_access.require(user, case_study.study)
    return Revision.objects.filter(
        text__section__case_study=case_study, text__section__key=key, text__language=language
    ).select_related("author")[:50]


def coding_in(user, case_study: CaseStudy, raw_pk: str):
    """Return a coded segment of the case study's own study, or 404."""
    from chorus.evidence.queries import coding_for

    if not raw_pk.isdigit():
        raise Http404
    return coding_for(user, case_study.study, int(raw_pk))


def comment_in(user, case_study: CaseStudy, pk: int) -> Comment:
    evidence_access.require(user, case_study.study)
    return get_visible_or_404(
        Comment.objects.select_related("section"), pk=pk, section__case_study=case_study
    )


def quote_notes(user, case_study: CaseStudy, coding_ids: list[int]) -> dict[int, dict]:
    """Per coded segment, its translations and the speaker's approval date, if any."""
    evidence_access.require(user, case_study.study)
    notes = {pk: {"translations": {}, "approved_on": None} for pk in coding_ids}
    for item in QuoteTranslation.objects.filter(coding_id__in=coding_ids):
        notes[item.coding_id]["translations"][item.language] = item.text
    approvals = QuoteApproval.objects.filter(coding_id__in=coding_ids)
    for coding_id, approved_on in approvals.values_list("coding_id", "approved_on"):
        notes[coding_id]["approved_on"] = approved_on
    return notes
