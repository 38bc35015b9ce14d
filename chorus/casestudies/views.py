"""Thin views of case studies: the reader's page, the editor, quotes, review and exports."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.casestudies import actions, exports, queries
from chorus.casestudies.default_template import ensure_default_template
from chorus.casestudies.models import (
    AssignmentRole,
    PublishedCopy,
    Status,
    Template,
    TranslationStatus,
)
from chorus.casestudies.rendering import render_document
from chorus.evidence import access as evidence_access
from chorus.evidence import analysis
from chorus.evidence.models import StudyRole
from chorus.network.forms import DATE_WIDGET
from chorus.network.views import add_form_errors

LANGUAGES = [(code, gettext_lazy(name)) for code, name in settings.LANGUAGES]
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}


class CaseStudyForm(forms.Form):
    study = forms.ModelChoiceField(label=gettext_lazy("Study"), queryset=None)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    slug = forms.SlugField(
        label=gettext_lazy("Short name"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("Used in addresses and file names; made from the title if empty."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Main language"), choices=LANGUAGES)
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    authors = forms.CharField(label=gettext_lazy("Authors"), max_length=500, required=False)
    dated = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DATE_WIDGET)
    template = forms.ModelChoiceField(
        label=gettext_lazy("Template"), queryset=Template.objects.all(), required=False
    )

    def __init__(self, *args, studies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = studies


TEMPLATE_LANGUAGES = ["en", "fr", "es", "ru", "zh-hans"]


def template_lines(sections: list[dict]) -> str:
    """Write a template's sections one per line: key | English | French | ... | Chinese."""
    return "\n".join(
        " | ".join([spec["key"], *(spec["titles"].get(lang, "") for lang in TEMPLATE_LANGUAGES)])
        for spec in sections
    )


def parse_template_lines(text: str) -> list[dict]:
    sections = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise forms.ValidationError(
                _("Line %(number)s: write the key, then | and the English title.")
                % {"number": number}
            )
        titles = dict(zip(TEMPLATE_LANGUAGES, cells[1:], strict=False))
        sections.append({"key": cells[0], "titles": {k: v for k, v in titles.items() if v}})
    return sections


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    sections = forms.CharField(
        label=gettext_lazy("Sections"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "One section per line: key | English title | French | Spanish | Russian | Chinese. "
            "Titles other than English may be left empty."
        ),
    )

    def clean_sections(self):
        return parse_template_lines(self.cleaned_data["sections"])


class DetailsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    authors = forms.CharField(label=gettext_lazy("Authors"), max_length=500, required=False)
    dated = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DATE_WIDGET)


class SectionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    body = forms.CharField(
        label=gettext_lazy("Text (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Translation status"), choices=TranslationStatus.choices
    )


def _language(request: HttpRequest, case_study) -> str:
    language = request.GET.get("lang") or request.POST.get("lang") or get_language()
    return language if language in LANGUAGE_CODES else case_study.language


def _editable_studies(user):
    studies = evidence_access.studies_visible_to(user)
    return [s for s in studies if evidence_access.role_in(user, s) in evidence_access.EDITORS]


