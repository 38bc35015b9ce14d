"""Writes of the evidence workspace, each in one transaction with its audit event.

Audit events name what changed, never the values: transcript text, real names and memo text
stay out of the trail.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chorus.core.ahead import ahead
from chorus.core.audit import apply_changes, record_change
from chorus.evidence import access, search
from chorus.evidence.extraction import Extracted, ExtractionError, check_size, extract
from chorus.evidence.models import (
    Code,
    Coding,
    Consent,
    Cue,
    Memo,
    OriginalFile,
    Participant,
    Pseudonym,
    QuoteMode,
    Source,
    SourceKind,
    Study,
    StudyMember,
    StudyRole,
    Suggestion,
    SuggestionStatus,
)
from chorus.evidence.signals import (
    coding_changed,
    codings_merged,
    consent_narrowed,
    consent_withdrawn,
)

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _clean_languages(languages) -> list[str]:
    languages = [code for code in dict.fromkeys(languages or ()) if code]
    unknown = [code for code in languages if code not in LANGUAGE_CODES]
    if not languages or unknown:
        raise ValidationError({"languages": _("Choose one or more of the five languages.")})
    return languages


# Studies and teams


@transaction.atomic
def study_create(*, actor, title: str, question: str = "", languages=("en",)) -> Study:
    """Create a study; its creator leads it."""
    if not access.may_create_study(actor):
        raise PermissionDenied
    study = Study(
        title=title.strip(),
        question=question,
        languages=_clean_languages(languages),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    study.full_clean()
    study.save()
    if getattr(actor, "pk", None):
        StudyMember.objects.create(study=study, user=actor, role=StudyRole.LEAD)
    record_change(actor=actor, action="study.create", obj=study, changed_fields=["title"])
    return study


@transaction.atomic
def study_update(*, actor, study: Study, **values) -> Study:
    access.require(actor, study, StudyRole.LEAD)
    if "languages" in values:
        values["languages"] = _clean_languages(values["languages"])
    changed = apply_changes(
        study, {k: v for k, v in values.items() if k in ("title", "question", "languages")}
    )
    study.full_clean()
    study.save()
    record_change(actor=actor, action="study.update", obj=study, changed_fields=changed)
    return study


@transaction.atomic
def member_set(*, actor, study: Study, user, role: str) -> StudyMember:
    """Add a person to the team or change their role."""
    access.require(actor, study, StudyRole.LEAD)
    if role not in StudyRole.values:
        raise ValidationError({"role": _("Choose a role on the study.")})
    member, _created = StudyMember.objects.update_or_create(
        study=study, user=user, defaults={"role": role}
    )
    if role != StudyRole.LEAD and not study.members.filter(role=StudyRole.LEAD).exists():
        raise ValidationError({"role": _("A study needs at least one lead.")})
    record_change(actor=actor, action="study.member_set", obj=member, changed_fields=["role"])
    return member


@transaction.atomic
def member_remove(*, actor, study: Study, user) -> None:
    access.require(actor, study, StudyRole.LEAD)
    member = StudyMember.objects.filter(study=study, user=user).first()
    if member is None:
        return
    record_change(actor=actor, action="study.member_remove", obj=member)
    member.delete()
    if not study.members.filter(role=StudyRole.LEAD).exists():
        raise ValidationError(_("A study needs at least one lead."))


# Participants and consent

PARTICIPANT_FIELDS = (
    "pseudonym",
    "real_name",
    "contact",
    "organisation",
    "organisation_name",
    "role_title",
    "region",
    "attributes",
)


def _clean_attributes(attributes) -> dict[str, str]:
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": _("Attributes are pairs of a name and a value.")})
    return {str(k).strip(): str(v).strip() for k, v in attributes.items() if str(k).strip()}


@transaction.atomic
def participant_create(*, actor, study: Study, **values) -> Participant:
    """Add a participant; identity is secret, so only the lead may do it."""
    access.require(actor, study, StudyRole.LEAD)
    values = {k: v for k, v in values.items() if k in PARTICIPANT_FIELDS}
    values["attributes"] = _clean_attributes(values.get("attributes", {}))
    participant = Participant(study=study, **values)
    participant.full_clean()
    participant.save()
    record_change(actor=actor, action="participant.create", obj=participant, changed_fields=values)
    return participant


@transaction.atomic
def participant_update(*, actor, participant: Participant, **values) -> Participant:
    access.require(actor, participant.study, StudyRole.LEAD)
    values = {k: v for k, v in values.items() if k in PARTICIPANT_FIELDS}
    if "attributes" in values:
        values["attributes"] = _clean_attributes(values["attributes"])
    changed = apply_changes(participant, values)
    participant.full_clean()
    participant.save()
    record_change(actor=actor, action="participant.update", obj=participant, changed_fields=changed)
    return participant


@transaction.atomic
def consent_record(
    *,
    actor,
    participant: Participant,
    recorded: bool,
    quote_mode: str,
    approval_required: bool,
    given_on: datetime.date,
    notes: str = "",
) -> Consent:
    """Record (or correct) what the participant agreed to; a withdrawal stays withdrawn."""
    access.require(actor, participant.study, StudyRole.LEAD)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    consent = Consent.objects.filter(participant=participant).first() or Consent(
        participant=participant
    )
    before = (consent.pk, consent.quote_mode, consent.approval_required)
    changed = apply_changes(
        consent,
        {
            "recorded": recorded,
            "quote_mode": quote_mode,
            "approval_required": approval_required,
            "given_on": given_on,
            "notes": notes,
        },
    )
    consent.full_clean()
    consent.save()
    record_change(actor=actor, action="consent.record", obj=consent, changed_fields=changed)
    if before[0] is not None and _narrower(before[1], before[2], consent):
        consent_narrowed.send(sender=Consent, participant=participant)
    return consent


# From the least to the most revealing way to be quoted.
QUOTE_OPENNESS = (
    QuoteMode.NOT_QUOTED,
    QuoteMode.ANONYMOUS,
    QuoteMode.ORGANISATION,
    QuoteMode.NAMED,
)


def _narrower(old_mode: str, old_approval: bool, consent: Consent) -> bool:
    """Whether the consent now allows less than it did."""
    return QUOTE_OPENNESS.index(consent.quote_mode) < QUOTE_OPENNESS.index(old_mode) or (
        consent.approval_required and not old_approval
    )


@transaction.atomic
def consent_withdraw(*, actor, participant: Participant, on: datetime.date | None = None):
    """Record a withdrawal: from now on no quote of this participant may be used."""
    access.require(actor, participant.study, StudyRole.LEAD)
    consent = Consent.objects.filter(participant=participant).first()
    if consent is None:
        raise ValidationError(_("No consent is recorded for this participant."))
    consent.withdrawn_on = on or timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    # Pending suggestions would otherwise invite new codings of a withdrawn voice.
    Suggestion.objects.filter(
        source__participants=participant, status=SuggestionStatus.PENDING
    ).delete()
    record_change(
        actor=actor, action="consent.withdraw", obj=consent, changed_fields=["withdrawn_on"]
    )
    consent_withdrawn.send(sender=Consent, participant=participant)
    return consent


# Sources

SOURCE_FIELDS = ("kind", "title", "language", "held_on", "interviewer", "mode")


def _validate_source(source: Source) -> None:
    if source.language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose one of the five languages.")})
    source.full_clean(exclude=["study", "imported_by"])


def source_create(
    *,
    actor,
    study: Study,
    extracted: Extracted,
    filename: str = "",
    original: bytes | None = None,
    participants=(),
    **values,
) -> Source:
    """Store an extracted text as a source, keep its original file, and index it for search."""
    access.require(actor, study, *access.EDITORS)
    return _store_source(
        actor=actor,
        study=study,
        extracted=extracted,
        filename=filename,
        original=original,
        participants=participants,
        **values,
    )


@transaction.atomic
def _store_source(
    *,
    actor,
    study: Study,
    extracted: Extracted,
    filename: str,
    original: bytes | None,
    participants=(),
    index: list[tuple[int, int, str]] | None = None,
    **values,
) -> Source:
    """Store a source once the actor's right to add it has been checked (`index` as computed
    by `search.paragraph_terms` beforehand, or None to compute it here)."""
    values = {k: v for k, v in values.items() if k in SOURCE_FIELDS}
    values.setdefault("title", filename or _("Untitled source"))
    values.setdefault("language", study.main_language)
    values.setdefault("kind", SourceKind.DOCUMENT)
    source = Source(
        study=study,
        text=extracted.text,
        length=len(extracted.text),
        file_format=extracted.file_format,
        imported_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    _validate_source(source)
    source.save()
    if participants:
        foreign = [p for p in participants if p.study_id != study.pk]
        if foreign:
            raise ValidationError({"participants": _("Participants must belong to the study.")})
        source.participants.set(participants)
    if original is not None:
        OriginalFile.objects.create(
            source=source, name=filename[:300], size=len(original), content=original
        )
    Cue.objects.bulk_create(
        Cue(
            source=source,
            start=cue.start,
            end=cue.end,
            start_ms=cue.start_ms,
            end_ms=cue.end_ms,
            speaker=cue.speaker[:200],
        )
        for cue in extracted.cues
    )
    search.index_source(source, new=True, prepared=index)
    record_change(actor=actor, action="source.create", obj=source, changed_fields=[*values, "text"])
    return source


def source_import_file(*, actor, study: Study, filename: str, data: bytes, **values) -> Source:
    """Extract a file's text and store it; a bad file raises ValidationError, nothing stored."""
    try:
        check_size(len(data))
        extracted = extract(filename, data)
    except ExtractionError as error:
        raise ValidationError(str(error.message)) from error
    source = source_create(
        actor=actor,
        study=study,
        extracted=extracted,
        filename=filename,
        original=data,
        **values,
    )
    # What was skipped (broken cues, empty pages) is reported to the person importing.
    source.import_warnings = list(extracted.warnings)
    return source


