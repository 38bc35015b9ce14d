"""Writes of case studies, each in one transaction with its audit event."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.casestudies import elements
from chorus.casestudies.models import (
    Assignment,
    AssignmentRole,
    CaseStudy,
    Comment,
    PublishedCopy,
    PublishedQuote,
    QuoteApproval,
    QuoteTranslation,
    Revision,
    Section,
    SectionText,
    Status,
    Template,
    TranslationStatus,
)
from chorus.core.audit import apply_changes, record_change
from chorus.core.exports import XML_ILLEGAL
from chorus.evidence import access as evidence_access
from chorus.evidence import queries as evidence_queries
from chorus.evidence.models import Coding, StudyRole

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def _require(user, case_study: CaseStudy, *roles: str) -> str:
    return evidence_access.require(user, case_study.study, *roles)


def may_edit_text(user, case_study: CaseStudy, language: str) -> bool:
    """Editors of the study write every language; an assigned translator writes theirs."""
    role = evidence_access.role_in(user, case_study.study)
    if role in evidence_access.EDITORS:
        return True
    return (
        role is not None
        and Assignment.objects.filter(
            case_study=case_study,
            user_id=getattr(user, "pk", None),
            role=AssignmentRole.TRANSLATOR,
            language=language,
        ).exists()
    )


def _check_language(language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose one of the five languages.")})


@transaction.atomic
def template_save(
    *, actor, name: str, sections: list[dict], template: Template | None = None
) -> Template:
    """Create a document template, or change `template`: sections with titles per language.

    Case studies already started keep their sections; a template shapes new documents only.
    """
    if not evidence_access.may_create_study(actor):
        raise PermissionDenied
    keys = [section.get("key", "") for section in sections]
    if not sections or any(not key or key != slugify(key) for key in keys):
        raise ValidationError(_("Each section needs a short key of letters, digits and hyphens."))
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Two sections have the same key."))
    for section in sections:
        titles = section.get("titles")
        if not isinstance(titles, dict) or not titles.get("en"):
            raise ValidationError(_("Each section needs at least an English title."))
    name = name.strip()
    clash = Template.objects.filter(name=name).exclude(pk=getattr(template, "pk", None))
    if not name or (template is not None and clash.exists()):
        raise ValidationError({"name": _("Another template already has this name.")})
    if template is None:
        template, _created = Template.objects.update_or_create(
            name=name, defaults={"sections": sections}
        )
    else:
        template.name, template.sections = name, sections
        template.save()
    record_change(actor=actor, action="template.save", obj=template, changed_fields=["sections"])
    return template


@transaction.atomic
def casestudy_create(
    *,
    actor,
    study,
    title: str,
    language: str,
    slug: str = "",
    template: Template | None = None,
    summary: str = "",
    authors: str = "",
    dated: datetime.date | None = None,
) -> CaseStudy:
    """Start a case study in a study, with the template's sections in the main language."""
    evidence_access.require(actor, study, *evidence_access.EDITORS)
    _check_language(language)
    if slug:
        slug = slugify(slug)[:80]
        if not slug:
            raise ValidationError({"slug": _("Give a short name of letters and digits.")})
        if CaseStudy.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("Another case study already has this short name.")})
    else:
        # A title in Chinese or Russian gives no Latin letters: number the document instead.
        base = slugify(title)[:70] or "case-study"
        slug, number = base, 1
        while CaseStudy.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
    case_study = CaseStudy(
        study=study,
        slug=slug,
        title=title.strip(),
        summary=summary,
        authors=authors,
        dated=dated,
        language=language,
        template=template,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    case_study.full_clean(exclude=["study", "template", "created_by"])
    case_study.save()
    for position, spec in enumerate(template.sections if template else []):
        section = Section.objects.create(case_study=case_study, key=spec["key"], position=position)
        titles = spec.get("titles", {})
        SectionText.objects.create(
            section=section,
            language=language,
            title=titles.get(language) or titles.get("en", spec["key"]),
            body="",
            updated_by=case_study.created_by,
        )
    record_change(actor=actor, action="casestudy.create", obj=case_study, changed_fields=["title"])
    return case_study


@transaction.atomic
def casestudy_update(*, actor, case_study: CaseStudy, **values) -> CaseStudy:
    _require(actor, case_study, *evidence_access.EDITORS)
    fields = ("title", "summary", "authors", "dated")
    changed = apply_changes(case_study, {k: v for k, v in values.items() if k in fields})
    case_study.full_clean(exclude=["study", "template", "created_by"])
    if changed and case_study.status == Status.APPROVED:
        case_study.status = Status.IN_REVIEW
        changed.append("status")
    case_study.save()
    record_change(actor=actor, action="casestudy.update", obj=case_study, changed_fields=changed)
    return case_study


@transaction.atomic
def casestudy_translate_title(
    *, actor, case_study: CaseStudy, language: str, title: str, summary: str = ""
) -> CaseStudy:
    """Give the document's title and summary in another language (empty removes them)."""
    if not may_edit_text(actor, case_study, language):
        _require(actor, case_study)
        raise PermissionDenied
    _check_language(language)
    translations = dict(case_study.translations)
    if title.strip():
        translations[language] = {"title": title.strip()[:300], "summary": summary.strip()}
    else:
        translations.pop(language, None)
    case_study.translations = translations
    if case_study.status == Status.APPROVED:
        case_study.status = Status.IN_REVIEW
    case_study.save(update_fields=["translations", "status"])
    record_change(
        actor=actor, action="casestudy.translate_title", obj=case_study, changed_fields=[language]
    )
    return case_study


@transaction.atomic
def section_add(*, actor, case_study: CaseStudy, key: str, title: str) -> Section:
    _require(actor, case_study, *evidence_access.EDITORS)
    if not key or key != slugify(key):
        raise ValidationError({"key": _("A key is letters, digits and hyphens.")})
    if case_study.sections.filter(key=key).exists():
        raise ValidationError({"key": _("Another section already has this key.")})
    section = Section.objects.create(
        case_study=case_study, key=key, position=case_study.sections.count()
    )
    SectionText.objects.create(
        section=section, language=case_study.language, title=title.strip() or key
    )
    record_change(actor=actor, action="section.create", obj=section, changed_fields=["key"])
    return section


@transaction.atomic
def section_text_save(
    *,
    actor,
    case_study: CaseStudy,
    key: str,
    language: str,
    title: str,
    body: str,
    status: str = TranslationStatus.TRANSLATED,
) -> SectionText:
    """Save a section's text in one language and keep the previous state in its history.

    The text is checked for malformed elements here, so an author hears of a typo at once;
    whether quotes may be published is the gate's question, asked at approval and export.
    """
    _check_language(language)
    if not may_edit_text(actor, case_study, language):
        _require(actor, case_study)  # an outsider learns nothing: 404
        raise PermissionDenied
    section = case_study.sections.filter(key=key).first()
    if section is None:
        raise ValidationError(_("No section is called “%(key)s”.") % {"key": key})
    if len(body) > elements.MAX_SECTION_CHARACTERS:
        raise ValidationError(
            {
                "body": _("The section is longer than %(count)s characters; split it.")
                % {"count": elements.MAX_SECTION_CHARACTERS}
            }
        )
    # Control characters pasted from PDFs would break the DOCX export; they carry no text.
    body = XML_ILLEGAL.sub("", body)
    title = XML_ILLEGAL.sub("", title)
    errors = elements.parse(body).errors
    if errors:
        raise ValidationError({"body": [f"{error.raw}: {error.message}" for error in errors]})
    if status not in TranslationStatus.values:
        raise ValidationError({"status": _("Choose a translation status.")})
    text = SectionText.objects.filter(section=section, language=language).first()
    if text is None:
        text = SectionText(section=section, language=language)
    changed = apply_changes(text, {"title": title.strip(), "body": body, "status": status})
    if not text.title:
        raise ValidationError({"title": _("A section needs a title.")})
    text.updated_by = actor if getattr(actor, "pk", None) else None
    text.save()
    Revision.objects.create(
        text=text, title=text.title, body=text.body, status=text.status, author=text.updated_by
    )
    if case_study.status == Status.APPROVED:
        # An approved text that changes needs approving again.
        case_study.status = Status.IN_REVIEW
        case_study.save(update_fields=["status"])
        changed.append("status")
    record_change(actor=actor, action="section.save", obj=text, changed_fields=changed)
    return text


@transaction.atomic
def quote_translation_save(*, actor, coding: Coding, language: str, text: str):
    """Give a coded segment a translation, used when it is quoted in that language."""
    evidence_access.require(actor, coding.source.study, *evidence_access.EDITORS)
    _check_language(language)
    if language == coding.source.language:
        raise ValidationError(_("The quote is already in this language."))
    text = XML_ILLEGAL.sub("", text)
    if not text.strip():
        QuoteTranslation.objects.filter(coding=coding, language=language).delete()
        record_change(actor=actor, action="quote_translation.delete", obj=coding)
        return None
    translation, _created = QuoteTranslation.objects.update_or_create(
        coding=coding,
        language=language,
        defaults={
            "text": text.strip(),
            "translated_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    record_change(
        actor=actor, action="quote_translation.save", obj=translation, changed_fields=["text"]
    )
    _back_to_review(_approved_quoting({coding.pk}))
    return translation


@transaction.atomic
def quote_approval_record(*, actor, coding: Coding, approved_on: datetime.date) -> QuoteApproval:
    """Record that the speaker approved this quote (their consent asks for approval)."""
    evidence_access.require(actor, coding.source.study, StudyRole.LEAD)
    if approved_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    approval, _created = QuoteApproval.objects.update_or_create(
        coding=coding,
        defaults={
            "approved_on": approved_on,
            "recorded_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    record_change(actor=actor, action="quote.approve", obj=approval)
    return approval


@transaction.atomic
def assignment_set(*, actor, case_study: CaseStudy, user, role: str, language: str = ""):
    """Assign a reviewer or a translator (for one language); they must be on the study's team."""
    _require(actor, case_study, StudyRole.LEAD)
    if role not in AssignmentRole.values:
        raise ValidationError({"role": _("Choose reviewer or translator.")})
    if role == AssignmentRole.TRANSLATOR:
        _check_language(language)
    if evidence_access.role_in(user, case_study.study) is None:
        raise ValidationError(_("Add the person to the study's team first."))
    assignment, _created = Assignment.objects.get_or_create(
        case_study=case_study, user=user, role=role, language=language
    )
    record_change(actor=actor, action="assignment.set", obj=assignment)
    return assignment


@transaction.atomic
def assignment_remove(*, actor, assignment: Assignment) -> None:
    _require(actor, assignment.case_study, StudyRole.LEAD)
    record_change(actor=actor, action="assignment.remove", obj=assignment)
    assignment.delete()


@transaction.atomic
def comment_add(*, actor, case_study: CaseStudy, key: str, text: str, language: str = ""):
    _require(actor, case_study)
    section = case_study.sections.filter(key=key).first()
    if section is None:
        raise ValidationError(_("No section is called “%(key)s”.") % {"key": key})
    if not text.strip():
        raise ValidationError({"text": _("A comment needs some text.")})
    comment = Comment.objects.create(
        section=section,
        language=language,
        text=text.strip(),
        author=actor if getattr(actor, "pk", None) else None,
    )
    record_change(actor=actor, action="comment.create", obj=comment)
    return comment


@transaction.atomic
def comment_resolve(*, actor, comment: Comment) -> Comment:
    _require(actor, comment.section.case_study, *evidence_access.EDITORS)
    comment.resolved = True
    comment.save(update_fields=["resolved"])
    record_change(actor=actor, action="comment.resolve", obj=comment, changed_fields=["resolved"])
    return comment


def languages_of(case_study: CaseStudy) -> list[str]:
    """The languages the document has any text in, the main language first."""
    found = set(
        SectionText.objects.filter(section__case_study=case_study)
        .exclude(status=TranslationStatus.MISSING)
        .values_list("language", flat=True)
    )
    return [case_study.language, *sorted(found - {case_study.language})]


def gate(user, case_study: CaseStudy, *, public: bool = False) -> dict:
    """Render every language the document has and collect what blocks publication."""
    from chorus.casestudies.rendering import render_document

    documents = {
        lang: render_document(user, case_study, lang, public=public)
        for lang in languages_of(case_study)
    }
    return {
        "documents": documents,
        "problems": [p for document in documents.values() for p in document.problems],
        "warnings": [p for document in documents.values() for p in document.warnings],
    }


class GateClosed(ValidationError):
    """The document has problems that block approval or publication."""


@transaction.atomic
def casestudy_submit(*, actor, case_study: CaseStudy) -> CaseStudy:
    _require(actor, case_study, *evidence_access.EDITORS)
    if case_study.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."))
    case_study.status = Status.IN_REVIEW
    case_study.save(update_fields=["status"])
    record_change(actor=actor, action="casestudy.submit", obj=case_study, changed_fields=["status"])
    return case_study


@transaction.atomic
def casestudy_approve(*, actor, case_study: CaseStudy) -> CaseStudy:
    """Approve the document (the study lead): refused while the gate lists any problem."""
    _require(actor, case_study, StudyRole.LEAD)
    if case_study.status not in (Status.DRAFT, Status.IN_REVIEW):
        raise ValidationError(_("This document is already approved or published."))
    checked = gate(actor, case_study)
    if checked["problems"]:
        raise GateClosed(_("The document cannot be approved: fix the problems listed."))
    case_study.status = Status.APPROVED
    case_study.save(update_fields=["status"])
    record_change(
        actor=actor, action="casestudy.approve", obj=case_study, changed_fields=["status"]
    )
    return case_study


@transaction.atomic
def casestudy_publish(*, actor, case_study: CaseStudy) -> CaseStudy:
    """Publish an approved document; its quotes are recorded so a withdrawal can find them."""
    _require(actor, case_study, StudyRole.LEAD)
    if case_study.status != Status.APPROVED:
        raise ValidationError(_("Only an approved document can be published."))
    checked = gate(actor, case_study, public=True)
    if checked["problems"]:
        raise GateClosed(_("The document cannot be published: fix the problems listed."))
    from chorus.casestudies.exports import build_html

    case_study.published_quotes.all().delete()
    case_study.published_copies.all().delete()
    for language, document in checked["documents"].items():
        PublishedCopy.objects.create(
            case_study=case_study,
            language=language,
            title=document.title,
            html=build_html(document).decode("utf-8"),
        )
    seen = set()
    for document in checked["documents"].values():
        for quote in document.quotes:
            if quote.coding_id not in seen:
                seen.add(quote.coding_id)
                PublishedQuote.objects.create(
                    case_study=case_study,
                    coding_id=quote.coding_id,
                    participant_id=quote.participant_id,
                )
    case_study.status = Status.PUBLISHED
    case_study.published_at = timezone.now()
    case_study.withdrawal_flag = ""
    case_study.save(update_fields=["status", "published_at", "withdrawal_flag"])
    record_change(
        actor=actor, action="casestudy.publish", obj=case_study, changed_fields=["status"]
    )
    return case_study


@transaction.atomic
def casestudy_reopen(*, actor, case_study: CaseStudy) -> CaseStudy:
    """Take a document back to draft (e.g. a published one that must change)."""
    _require(actor, case_study, StudyRole.LEAD)
    case_study.status = Status.DRAFT
    case_study.save(update_fields=["status"])
    case_study.published_copies.all().delete()
    record_change(actor=actor, action="casestudy.reopen", obj=case_study, changed_fields=["status"])
    return case_study


def consent_withdrawn(*, participant) -> None:
    """Apply a withdrawal: remove the person's quotes from drafts, flag published documents.

    Runs inside the transaction that records the withdrawal (see signals.py), so the consent
    and every document change commit together.
    """
    coding_ids = evidence_queries.coding_ids_of(participant)
    if not coding_ids:
        return
    drafts = SectionText.objects.exclude(section__case_study__status=Status.PUBLISHED)
    for text in _texts_quoting(coding_ids, drafts):
        body, removed = elements.remove_quotes(text.body, coding_ids)
        text.body = body
        text.save(update_fields=["body", "updated_at"])
        Revision.objects.create(text=text, title=text.title, body=body, status=text.status)
        Comment.objects.create(
            section=text.section,
            language=text.language,
            text=_("%(count)s quotes were removed: their speaker withdrew consent.")
            % {"count": removed},
        )
        case_study = text.section.case_study
        if case_study.status == Status.APPROVED:
            case_study.status = Status.IN_REVIEW
            case_study.save(update_fields=["status"])
        record_change(
            actor=None, action="section.quote_withdrawn", obj=text, changed_fields=["body"]
        )
    _flag_published(
        participant,
        _(
            "A person quoted in this published document withdrew consent on %(date)s. "
            "Take it down or publish a corrected version."
        )
        % {"date": timezone.localdate().isoformat()},
    )


def _flag_published(participant, notice: str) -> None:
    """Flag the published documents that quote the person and take their public copies down."""
    published = CaseStudy.objects.filter(
        status=Status.PUBLISHED, published_quotes__participant=participant
    ).distinct()
    for case_study in published:
        case_study.withdrawal_flag = notice
        case_study.save(update_fields=["withdrawal_flag"])
        # Off the public site at once: the copy quotes someone as they no longer consent.
        case_study.published_copies.all().delete()
        record_change(
            actor=None,
            action="casestudy.withdrawal_flag",
            obj=case_study,
            changed_fields=["withdrawal_flag"],
        )


def _back_to_review(case_studies) -> None:
    """An approved document whose quoted words or consent changed must be approved again."""
    for case_study in case_studies:
        if case_study.status == Status.APPROVED:
            case_study.status = Status.IN_REVIEW
            case_study.save(update_fields=["status"])
            record_change(
                actor=None, action="casestudy.reopen", obj=case_study, changed_fields=["status"]
            )


def _texts_quoting(coding_ids: set[int], texts=None):
    """Yield the section texts that quote any of these codings.

    The database first narrows to texts holding a quote element at all, so a coding edit does
    not parse every document of every study.
    """
    texts = SectionText.objects.all() if texts is None else texts
    for text in texts.filter(body__contains="quote").select_related("section__case_study"):
        if elements.quote_ids(text.body) & coding_ids:
            yield text


def _approved_quoting(coding_ids: set[int]):
    """The approved documents that quote any of these codings: they must be approved again."""
    approved = SectionText.objects.filter(section__case_study__status=Status.APPROVED)
    return {text.section.case_study for text in _texts_quoting(coding_ids, approved)}


def consent_narrowed(*, participant) -> None:
    """Apply a consent that now allows less: published copies come down, approvals lapse.

    Drafts need no change: their quotes are attributed from the current consent at each
    rendering, and the gate reports what the new consent no longer allows.
    """
    coding_ids = evidence_queries.coding_ids_of(participant)
    _back_to_review(_approved_quoting(coding_ids))
    _flag_published(
        participant,
        _(
            "The consent of a person quoted in this published document changed on %(date)s. "
            "Check the quotes and publish again."
        )
        % {"date": timezone.localdate().isoformat()},
    )


def coding_changed(*, coding: Coding) -> None:
    """A quoted segment's words changed: the speaker's approval no longer covers them."""
    QuoteApproval.objects.filter(coding=coding).delete()
    _back_to_review(_approved_quoting({coding.pk}))


def codings_merged(*, replaced: dict[int, int]) -> None:
    """Point quotes, approvals and translations of merged-away codings at the one that stays."""
    for old, new in replaced.items():
        if not QuoteApproval.objects.filter(coding_id=new).exists():
            QuoteApproval.objects.filter(coding_id=old).update(coding_id=new)
        kept = set(
            QuoteTranslation.objects.filter(coding_id=new).values_list("language", flat=True)
        )
        QuoteTranslation.objects.filter(coding_id=old).exclude(language__in=kept).update(
            coding_id=new
        )
    for text in _texts_quoting(set(replaced)):
        text.body = elements.replace_quotes(text.body, replaced)
        text.save(update_fields=["body", "updated_at"])
        Revision.objects.create(text=text, title=text.title, body=text.body, status=text.status)
        record_change(
            actor=None, action="section.quote_renumbered", obj=text, changed_fields=["body"]
        )
