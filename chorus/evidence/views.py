"""Thin views of the evidence workspace: studies, sources and coding, codebook, people, search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.core.audit import record_access
from chorus.core.error_pages import error_page
from chorus.core.uploads import max_files, size_limited
from chorus.core.views import paginate
from chorus.evidence import (
    access,
    actions,
    analysis,
    exports,
    queries,
    refiqda,
    rendering,
    search,
)
from chorus.evidence.codebook_template import apply_template
from chorus.evidence.forms import (
    AgreementForm,
    CodeForm,
    CodingForm,
    ConsentForm,
    ExchangeImportForm,
    MemberForm,
    MemoForm,
    MergeForm,
    ParticipantForm,
    PseudonymForm,
    SearchForm,
    SegmentFilterForm,
    SourceForm,
    SourceImportForm,
    StudyForm,
)
from chorus.evidence.models import StudyRole
from chorus.network.views import add_form_errors

# A batch of interview files; each file is also checked against extraction's own limit.
UPLOAD_MAX_BYTES = 200 * 1024 * 1024


def _context(request: HttpRequest, study, **extra) -> dict:
    role = access.role_in(request.user, study)
    return {
        "study": study,
        "role": role,
        "can_edit": role in access.EDITORS,
        "is_lead": role == StudyRole.LEAD,
        **extra,
    }


def _study(request: HttpRequest, pk: int, *roles: str):
    study = queries.study_for(request.user, pk)
    access.require(request.user, study, *roles)
    return study


# Studies and teams


@login_required
def study_list(request: HttpRequest) -> HttpResponse:
    may_create = access.may_create_study(request.user)
    form = StudyForm(request.POST or None, initial={"languages": [get_language()]})
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        if form.is_valid():
            try:
                study = actions.study_create(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    question=form.cleaned_data["question"],
                    languages=form.cleaned_data["languages"],
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Study created. You lead it."))
                return redirect("evidence:study_detail", study.pk)
    page = paginate(request, queries.studies_for(request.user))
    return render(
        request,
        "evidence/study_list.html",
        {"page": page, "form": form, "may_create": may_create},
    )


@login_required
def study_detail(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    codes = queries.codes_for(request.user, study)
    return render(
        request,
        "evidence/study_detail.html",
        _context(
            request,
            study,
            team=queries.team_for(request.user, study),
            source_count=study.sources.count(),
            participant_count=study.participants.count(),
            code_count=codes.count(),
            coding_count=sum(code.coding_count for code in codes),
            member_form=MemberForm(),
        ),
    )


@login_required
def study_edit(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study, StudyRole.LEAD)
    form = StudyForm(
        request.POST or None,
        initial={"title": study.title, "question": study.question, "languages": study.languages},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.study_update(actor=request.user, study=study, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Study saved."))
            return redirect("evidence:study_detail", study.pk)
    return render(
        request,
        "evidence/form_page.html",
        _context(request, study, form=form, heading=_("Edit the study")),
    )


@login_required
@require_POST
def member_set(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study, StudyRole.LEAD)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            actions.member_set(
                actor=request.user,
                study=study,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Team updated."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("evidence:study_detail", study.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, study: int, user: int) -> HttpResponse:
    study = _study(request, study, StudyRole.LEAD)
    member = study.members.filter(user_id=user).select_related("user").first()
    if member is not None:
        try:
            actions.member_remove(actor=request.user, study=study, user=member.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Team updated."))
    return redirect("evidence:study_detail", study.pk)


# Sources


@login_required
def source_list(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    kind = request.GET.get("kind", "")
    page = paginate(request, queries.sources_for(request.user, study, kind=kind))
    return render(request, "evidence/source_list.html", _context(request, study, page=page))


def _refuse_large_upload(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        _("The upload is too large"),
        _("Send at most %(size)s MB at a time.") % {"size": UPLOAD_MAX_BYTES // (1024 * 1024)},
        status=413,
    )


def _refuse_too_many_files(request: HttpRequest) -> HttpResponse:
    return error_page(
        request,
        _("Too many files at once"),
        _(
            "Choose at most %(count)s files at a time, then import the rest in another round. "
            "Nothing was imported."
        )
        % {"count": max_files()},
        status=413,
    )


@size_limited(lambda: UPLOAD_MAX_BYTES, _refuse_large_upload, _refuse_too_many_files)
@login_required
def source_import(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    participants = queries.participants_for(request.user, study)
    form = SourceImportForm(
        request.POST or None,
        request.FILES or None,
        participants=participants,
        max_files=max_files(),
        max_megabytes=UPLOAD_MAX_BYTES // (1024 * 1024),
        initial={"language": study.main_language},
    )
    report = []
    if request.method == "POST" and form.is_valid():
        values = {
            key: form.cleaned_data[key]
            for key in ("kind", "language", "held_on", "interviewer", "mode")
        }
        report = list(
            actions.sources_import_files(
                actor=request.user,
                study=study,
                files=[(f.name, f.size, f.read) for f in form.cleaned_data["files"]],
                participants=list(form.cleaned_data["participants"]),
                **values,
            )
        )
        imported = sum(1 for outcome in report if outcome.source is not None)
        if imported and imported == len(report) and not any(o.warnings for o in report):
            messages.success(request, _("%(count)s sources imported.") % {"count": imported})
            if imported == 1:
                return redirect("evidence:source_detail", study.pk, report[0].source.pk)
            return redirect("evidence:source_list", study.pk)
    return render(
        request,
        "evidence/source_import.html",
        _context(request, study, form=form, report=report),
    )


def _code_choices(request: HttpRequest, study):
    language = get_language()
    nodes = queries.code_tree(queries.codes_for(request.user, study))
    for node in nodes:
        node.label = node.code.name_in(language)
    return nodes


@login_required
def source_detail(request: HttpRequest, study: int, source: int) -> HttpResponse:
    study = _study(request, study)
    source = queries.source_for(request.user, study, source)
    codes = study.codes.all()
    form = CodingForm(request.POST or None, codes=codes)
    if request.method == "POST":
        access.require(request.user, study, *access.EDITORS)
        if form.is_valid():
            span = _span_from(form, source)
            if span is None:
                form.add_error("words", _("These words are not in that paragraph."))
            else:
                try:
                    created = actions.coding_create(
                        actor=request.user,
                        source=source,
                        codes=form.cleaned_data["codes"],
                        start=span[0],
                        end=span[1],
                    )
                except ValidationError as error:
                    add_form_errors(form, error)
                else:
                    messages.success(
                        request, _("%(count)s codings added.") % {"count": len(created)}
                    )
                    query = "?mine=1" if request.GET.get("mine") == "1" else ""
                    number = _paragraph_number(source.text, span[0])
                    return redirect(f"{request.path}{query}#p{number}")
    codings = queries.codings_in_source(request.user, source)
    # Coding blind: a coder may hide the others' codings so agreement measures stay honest.
    only_mine = request.GET.get("mine") == "1"
    if only_mine:
        codings = codings.filter(coder=request.user)
    codings = list(codings)
    paragraphs = rendering.layout(source.text, codings)
    _attach_cues(paragraphs, source.cues.all())
    language = get_language()
    for coding in codings:
        coding.label = coding.code.name_in(language)
    return render(
        request,
        "evidence/source_detail.html",
        _context(
            request,
            study,
            source=source,
            paragraphs=paragraphs,
            form=form,
            only_mine=only_mine,
            code_nodes=_code_choices(request, study),
            memos=queries.memos_for(request.user, study, source=source),
            memo_form=MemoForm(),
        ),
    )


def _attach_cues(paragraphs, cues) -> None:
    """Show each transcript cue's time (and speaker) at the paragraph where it starts."""
    cues = list(cues)
    index = 0
    for paragraph in paragraphs:
        while index < len(cues) and cues[index].start < paragraph.start:
            index += 1
        if index < len(cues) and cues[index].start < paragraph.end:
            seconds = cues[index].start_ms // 1000
            cues[index].time = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            paragraph.cue = cues[index]