@dataclass
class FileImport:
    """What became of one file of an import: its source, or why it was refused."""

    filename: str
    source: Source | None = None
    error: str = ""
    # What was skipped inside an imported file (broken cues, empty pages).
    warnings: list[str] = field(default_factory=list)


@dataclass
class _PreparedFile:
    extracted: Extracted | None = None
    index: list[tuple[int, int, str]] = field(default_factory=list)
    error: str = ""


def _prepare_file(
    filename: str, data: bytes, key: bytes, language: str, refusal: str
) -> _PreparedFile:
    """Extract a file's text and compute its index rows, without the database.

    It may run in a worker process (chorus.core.ahead), so it is given the study's search key
    and the person's language (for the error messages); a file already refused is passed on.
    """
    if refusal:
        return _PreparedFile(error=refusal)
    with translation.override(language):
        try:
            extracted = extract(filename, data)
        except ExtractionError as error:
            return _PreparedFile(error=str(error.message))
        return _PreparedFile(extracted=extracted, index=search.paragraph_terms(key, extracted.text))


def _unreadable(_arguments: tuple, _error: BaseException) -> _PreparedFile:
    # The worker reading the file died or ran out of time (chorus.core.ahead).
    return _PreparedFile(
        error=_("The file could not be read: reading it stopped or took too long.")
    )


