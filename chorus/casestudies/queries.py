"""Reads of case studies, scoped to the studies the user is on."""

from __future__ import annotations

from django.db.models import QuerySet

from chorus.casestudies.models import CaseStudy, Revision, SectionText, TranslationStatus
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