def _paragraph_number(text: str, offset: int) -> int:
    for number, (_start, end) in enumerate(rendering.paragraph_bounds(text), start=1):
        if offset < end:
            return number
    return 1


def _span_from(form: CodingForm, source) -> tuple[int, int] | None:
    data = form.cleaned_data
    if data.get("start") is not None and data.get("end") is not None:
        return data["start"], data["end"]
    bounds = rendering.paragraph_bounds(source.text)
    number = data["paragraph"]
    if number > len(bounds):
        return None
    return rendering.locate(source.text, bounds[number - 1], data.get("words", ""))


@login_required
def source_edit(request: HttpRequest, study: int, source: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    source = queries.source_for(request.user, study, source)
    participants = queries.participants_for(request.user, study)
    form = SourceForm(
        request.POST or None,
        participants=participants,
        initial={
            "title": source.title,
            "kind": source.kind,
            "language": source.language,
            "held_on": source.held_on,
            "interviewer": source.interviewer,
            "mode": source.mode,
            "participants": source.participants.all(),
        },
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        chosen = list(values.pop("participants"))
        try:
            actions.source_update(actor=request.user, source=source, participants=chosen, **values)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Source saved."))
            return redirect("evidence:source_detail", study.pk, source.pk)
    return render(
        request,
        "evidence/form_page.html",
        _context(request, study, form=form, heading=_("Edit the source"), source=source),
    )


@login_required
@require_POST
def source_delete(request: HttpRequest, study: int, source: int) -> HttpResponse:
    study = _study(request, study, StudyRole.LEAD)
    source = queries.source_for(request.user, study, source)
    actions.source_delete(actor=request.user, source=source)
    messages.success(request, _("Source deleted."))
    return redirect("evidence:source_list", study.pk)


@login_required
def source_original(request: HttpRequest, study: int, source: int) -> HttpResponse:
    """Download the original file; it may hold names, so leads only, and the read is logged."""
    study = _study(request, study, StudyRole.LEAD)
    source = queries.source_for(request.user, study, source)
    original = getattr(source, "original", None)
    if original is None:
        raise PermissionDenied
    with transaction.atomic():
        record_access(
            actor=request.user, obj=original, data_class="confidential", purpose="download"
        )
    response = HttpResponse(bytes(original.content), content_type="application/octet-stream")
    safe_name = "".join(c for c in original.name if c.isalnum() or c in "._-") or "source"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response


# Codings and memos


@login_required
@require_POST
def coding_delete(request: HttpRequest, study: int, coding: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    coding = queries.coding_for(request.user, study, coding)
    source_id = coding.source_id
    actions.coding_delete(actor=request.user, coding=coding)
    messages.success(request, _("Coding removed."))
    return redirect("evidence:source_detail", study.pk, source_id)


@login_required
def coding_edit(request: HttpRequest, study: int, coding: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    coding = queries.coding_for(request.user, study, coding)
    source = coding.source
    form = CodingForm(
        request.POST or None,
        codes=study.codes.all(),
        initial={"codes": [coding.code], "start": coding.start, "end": coding.end},
    )
    if request.method == "POST" and form.is_valid():
        span = _span_from(form, source)
        chosen = list(form.cleaned_data["codes"])
        if span is None:
            form.add_error("words", _("These words are not in that paragraph."))
        elif len(chosen) != 1:
            form.add_error("codes", _("A coding has exactly one code."))
        else:
            try:
                actions.coding_update(
                    actor=request.user, coding=coding, start=span[0], end=span[1], code=chosen[0]
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Coding saved."))
                return redirect("evidence:source_detail", study.pk, source.pk)
    return render(
        request,
        "evidence/coding_edit.html",
        _context(
            request,
            study,
            coding=coding,
            form=form,
            # Its own ids: the page also holds the coding's form.
            memo_form=MemoForm(auto_id="id_memo_%s"),
            excerpt=source.text[coding.start : coding.end],
            code_nodes=_code_choices(request, study),
        ),
    )


def _memo_target(request: HttpRequest, study):
    """Find the memo's subject from the form: a source, a code or a coding of this study."""
    targets = {}
    if request.POST.get("source"):
        targets["source"] = queries.source_for(request.user, study, int(request.POST["source"]))
    if request.POST.get("code"):
        targets["code"] = queries.code_for(request.user, study, int(request.POST["code"]))
    if request.POST.get("coding"):
        targets["coding"] = queries.coding_for(request.user, study, int(request.POST["coding"]))
    return targets


@login_required
def memo_list(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    form = MemoForm(request.POST or None)
    if request.method == "POST":
        access.require(request.user, study, *access.EDITORS)
        try:
            targets = _memo_target(request, study)
        except (ValueError, TypeError):
            targets = None
            form.add_error(None, _("The memo's subject was not found."))
        if targets is not None and form.is_valid():
            try:
                actions.memo_create(
                    actor=request.user,
                    study=study,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                    **targets,
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Memo saved."))
                next_url = request.POST.get("next", "")
                if next_url.startswith("/") and not next_url.startswith("//"):
                    return redirect(next_url)
                return redirect("evidence:memo_list", study.pk)
    page = paginate(request, queries.memos_for(request.user, study))
    return render(
        request, "evidence/memo_list.html", _context(request, study, page=page, form=form)
    )


@login_required
def memo_edit(request: HttpRequest, study: int, memo: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    memo = queries.memo_for(request.user, study, memo)
    form = MemoForm(request.POST or None, initial={"title": memo.title, "text": memo.text})
    if request.method == "POST":
        if "delete" in request.POST:
            actions.memo_delete(actor=request.user, memo=memo)
            messages.success(request, _("Memo deleted."))
            return redirect("evidence:memo_list", study.pk)
        if form.is_valid():
            try:
                actions.memo_update(actor=request.user, memo=memo, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Memo saved."))
                return redirect("evidence:memo_list", study.pk)
    return render(
        request, "evidence/memo_edit.html", _context(request, study, memo=memo, form=form)
    )


# Codebook


def _code_form(request: HttpRequest, study, code=None) -> CodeForm:
    codes = study.codes.all()
    if code is not None:
        codes = codes.exclude(pk=code.pk)
    initial = {}
    if code is not None:
        initial = {
            "name": code.name,
            "parent": code.parent,
            "description": code.description,
            "colour": code.colour,
            **{f"name_{lang}": name for lang, name in code.translations.items()},
        }
    return CodeForm(request.POST or None, codes=codes, languages=study.languages, initial=initial)


@login_required
def codebook(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    form = _code_form(request, study)
    if request.method == "POST":
        access.require(request.user, study, *access.EDITORS)
        if form.is_valid():
            try:
                actions.code_create(
                    actor=request.user,
                    study=study,
                    parent=form.cleaned_data["parent"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    colour=form.cleaned_data["colour"],
                    translations=form.translations(),
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Code added."))
                return redirect("evidence:codebook", study.pk)
    return render(
        request,
        "evidence/codebook.html",
        _context(request, study, code_nodes=_code_choices(request, study), form=form),
    )


@login_required
def code_edit(request: HttpRequest, study: int, code: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    code = queries.code_for(request.user, study, code)
    form = _code_form(request, study, code)
    merge_form = MergeForm(codes=study.codes.exclude(pk=code.pk))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                actions.code_update(
                    actor=request.user,
                    code=code,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    colour=form.cleaned_data["colour"],
                    translations=form.translations(),
                )
                if form.cleaned_data["parent"] != code.parent:
                    actions.code_move(
                        actor=request.user, code=code, parent=form.cleaned_data["parent"]
                    )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Code saved."))
            return redirect("evidence:codebook", study.pk)
    return render(
        request,
        "evidence/code_edit.html",
        _context(request, study, code=code, form=form, merge_form=merge_form),
    )


@login_required
@require_POST
def code_merge(request: HttpRequest, study: int, code: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    code = queries.code_for(request.user, study, code)
    form = MergeForm(request.POST, codes=study.codes.exclude(pk=code.pk))
    if form.is_valid():
        try:
            into = actions.code_merge(actor=request.user, code=code, into=form.cleaned_data["into"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Codes merged."))
            return redirect("evidence:code_detail", study.pk, into.pk)
    return redirect("evidence:code_edit", study.pk, code.pk)


@login_required
@require_POST
def code_delete(request: HttpRequest, study: int, code: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    code = queries.code_for(request.user, study, code)
    actions.code_delete(actor=request.user, code=code)
    messages.success(request, _("Code deleted, with its codings."))
    return redirect("evidence:codebook", study.pk)


@login_required
@require_POST
def code_split(request: HttpRequest, study: int, code: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    code = queries.code_for(request.user, study, code)
    ids = [int(value) for value in request.POST.getlist("coding") if value.isdigit()]
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Name the new code."))
        return redirect("evidence:code_detail", study.pk, code.pk)
    try:
        new = actions.code_split(
            actor=request.user, code=code, codings=code.codings.filter(pk__in=ids), name=name
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("evidence:code_detail", study.pk, code.pk)
    messages.success(request, _("Segments moved to the new code."))
    return redirect("evidence:code_detail", study.pk, new.pk)


@login_required
def codes_css(request: HttpRequest, study: int) -> HttpResponse:
    """Serve the codes' colours as a style sheet: the content policy forbids inline styles."""
    study = _study(request, study)
    rules = [
        f".code-{code.pk}{{--code-colour:{code.colour}}}"
        for code in study.codes.only("id", "colour")
        if actions.COLOUR.match(code.colour)
    ]
    response = HttpResponse("\n".join(rules), content_type="text/css; charset=utf-8")
    # Revalidated on every page: a code added or recoloured a second ago must show at once.
    response["Cache-Control"] = "private, no-cache"
    return response


# Participants and consent


@login_required
def participant_list(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    return render(
        request,
        "evidence/participant_list.html",
        _context(request, study, participants=queries.participants_for(request.user, study)),
    )


@login_required
def participant_edit(request: HttpRequest, study: int, participant: int | None = None):
    study = _study(request, study, StudyRole.LEAD)
    instance = queries.participant_for(request.user, study, participant) if participant else None
    initial = {}
    if instance is not None:
        identity = queries.participant_identity(request.user, instance)
        initial = {
            "pseudonym": instance.pseudonym,
            "organisation_name": instance.organisation_label,
            "role_title": instance.role_title,
            "region": instance.region,
            "attributes": "\n".join(f"{k}: {v}" for k, v in instance.attributes.items()),
            **identity,
        }
    form = ParticipantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                instance = actions.participant_create(
                    actor=request.user, study=study, **form.cleaned_data
                )
            else:
                actions.participant_update(
                    actor=request.user, participant=instance, **form.cleaned_data
                )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Participant saved."))
            return redirect("evidence:consent", study.pk, instance.pk)
    return render(
        request,
        "evidence/form_page.html",
        _context(
            request,
            study,
            form=form,
            heading=_("Participant") if instance else _("Add a participant"),
        ),
    )


@login_required
def consent(request: HttpRequest, study: int, participant: int) -> HttpResponse:
    study = _study(request, study, StudyRole.LEAD)
    participant = queries.participant_for(request.user, study, participant)
    current = getattr(participant, "consent", None)
    initial = {}
    if current is not None:
        initial = {
            "given_on": current.given_on,
            "recorded": current.recorded,
            "quote_mode": current.quote_mode,
            "approval_required": current.approval_required,
            "notes": current.notes,
        }
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "withdraw" in request.POST:
            try:
                actions.consent_withdraw(actor=request.user, participant=participant)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The withdrawal is recorded."))
            return redirect("evidence:participant_list", study.pk)
        if form.is_valid():
            try:
                actions.consent_record(
                    actor=request.user, participant=participant, **form.cleaned_data
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Consent saved."))
                return redirect("evidence:participant_list", study.pk)
    return render(
        request,
        "evidence/consent.html",
        _context(request, study, participant=participant, consent=current, form=form),
    )


# Search


@login_required
def study_search(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        raw_page = request.GET.get("page", "1")
        # Capped: a huge page number would overflow the database's OFFSET (and no one reads
        # 500 pages of hits; the search can be narrowed instead).
        page_number = min(max(1, int(raw_page)), 500) if raw_page.isdigit() else 1
        results = search.search_study(
            study, form.cleaned_data["q"], limit=20, offset=(page_number - 1) * 20
        )
        results.page_number = page_number
        results.has_next = results.total > page_number * 20
        results.numbered = _number_hits(request.user, study, results.hits)
        queries.log_transcript_read(request.user, study, "search")
    return render(
        request, "evidence/search.html", _context(request, study, form=form, results=results)
    )


def _number_hits(user, study, hits) -> list[tuple]:
    """Pair each hit with the number of its paragraph, the anchor on the source page."""
    texts = queries.source_texts(user, study, (hit.source_id for hit in hits))
    numbered = []
    for hit in hits:
        offset = hit.match_spans[0][0] if hit.match_spans else hit.paragraph_start
        numbered.append((hit, _paragraph_number(texts.get(hit.source_id, ""), offset)))
    return numbered


def users_on(study):
    return get_user_model().objects.filter(study_memberships__study=study).order_by("username")


# Retrieval and analysis


def _segment_filters(request: HttpRequest, study) -> tuple[SegmentFilterForm, dict]:
    data = request.GET if "source_kind" in request.GET else None
    form = SegmentFilterForm(data, coders=users_on(study), initial={"include_children": True})
    filters: dict = {"include_children": True}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        participant_filters = dict(data["attribute"])
        if data["region"]:
            participant_filters["region"] = data["region"]
        filters = {
            "include_children": data["include_children"],
            "participant_filters": participant_filters or None,
            "source_kind": data["source_kind"],
            "language": data["language"],
            "coder_id": data["coder"].pk if data["coder"] else None,
        }
    return form, filters


@login_required
def code_detail(request: HttpRequest, study: int, code: int) -> HttpResponse:
    """All segments coded with a code (and its sub-codes), filtered, with context."""
    study = _study(request, study)
    code = queries.code_for(request.user, study, code)
    form, filters = _segment_filters(request, study)
    raw_page = request.GET.get("page", "1")
    segments = analysis.segments_for(
        request.user,
        study,
        code_ids=[code.pk],
        page=int(raw_page) if raw_page.isdigit() else 1,
        **filters,
    )
    query = request.GET.copy()
    query.pop("page", None)
    queries.log_transcript_read(request.user, study, "code segments")
    return render(
        request,
        "evidence/code_detail.html",
        _context(
            request,
            study,
            code=code,
            code_name=code.name_in(get_language()),
            segments=segments,
            form=form,
            query=query.urlencode(),
            memos=queries.memos_for(request.user, study, code=code),
            memo_form=MemoForm(),
            rates=[
                r for r in queries.suggestion_rates(request.user, study) if r["code_id"] == code.pk
            ],
        ),
    )


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.retrieval_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exports.retrieval_xlsx,
    ),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        None,
    ),
}


@login_required
def code_export(request: HttpRequest, study: int, code: int, fmt: str) -> HttpResponse:
    """Export a retrieval; pseudonymised unless a lead asks for the original names."""
    study = _study(request, study)
    code = queries.code_for(request.user, study, code)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _form, filters = _segment_filters(request, study)
    segments = exports.segments_for_export(
        request.user,
        study,
        code_ids=[code.pk],
        pseudonymised=request.GET.get("names") != "original",
        **filters,
    )
    queries.log_transcript_read(request.user, study, f"segments export ({fmt})")
    content_type, writer = EXPORT_FORMATS[fmt]
    if fmt == "docx":
        body = exports.retrieval_docx(segments, study=study, code_names=[code.name])
    else:
        body = writer(segments)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="code-{code.pk}-segments.{fmt}"'
    return response


@login_required
def analysis_overview(request: HttpRequest, study: int) -> HttpResponse:
    """Code frequencies by an attribute, and the co-occurrence matrix."""
    study = _study(request, study)
    dimensions = analysis.frequency_dimensions(request.user, study)
    by = request.GET.get("by") or (dimensions[0][0] if dimensions else "source_kind")
    if by not in {key for key, _label in dimensions}:
        by = dimensions[0][0] if dimensions else "source_kind"
    matrix = analysis.cooccurrence(request.user, study)
    return render(
        request,
        "evidence/analysis.html",
        _context(
            request,
            study,
            dimensions=dimensions,
            by=by,
            frequencies=analysis.code_frequencies(request.user, study, by=by),
            matrix=matrix,
            matrix_rows=list(zip(matrix.codes, matrix.counts, strict=True)),
        ),
    )


@login_required
def agreement(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    form = AgreementForm(request.GET or None, coders=users_on(study))
    results = None
    if form.is_valid():
        results = analysis.agreement(
            request.user,
            study,
            coder_a=form.cleaned_data["coder_a"],
            coder_b=form.cleaned_data["coder_b"],
        )
        queries.log_transcript_read(request.user, study, "agreement")
    return render(
        request, "evidence/agreement.html", _context(request, study, form=form, results=results)
    )


# Suggestions


@login_required
def suggestions(request: HttpRequest, study: int, code: int) -> HttpResponse:
    study = _study(request, study)
    code = queries.code_for(request.user, study, code)
    if request.method == "POST":
        access.require(request.user, study, *access.EDITORS)
        try:
            created = actions.suggestions_generate(actor=request.user, code=code)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)s passages suggested.") % {"count": len(created)})
        return redirect("evidence:suggestions", study.pk, code.pk)
    pending = list(queries.suggestions_for(request.user, code))
    texts = queries.source_texts(request.user, study, (s.source_id for s in pending))
    if pending:
        queries.log_transcript_read(request.user, study, "suggestions")
    for suggestion in pending:
        suggestion.excerpt = texts.get(suggestion.source_id, "")[suggestion.start : suggestion.end]
        suggestion.percent = round(100 * suggestion.score)
    return render(
        request,
        "evidence/suggestions.html",
        _context(
            request,
            study,
            code=code,
            code_name=code.name_in(get_language()),
            pending=pending,
            rates=queries.suggestion_rates(request.user, study),
        ),
    )


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, study: int, suggestion: int) -> HttpResponse:
    study = _study(request, study, *access.EDITORS)
    suggestion = queries.suggestion_for(request.user, study, suggestion)
    try:
        actions.suggestion_decide(
            actor=request.user, suggestion=suggestion, accept=request.POST.get("accept") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("evidence:suggestions", study.pk, suggestion.code_id)


# Names (pseudonymisation)


@login_required
def pseudonyms(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study, StudyRole.LEAD)
    form = PseudonymForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("delete", "").isdigit():
            entry = study.pseudonyms.filter(pk=int(request.POST["delete"])).first()
            if entry is not None:
                actions.pseudonym_delete(actor=request.user, pseudonym=entry)
                messages.success(request, _("Name removed from the list."))
            return redirect("evidence:pseudonyms", study.pk)
        if form.is_valid():
            try:
                actions.pseudonym_create(actor=request.user, study=study, **form.cleaned_data)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Name added to the list."))
                return redirect("evidence:pseudonyms", study.pk)
    return render(
        request,
        "evidence/pseudonyms.html",
        _context(
            request,
            study,
            form=form,
            entries=queries.pseudonyms_for(request.user, study),
            occurrences=analysis.uncoded_names(request.user, study)
            if "check" in request.GET
            else None,
        ),
    )


# Exchange with other analysis programs (REFI-QDA)


def _refuse_large_exchange(request: HttpRequest) -> HttpResponse:
    return _refuse_large_upload(request)


@size_limited(lambda: UPLOAD_MAX_BYTES, _refuse_large_exchange)
@login_required
def exchange(request: HttpRequest, study: int) -> HttpResponse:
    study = _study(request, study)
    form = ExchangeImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        access.require(request.user, study, *access.EDITORS)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            importer = (
                refiqda.import_codebook
                if upload.name.lower().endswith(".qdc")
                else refiqda.import_project
            )
            try:
                report = importer(actor=request.user, study=study, data=upload.read())
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Import complete."))
    return render(
        request, "evidence/exchange.html", _context(request, study, form=form, report=report)
    )


@login_required
def exchange_export(request: HttpRequest, study: int, kind: str) -> HttpResponse:
    study = _study(request, study)
    if kind == "codebook.qdc":
        body = refiqda.export_codebook(study)
        content_type = "application/xml"
    elif kind == "project.qdpx":
        as_is = request.GET.get("names") == "original"
        if as_is:
            access.require(request.user, study, StudyRole.LEAD)
        body = refiqda.export_project(study, actor=request.user, pseudonymised=not as_is)
        queries.log_transcript_read(request.user, study, "project export")
        content_type = "application/zip"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-{kind}"'
    return response


@login_required
@require_POST
def codebook_template(request: HttpRequest, study: int) -> HttpResponse:
    """Start an empty codebook from the network's template (the seed's structure)."""
    study = _study(request, study, *access.EDITORS)
    if study.codes.exists():
        messages.error(request, _("The template only starts an empty codebook."))
    else:
        with transaction.atomic():
            created = apply_template(actor=request.user, study=study)
        messages.success(
            request, _("%(count)s codes added from the template.") % {"count": len(created)}
        )
    return redirect("evidence:codebook", study.pk)