def title_of(filename: str) -> str:
    """A source's title from its file's name: the name without its last suffix."""
    stem = filename.rsplit(".", 1)[0] if "." in filename.lstrip(".") else filename
    return stem[:300]


def sources_import_files(
    *, actor, study: Study, files: Sequence[tuple[str, int, Callable[[], bytes]]], **values
) -> Iterator[FileImport]:
    """Import files, one source and one transaction each; return what became of each, in order.

    `files` are (filename, size, read) triples: a file over the size limit is refused before
    it is read. A bad file is reported and skipped; the others are imported. With enough files,
    worker processes extract the next ones and compute their index rows while this process
    stores the previous ones (chorus.core.ahead). The person's right to add sources is checked
    here, before any file is read; the files are imported as the result is iterated.
    """
    access.require(actor, study, *access.EDITORS)
    return _import_files(actor=actor, study=study, files=files, **values)


def _import_files(*, actor, study: Study, files, **values) -> Iterator[FileImport]:
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = search.study_key(study.pk)

    def arguments() -> Iterator[tuple[str, bytes, bytes, str, str]]:
        # Read here, in order and only as needed: an upload's file object cannot be handed to
        # another process.
        for filename, size, read in files:
            try:
                check_size(size)
            except ExtractionError as error:
                yield filename, b"", key, language, str(error.message)
            else:
                yield filename, read(), key, language, ""

    prepared_files = ahead(_prepare_file, arguments(), count=len(files), on_failure=_unreadable)
    for (filename, data, _key, _language, _refusal), prepared in prepared_files:
        outcome = FileImport(filename, error=prepared.error)
        if prepared.extracted is not None:
            try:
                outcome.source = _store_source(
                    actor=actor,
                    study=study,
                    extracted=prepared.extracted,
                    filename=filename,
                    original=data,
                    index=prepared.index,
                    **{"title": title_of(filename), **values},
                )
            except ValidationError as error:
                outcome.error = " ".join(error.messages)
            else:
                outcome.warnings = list(prepared.extracted.warnings)
        yield outcome