@login_required
def case_study_list(request: HttpRequest) -> HttpResponse:
    editable = _editable_studies(request.user)
    ensure_default_template()
    form = CaseStudyForm(
        request.POST or None,
        studies=evidence_access.studies_visible_to(request.user).filter(
            pk__in=[s.pk for s in editable]
        ),
        initial={"language": get_language()},
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            values = dict(form.cleaned_data)
            values["template"] = values["template"] or ensure_default_template()
            try:
                case_study = actions.casestudy_create(actor=request.user, **values)
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Case study started from the template."))
                return redirect("casestudies:detail", case_study.slug)
    return render(
        request,
        "casestudies/list.html",
        {
            "case_studies": queries.case_studies_for(request.user),
            "form": form,
            "may_create": bool(editable),
        },
    )


def _context(request: HttpRequest, case_study, **extra) -> dict:
    role = evidence_access.role_in(request.user, case_study.study)
    return {
        "case_study": case_study,
        "role": role,
        "can_edit": role in evidence_access.EDITORS,
        "is_lead": role == StudyRole.LEAD,
        "languages": LANGUAGES,
        **extra,
    }


@login_required
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The document as a reader sees it in one language, with the gate and the workflow."""
    case_study = queries.case_study_for(request.user, slug)
    language = _language(request, case_study)
    document = render_document(request.user, case_study, language)
    languages_present = actions.languages_of(case_study)
    return render(
        request,
        "casestudies/detail.html",
        _context(
            request,
            case_study,
            document=document,
            language=language,
            matrix=queries.translation_matrix(case_study, LANGUAGE_CODES),
            languages_present=languages_present,
            assignments=case_study.assignments.select_related("user"),
            team=get_user_model().objects.filter(study_memberships__study=case_study.study),
            assignment_roles=AssignmentRole.choices,
        ),
    )


@login_required
def section_edit(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    language = _language(request, case_study)
    section = case_study.sections.filter(key=key).first()
    if section is None:
        raise Http404
    texts = {text.language: text for text in section.texts.all()}
    current = texts.get(language)
    reference = texts.get(case_study.language) if language != case_study.language else None
    initial = {
        "title": current.title if current else (reference.title if reference else key),
        "body": current.body if current else "",
        "status": current.status if current else TranslationStatus.TRANSLATED,
    }
    form = SectionForm(request.POST or None, initial=initial)
    may_edit = actions.may_edit_text(request.user, case_study, language)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.section_text_save(
                    actor=request.user,
                    case_study=case_study,
                    key=key,
                    language=language,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Section saved."))
                return redirect(
                    f"{reverse('casestudies:detail', args=[slug])}?lang={language}#{key}"
                )
    return render(
        request,
        "casestudies/section_edit.html",
        _context(
            request,
            case_study,
            section=section,
            language=language,
            form=form,
            may_edit=may_edit,
            reference=reference,
            comments=section.comments.select_related("author"),
            history=queries.history_for(request.user, case_study, key, language),
        ),
    )


@login_required
@require_POST
def section_add(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    try:
        actions.section_add(
            actor=request.user,
            case_study=case_study,
            key=request.POST.get("key", "").strip(),
            title=request.POST.get("title", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("casestudies:detail", slug)


@login_required
@require_POST
def comment_add(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    language = _language(request, case_study)
    try:
        actions.comment_add(
            actor=request.user,
            case_study=case_study,
            key=key,
            text=request.POST.get("text", ""),
            language=language,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('casestudies:section_edit', args=[slug, key])}?lang={language}")


@login_required
@require_POST
def comment_resolve(request: HttpRequest, slug: str, comment: int) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    found = queries.comment_in(request.user, case_study, comment)
    actions.comment_resolve(actor=request.user, comment=found)
    return redirect(
        f"{reverse('casestudies:section_edit', args=[slug, found.section.key])}"
        f"?lang={found.language or case_study.language}"
    )


@login_required
def quotes(request: HttpRequest, slug: str) -> HttpResponse:
    """Pick coded segments to quote, translate them, and record speakers' approvals."""
    case_study = queries.case_study_for(request.user, slug)
    study = case_study.study
    codes = list(study.codes.order_by("position", "name"))
    code_id = request.GET.get("code", "")
    chosen = [int(code_id)] if code_id.isdigit() else [code.pk for code in codes]
    raw_page = request.GET.get("page", "1")
    segments = analysis.segments_for(
        request.user,
        study,
        code_ids=chosen,
        page=int(raw_page) if raw_page.isdigit() else 1,
        per_page=20,
    )
    ids = [segment.coding_id for segment in segments.segments]
    notes = queries.quote_notes(request.user, case_study, ids)
    rows = [{"segment": segment, **notes[segment.coding_id]} for segment in segments.segments]
    return render(
        request,
        "casestudies/quotes.html",
        _context(
            request,
            case_study,
            codes=codes,
            code_id=code_id,
            segments=segments,
            rows=rows,
            sections=case_study.sections.order_by("position"),
            other_languages=[c for c in LANGUAGE_CODES],
        ),
    )


@login_required
@require_POST
def quote_insert(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a quote element at the end of a section (the no-script way to place a quote)."""
    case_study = queries.case_study_for(request.user, slug)
    language = _language(request, case_study)
    key = request.POST.get("section", "")
    coding_id = request.POST.get("coding", "")
    section = case_study.sections.filter(key=key).first()
    if section is None or not coding_id.isdigit():
        raise Http404
    text = section.texts.filter(language=language).first()
    body = (text.body.rstrip() + "\n\n") if text and text.body.strip() else ""
    try:
        actions.section_text_save(
            actor=request.user,
            case_study=case_study,
            key=key,
            language=language,
            title=text.title if text else key,
            body=body + f"{{{{ quote {int(coding_id)} }}}}\n",
            status=text.status if text else TranslationStatus.TRANSLATED,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casestudies:quotes", slug)
    messages.success(request, _("Quote added at the end of the section."))
    return redirect(f"{reverse('casestudies:section_edit', args=[slug, key])}?lang={language}")


@login_required
@require_POST
def quote_translate(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    coding = _coding(request, case_study)
    try:
        actions.quote_translation_save(
            actor=request.user,
            coding=coding,
            language=request.POST.get("language", ""),
            text=request.POST.get("text", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Translation saved."))
    return redirect("casestudies:quotes", slug)


@login_required
@require_POST
def quote_approve(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    coding = _coding(request, case_study)
    try:
        approved_on = forms.DateField().clean(request.POST.get("approved_on", ""))
        actions.quote_approval_record(actor=request.user, coding=coding, approved_on=approved_on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The speaker's approval is recorded."))
    return redirect("casestudies:quotes", slug)


def _coding(request: HttpRequest, case_study):
    return queries.coding_in(request.user, case_study, request.POST.get("coding", ""))


@login_required
@require_POST
def transition(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    steps = {
        "submit": actions.casestudy_submit,
        "approve": actions.casestudy_approve,
        "publish": actions.casestudy_publish,
        "reopen": actions.casestudy_reopen,
    }
    if step not in steps:
        raise Http404
    try:
        steps[step](actor=request.user, case_study=case_study)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Status: %(status)s.") % {"status": case_study.get_status_display()}
        )
    return redirect("casestudies:detail", slug)


@login_required
@require_POST
def assignment_add(request: HttpRequest, slug: str) -> HttpResponse:
    case_study = queries.case_study_for(request.user, slug)
    user = get_user_model().objects.filter(pk=request.POST.get("user") or 0).first()
    if user is None:
        messages.error(request, _("Choose a person."))
        return redirect("casestudies:detail", slug)
    try:
        actions.assignment_set(
            actor=request.user,
            case_study=case_study,
            user=user,
            role=request.POST.get("role", ""),
            language=request.POST.get("language", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("casestudies:detail", slug)


@login_required
def export(request: HttpRequest, slug: str, language: str, fmt: str) -> HttpResponse:
    """Download the document; a publication copy only when the gate is open."""
    case_study = queries.case_study_for(request.user, slug)
    if fmt not in FORMATS or language not in LANGUAGE_CODES:
        raise Http404
    draft = request.GET.get("draft") == "1" or case_study.status not in (
        Status.APPROVED,
        Status.PUBLISHED,
    )
    try:
        body = exports.export(request.user, case_study, language, fmt, draft=draft)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casestudies:detail", slug)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    suffix = "-draft" if draft else ""
    if fmt != "html" or request.GET.get("download"):
        response["Content-Disposition"] = (
            f'attachment; filename="{case_study.slug}-{language}{suffix}.{fmt}"'
        )
    return response


@login_required
def templates(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """List the document templates; edit one or add another (as text, one section a line)."""
    ensure_default_template()
    may_edit = evidence_access.may_create_study(request.user)
    template = Template.objects.filter(pk=pk).first() if pk else None
    if pk and template is None:
        raise Http404
    initial = (
        {"name": template.name, "sections": template_lines(template.sections)} if template else {}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.template_save(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    sections=form.cleaned_data["sections"],
                    template=template,
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Template saved."))
                return redirect("casestudies:templates")
    return render(
        request,
        "casestudies/templates.html",
        {
            "templates": Template.objects.all(),
            "form": form,
            "template": template,
            "may_edit": may_edit,
        },
    )


@login_required
def details(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the title and summary (in the main language, or as a translation) and the credits."""
    case_study = queries.case_study_for(request.user, slug)
    language = _language(request, case_study)
    main = language == case_study.language
    if main:
        initial = {
            "title": case_study.title,
            "summary": case_study.summary,
            "authors": case_study.authors,
            "dated": case_study.dated,
        }
    else:
        initial = {
            "title": case_study.title_in(language) if language in case_study.translations else "",
            "summary": case_study.summary_in(language)
            if language in case_study.translations
            else "",
        }
    form = DetailsForm(request.POST or None, initial=initial)
    if not main:
        del form.fields["authors"], form.fields["dated"]
        form.fields["title"].required = False
    if request.method == "POST":
        if not actions.may_edit_text(request.user, case_study, language):
            raise PermissionDenied
        if form.is_valid():
            try:
                if main:
                    actions.casestudy_update(
                        actor=request.user, case_study=case_study, **form.cleaned_data
                    )
                else:
                    actions.casestudy_translate_title(
                        actor=request.user,
                        case_study=case_study,
                        language=language,
                        title=form.cleaned_data["title"],
                        summary=form.cleaned_data["summary"],
                    )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, _("Details saved."))
                return redirect(f"{reverse('casestudies:detail', args=[slug])}?lang={language}")
    return render(
        request,
        "casestudies/details.html",
        _context(request, case_study, form=form, language=language, main=main),
    )


# Published case studies are public: allies and members read them without an account.


def public_list(request: HttpRequest) -> HttpResponse:
    """List what is published, from the frozen copies: later unpublished edits never show."""
    copies = PublishedCopy.objects.filter(
        case_study__status=Status.PUBLISHED, case_study__withdrawal_flag=""
    ).order_by("-published_at", "language")
    entries: dict[int, dict] = {}
    for copy in copies.values("case_study_id", "case_study__slug", "language", "title"):
        entry = entries.setdefault(
            copy["case_study_id"],
            {"slug": copy["case_study__slug"], "title": copy["title"], "languages": []},
        )
        entry["languages"].append((copy["language"], copy["title"]))
    return render(request, "casestudies/public_list.html", {"entries": entries.values()})


def public_detail(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """Serve the copy frozen at publication, as one self-contained page."""
    copy = (
        PublishedCopy.objects.filter(
            case_study__slug=slug,
            case_study__status=Status.PUBLISHED,
            case_study__withdrawal_flag="",
            language=language,
        )
        .only("html")
        .first()
    )
    if copy is None:
        raise Http404
    page = copy.html.encode("utf-8")
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    # The page carries its own style sheet; allow exactly that one by its hash, nothing else.
    hashes = exports.style_hashes(page)
    response._csp_update = {"style-src": hashes}
    return response
