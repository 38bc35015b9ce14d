"""Thin views for the statement check and the secretariat's lexicon editor."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from chorus.core.scoping import Scope
from chorus.core.uploads import size_limited
from chorus.stakeholders import statements
from chorus.stakeholders.actions import lexicon_update

# Room for the form's other fields and the multipart boundaries around the file or text.
FORM_OVERHEAD = 64 * 1024
# The largest request a valid form can make: a 2 MB file, or 200 000 characters of text sent as
# UTF-8 (at most 4 bytes each, under 2 MB too).
MAX_REQUEST_BYTES = max(statements.MAX_FILE_BYTES, 4 * statements.MAX_TEXT_CHARS) + FORM_OVERHEAD
# Places listed per group and per flagged term; the marked-up statement shows every one.
PLACES_SHOWN = 3
POSITIONS_SHOWN = 50


def _language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


class StatementForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Statement"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Paste the draft statement, up to 200 000 characters."),
    )
    file = forms.FileField(
        label=gettext_lazy("Or choose a file"),
        required=False,
        help_text=gettext_lazy(
            "Plain text (.txt, .md) in any encoding, or Word (.docx); up to 2 MB."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the statement"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = _language_names()
        self.fields["language"].choices = [("", _("Detect automatically"))] + [
            (code, names.get(code, code)) for code in statements.LANGUAGES
        ]

    def clean_text(self) -> str:
        # Browsers send a textarea's line breaks as CRLF; offsets count what the user typed (LF).
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        if len(text) > statements.MAX_TEXT_CHARS:
            raise ValidationError(statements.too_long_message(len(text)))
        return text

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        text, upload = data.get("text", ""), data.get("file")
        if upload and text.strip():
            raise ValidationError(_("Paste the text or choose a file, not both."))
        if not upload and not text.strip():
            raise ValidationError(_("Paste the statement or choose a file."))
        if upload is None:
            data["statement"] = text
            return data
        if upload.size > statements.MAX_FILE_BYTES:
            self.add_error("file", statements.too_large_message())
            return data
        try:
            data["statement"] = statements.read_statement_file(upload.name, upload.read())
        except statements.StatementFileError as error:
            self.add_error("file", str(error))
        return data


@dataclass
class _FlagRow:
    """One flagged term in the table, with every place it occurs."""

    number: int
    flag: statements.Flag
    places: list[tuple[int, int]] = field(default_factory=list)  # (mark number, offset)

    @property
    def hidden(self) -> int:
        return max(0, len(self.places) - POSITIONS_SHOWN)

    @property
    def shown(self) -> list[tuple[int, int]]:
        return self.places[:POSITIONS_SHOWN]


def _report_context(text: str, report: statements.Report) -> dict:
    # Group labels in the page's language where its lexicon has the same key.
    labels = statements.group_labels(get_language() or report.language)
    named = []
    for group in report.groups_named:
        places = [
            (match, *statements.context_of(text, match.start, match.end))
            for match in group.matches[:PLACES_SHOWN]
        ]
        named.append(
            {
                "key": group.key,
                "label": labels.get(group.key, group.label),
                "count": group.count,
                "places": places,
                "hidden": max(0, group.count - PLACES_SHOWN),
            }
        )
    left_out = [
        {"key": group.key, "label": labels.get(group.key, group.label)}
        for group in report.groups_left_out
    ]
    # One row per lexicon term, so a phrase repeated fifty times does not make fifty rows.
    rows: dict[tuple[str, str], _FlagRow] = {}
    for number, flag in enumerate(report.flags, start=1):
        row = rows.setdefault((flag.key, flag.term), _FlagRow(number=len(rows) + 1, flag=flag))
        row.places.append((number, flag.start))
    return {
        "report": report,
        "language_name": _language_names().get(report.language, report.language),
        "groups_named": named,
        "groups_left_out": left_out,
        "flag_rows": list(rows.values()),
        "marked_text": statements.highlight(text, report.flags),
    }


def _render(request: HttpRequest, form: StatementForm, **context) -> HttpResponse:
    status = context.pop("status", 200)
    context = {
        "form": form,
        "can_edit_lexicon": Scope.of(request.user).is_everything,
        "languages": statements.LANGUAGES,
        **context,
    }
    return render(request, "stakeholders/statement_check.html", context, status=status)


def _check(request: HttpRequest) -> HttpResponse:
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=400)
    text = form.cleaned_data["statement"]
    report = statements.check_statement(text, language=form.cleaned_data["language"] or None)
    context = _report_context(text, report)
    upload = form.cleaned_data.get("file")
    if upload is not None:
        # The file's text is not put back in the textarea: the report shows it, marked up.
        form = StatementForm(initial={"language": form.cleaned_data["language"]})
        context["filename"] = upload.name
    return _render(request, form, **context)


# Demo statements a visitor can load into the form to see what the check reports.
EXAMPLES = {"covid-2020": Path(__file__).resolve().parent / "examples" / "covid-2020.en.txt"}


def _too_large(request: HttpRequest) -> HttpResponse:
    refused = _(
        "The statement is too large: files up to %(size)s MB and text up to %(limit)s "
        "characters. Check it in parts."
    ) % {
        "size": statements.MAX_FILE_BYTES // (1024 * 1024),
        "limit": statements.format_count(statements.MAX_TEXT_CHARS),
    }
    return _render(request, StatementForm(), refused=refused, status=413)


@size_limited(lambda: MAX_REQUEST_BYTES, _too_large)
@login_required
def statement_check(request: HttpRequest) -> HttpResponse:
    """Check a pasted or uploaded statement: groups named and left out, language to change."""
    if request.method != "POST":
        example = EXAMPLES.get(request.GET.get("example", ""))
        initial = {"text": example.read_text(encoding="utf-8")} if example else None
        return _render(request, StatementForm(initial=initial))
    return _check(request)


class LexiconForm(forms.Form):
    data = forms.CharField(
        label=gettext_lazy("Lexicon (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
        help_text=gettext_lazy(
            "“groups” is the reference list a statement should name; “flags” is the language to "
            "change, each with a suggestion. A word ending in * matches any ending."
        ),
    )

    def clean_data(self):
        try:
            return json.loads(self.cleaned_data["data"])
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("This is not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
                % {"problem": error.msg, "line": error.lineno, "column": error.colno}
            ) from error


def _missing_group_keys(language: str, data: dict) -> list[str]:
    """Group keys other languages have and this lexicon lacks (reports compare by key)."""
    own = {group.get("key") for group in data.get("groups", []) if isinstance(group, dict)}
    elsewhere: set[str] = set()
    for other in statements.LANGUAGES:
        if other != language:
            elsewhere.update(group["key"] for group in statements.lexicon_for(other)["groups"])
    return sorted(elsewhere - own)


@login_required
def lexicon_edit(request: HttpRequest, language: str) -> HttpResponse:
    """Show and change one language's lexicon (the secretariat only)."""
    if not Scope.of(request.user).is_everything:
        raise PermissionDenied
    if language not in statements.LANGUAGES:
        raise Http404
    status = 200
    if request.method == "POST":
        form = LexiconForm(request.POST)
        if form.is_valid():
            try:
                lexicon_update(
                    actor=request.user, language=language, data=form.cleaned_data["data"]
                )
            except ValidationError as error:
                form.add_error("data", error)
            else:
                messages.success(
                    request,
                    _("The lexicon is saved; the next statement check uses it."),
                )
                return redirect("stakeholders:lexicon_edit", language=language)
        status = 400
    else:
        current = statements.lexicon_for(language)
        form = LexiconForm(initial={"data": json.dumps(current, ensure_ascii=False, indent=2)})
    current = statements.lexicon_for(language)
    context = {
        "form": form,
        "language": language,
        "language_name": _language_names().get(language, language),
        "languages": [(code, _language_names().get(code, code)) for code in statements.LANGUAGES],
        "source": statements.lexicon_source(language),
        "missing_keys": _missing_group_keys(language, current),
        "categories": statements.CATEGORIES,
    }
    return render(request, "stakeholders/lexicon_edit.html", context, status=status)