@transaction.atomic
def source_update(*, actor, source: Source, participants=None, **values) -> Source:
    access.require(actor, source.study, *access.EDITORS)
    changed = apply_changes(source, {k: v for k, v in values.items() if k in SOURCE_FIELDS})
    _validate_source(source)
    source.save()
    if participants is not None:
        if any(p.study_id != source.study_id for p in participants):
            raise ValidationError({"participants": _("Participants must belong to the study.")})
        source.participants.set(participants)
        changed.append("participants")
    record_change(actor=actor, action="source.update", obj=source, changed_fields=changed)
    return source


@transaction.atomic
def source_delete(*, actor, source: Source) -> None:
    access.require(actor, source.study, StudyRole.LEAD)
    record_change(actor=actor, action="source.delete", obj=source)
    search.remove_source(source)
    source.delete()


# Codebook

CODE_FIELDS = ("name", "translations", "description", "colour")


def _validate_code(code: Code) -> None:
    if not COLOUR.match(code.colour or ""):
        raise ValidationError({"colour": _("A colour is written #rrggbb.")})
    if not isinstance(code.translations, dict) or any(
        lang not in LANGUAGE_CODES for lang in code.translations
    ):
        raise ValidationError({"translations": _("Names must be in the five languages.")})
    code.translations = {k: v.strip() for k, v in code.translations.items() if v and v.strip()}
    code.full_clean(exclude=["study", "parent"])


def _check_parent(code: Code, parent: Code | None) -> None:
    if parent is None:
        return
    if parent.study_id != code.study_id:
        raise ValidationError({"parent": _("The parent code belongs to another study.")})
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == code.pk:
            raise ValidationError({"parent": _("A code cannot be placed under itself.")})
        ancestor = ancestor.parent


@transaction.atomic
def code_create(*, actor, study: Study, parent: Code | None = None, **values) -> Code:
    access.require(actor, study, *access.EDITORS)
    values = {k: v for k, v in values.items() if k in CODE_FIELDS}
    position = study.codes.filter(parent=parent).count()
    code = Code(study=study, parent=parent, position=position, **values)
    _check_parent(code, parent)
    _validate_code(code)
    code.save()
    record_change(actor=actor, action="code.create", obj=code, changed_fields=values)
    return code


@transaction.atomic
def code_update(*, actor, code: Code, **values) -> Code:
    access.require(actor, code.study, *access.EDITORS)
    changed = apply_changes(code, {k: v for k, v in values.items() if k in CODE_FIELDS})
    _validate_code(code)
    code.save()
    record_change(actor=actor, action="code.update", obj=code, changed_fields=changed)
    return code


@transaction.atomic
def code_move(*, actor, code: Code, parent: Code | None) -> Code:
    """Place a code under another (or at the top level)."""
    access.require(actor, code.study, *access.EDITORS)
    _check_parent(code, parent)
    code.parent = parent
    code.position = code.study.codes.filter(parent=parent).exclude(pk=code.pk).count()
    code.save(update_fields=["parent", "position"])
    record_change(actor=actor, action="code.move", obj=code, changed_fields=["parent"])
    return code


@transaction.atomic
def code_merge(*, actor, code: Code, into: Code) -> Code:
    """Fold a code into another: its codings, children and memos move; duplicates collapse."""
    access.require(actor, code.study, *access.EDITORS)
    if into.study_id != code.study_id or into.pk == code.pk:
        raise ValidationError(_("Merge a code into another code of the same study."))
    _check_parent(code, into)  # merging an ancestor into its descendant would orphan the tree
    survivors = {
        (c.source_id, c.start, c.end, c.coder_id): c.pk
        for c in into.codings.only("pk", "source_id", "start", "end", "coder_id")
    }
    replaced: dict[int, int] = {}
    for coding in code.codings.all():
        key = (coding.source_id, coding.start, coding.end, coding.coder_id)
        if key in survivors:
            replaced[coding.pk] = survivors[key]
        else:
            survivors[key] = coding.pk
            coding.code = into
            coding.save(update_fields=["code"])
    if replaced:
        # What hangs on a duplicate (memos here; quotes, approvals and translations in case
        # studies) moves to the identical coding that stays, before the duplicate goes.
        for old, new in replaced.items():
            Memo.objects.filter(coding_id=old).update(coding_id=new)
        codings_merged.send(sender=Coding, replaced=replaced)
        Coding.objects.filter(pk__in=replaced).delete()
    code.children.update(parent=into)
    code.memos.update(code=into)
    Suggestion.objects.filter(code=code).delete()
    record_change(actor=actor, action="code.merge", obj=into, changed_fields=["codings"])
    record_change(actor=actor, action="code.delete", obj=code)
    code.delete()
    return into


@transaction.atomic
def code_split(*, actor, code: Code, codings, name: str) -> Code:
    """Move the chosen codings of a code to a new sibling code named `name`."""
    access.require(actor, code.study, *access.EDITORS)
    codings = list(codings)
    if not codings or any(coding.code_id != code.pk for coding in codings):
        raise ValidationError(_("Choose some of this code's segments to split off."))
    new = code_create(
        actor=actor,
        study=code.study,
        parent=code.parent,
        name=name,
        colour=code.colour,
        description=code.description,
    )
    Coding.objects.filter(pk__in=[coding.pk for coding in codings]).update(code=new)
    record_change(actor=actor, action="code.split", obj=code, changed_fields=["codings"])
    return new


@transaction.atomic
def code_delete(*, actor, code: Code) -> None:
    access.require(actor, code.study, *access.EDITORS)
    record_change(actor=actor, action="code.delete", obj=code)
    code.delete()


# Coding


def _check_span(source: Source, start: int, end: int) -> None:
    if not (0 <= start < end <= source.length):
        raise ValidationError(_("The selection lies outside the text or is empty."))


@transaction.atomic
def coding_create(*, actor, source: Source, codes, start: int, end: int) -> list[Coding]:
    """Apply one or more codes to a span of a source, as the acting coder.

    Applying the same code to the same span twice by the same coder changes nothing.
    """
    access.require(actor, source.study, *access.EDITORS)
    _check_span(source, start, end)
    codes = list(codes)
    if not codes:
        raise ValidationError(_("Choose at least one code."))
    if any(code.study_id != source.study_id for code in codes):
        raise ValidationError(_("The code belongs to another study."))
    coder = actor if getattr(actor, "pk", None) else None
    created = []
    for code in codes:
        coding, was_created = Coding.objects.get_or_create(
            source=source, code=code, start=start, end=end, coder=coder
        )
        if was_created:
            created.append(coding)
            record_change(actor=actor, action="coding.create", obj=coding)
    return created


@transaction.atomic
def coding_update(*, actor, coding: Coding, start: int, end: int, code: Code | None = None):
    """Change a coding's span or code; only its own coder or a lead may change it."""
    role = access.require(actor, coding.source.study, *access.EDITORS)
    if role != StudyRole.LEAD and coding.coder_id != getattr(actor, "pk", None):
        raise PermissionDenied
    _check_span(coding.source, start, end)
    if code is not None and code.study_id != coding.source.study_id:
        raise ValidationError(_("The code belongs to another study."))
    changed = apply_changes(
        coding, {"start": start, "end": end, **({"code": code} if code else {})}
    )
    coding.save()
    record_change(actor=actor, action="coding.update", obj=coding, changed_fields=changed)
    if {"start", "end"} & set(changed):
        coding_changed.send(sender=Coding, coding=coding)
    return coding


@transaction.atomic
def coding_delete(*, actor, coding: Coding) -> None:
    role = access.require(actor, coding.source.study, *access.EDITORS)
    if role != StudyRole.LEAD and coding.coder_id != getattr(actor, "pk", None):
        raise PermissionDenied
    record_change(actor=actor, action="coding.delete", obj=coding)
    coding.delete()


# Memos


@transaction.atomic
def memo_create(
    *, actor, study: Study, text: str, title: str = "", source=None, code=None, coding=None
) -> Memo:
    """Write a memo on the study, or on one of its sources, codes or coded segments."""
    access.require(actor, study, *access.EDITORS)
    for target in (source, code):
        if target is not None and target.study_id != study.pk:
            raise ValidationError(_("The memo's subject belongs to another study."))
    if coding is not None and coding.source.study_id != study.pk:
        raise ValidationError(_("The memo's subject belongs to another study."))
    if not text.strip():
        raise ValidationError({"text": _("A memo needs some text.")})
    memo = Memo.objects.create(
        study=study,
        source=source,
        code=code,
        coding=coding,
        title=title.strip()[:200],
        text=text,
        author=actor if getattr(actor, "pk", None) else None,
    )
    record_change(actor=actor, action="memo.create", obj=memo, changed_fields=["text"])
    return memo


@transaction.atomic
def _require_memo_author(actor, memo: Memo) -> None:
    """A memo is its author's: others on the team read it; only a lead may change another's."""
    role = access.require(actor, memo.study, *access.EDITORS)
    if role != StudyRole.LEAD and memo.author_id != getattr(actor, "pk", None):
        raise PermissionDenied


def memo_update(*, actor, memo: Memo, text: str, title: str = "") -> Memo:
    _require_memo_author(actor, memo)
    if not text.strip():
        raise ValidationError({"text": _("A memo needs some text.")})
    changed = apply_changes(memo, {"text": text, "title": title.strip()[:200]})
    memo.save()
    record_change(actor=actor, action="memo.update", obj=memo, changed_fields=changed)
    return memo


@transaction.atomic
def memo_delete(*, actor, memo: Memo) -> None:
    _require_memo_author(actor, memo)
    record_change(actor=actor, action="memo.delete", obj=memo)
    memo.delete()


# Pseudonyms


@transaction.atomic
def pseudonym_create(*, actor, study: Study, kind: str, real: str, replacement: str) -> Pseudonym:
    access.require(actor, study, StudyRole.LEAD)
    if not real.strip() or not replacement.strip():
        raise ValidationError(_("Give both the real name and its replacement."))
    pseudonym = Pseudonym(
        study=study, kind=kind, real=real.strip(), replacement=replacement.strip()
    )
    pseudonym.full_clean(exclude=["study"])
    pseudonym.save()
    record_change(actor=actor, action="pseudonym.create", obj=pseudonym)
    return pseudonym


@transaction.atomic
def pseudonym_delete(*, actor, pseudonym: Pseudonym) -> None:
    access.require(actor, pseudonym.study, StudyRole.LEAD)
    record_change(actor=actor, action="pseudonym.delete", obj=pseudonym)
    pseudonym.delete()


# Suggestions


@transaction.atomic
def suggestion_decide(*, actor, suggestion: Suggestion, accept: bool) -> Coding | None:
    """Accept (the passage is coded, by the person who accepted) or reject a suggestion."""
    access.require(actor, suggestion.code.study, *access.EDITORS)
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError(_("This suggestion has already been decided."))
    suggestion.status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.REJECTED
    suggestion.decided_by = actor if getattr(actor, "pk", None) else None
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    record_change(
        actor=actor, action="suggestion.decide", obj=suggestion, changed_fields=["status"]
    )
    if not accept:
        return None
    created = coding_create(
        actor=actor,
        source=suggestion.source,
        codes=[suggestion.code],
        start=suggestion.start,
        end=suggestion.end,
    )
    return created[0] if created else None


# Up to this many uncoded paragraphs are scored per run: about three seconds of embedding on
# a small server, so a person waits for the page rather than for a background job.
SUGGESTION_CANDIDATES = 1200
SUGGESTION_EXAMPLES = 200
# Embedding long paragraphs costs time and dilutes them; the start carries the topic.
EMBED_CHARACTERS = 1000


@transaction.atomic
def suggestions_generate(*, actor, code: Code, limit: int = 20) -> list[Suggestion]:
    """Suggest uncoded paragraphs that resemble the code's segments, for a person to review.

    Runs the embedding model inside this process: no text leaves the machine. Sources of
    participants who withdrew consent are left out, so no new coding of their words is invited.
    """
    from chorus.evidence import embeddings, rendering

    access.require(actor, code.study, *access.EDITORS)
    study = code.study
    own = list(code.codings.select_related("source").order_by("-created_at")[:SUGGESTION_EXAMPLES])
    if len(own) < embeddings.MIN_POSITIVES:
        raise ValidationError(
            _("Code at least %(count)s passages with this code first.")
            % {"count": embeddings.MIN_POSITIVES}
        )
    texts: dict[int, str] = {}

    def text_of(source_id: int) -> str:
        if source_id not in texts:
            texts[source_id] = Source.objects.values_list("text", flat=True).get(pk=source_id)
        return texts[source_id]

    positive = [text_of(c.source_id)[c.start : c.end][:EMBED_CHARACTERS] for c in own]
    rejected = code.suggestions.filter(status=SuggestionStatus.REJECTED)[:SUGGESTION_EXAMPLES]
    negative = [text_of(s.source_id)[s.start : s.end][:EMBED_CHARACTERS] for s in rejected]
    others = (
        Coding.objects.filter(source__study=study)
        .exclude(code=code)
        .order_by("-created_at")[:SUGGESTION_EXAMPLES]
    )
    negative += [text_of(c.source_id)[c.start : c.end][:EMBED_CHARACTERS] for c in others]

    coded = {}
    for source_id, start, end in code.codings.values_list("source_id", "start", "end"):
        coded.setdefault(source_id, []).append((start, end))
    for source_id, start, end in code.suggestions.exclude(
        status=SuggestionStatus.ACCEPTED
    ).values_list("source_id", "start", "end"):
        coded.setdefault(source_id, []).append((start, end))
    withdrawn = Source.objects.filter(
        study=study, participants__consent__withdrawn_on__isnull=False
    ).values_list("pk", flat=True)
    candidates: list[tuple[int, int, int]] = []
    for source_id in study.sources.exclude(pk__in=withdrawn).values_list("pk", flat=True):
        for start, end in rendering.paragraph_bounds(text_of(source_id)):
            if any(s < end and e > start for s, e in coded.get(source_id, ())):
                continue
            candidates.append((source_id, start, end))
            if len(candidates) >= SUGGESTION_CANDIDATES:
                break
        if len(candidates) >= SUGGESTION_CANDIDATES:
            break
    ranked = embeddings.suggest(
        positive,
        negative,
        [text_of(s)[a:b][:EMBED_CHARACTERS] for s, a, b in candidates],
        limit=limit,
    )
    code.suggestions.filter(status=SuggestionStatus.PENDING).delete()
    created = Suggestion.objects.bulk_create(
        Suggestion(
            code=code,
            source_id=candidates[index][0],
            start=candidates[index][1],
            end=candidates[index][2],
            score=score,
            model_name=embeddings.MODEL_NAME[:200],
        )
        for index, score in ranked
    )
    record_change(
        actor=actor, action="suggestion.generate", obj=code, changed_fields=["suggestions"]
    )
    return created
