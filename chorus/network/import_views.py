"""Thin views for importing the member registry from a file and downloading it as one."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chorus.core.scoping import Scope
from chorus.core.uploads import size_limited
from chorus.network import exporting, importing
from chorus.network.forms import OrganisationFilterForm

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 64 * 1024
# The results page shows this many problems; the command line prints them all.
PROBLEMS_SHOWN = 500


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV or XLSX, with the column names in the first row."),
    )
    valid_only = forms.BooleanField(
        label=gettext_lazy("Import only the valid rows"),
        required=False,
        help_text=gettext_lazy(
            "Rows with problems are left out; without this, nothing is "
            "imported while any row has a problem."
        ),
    )


class ExportForm(OrganisationFilterForm):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("csv", "CSV"), ("xlsx", "XLSX")],
    )


def _render(request: HttpRequest, form: ImportForm, **context) -> HttpResponse:
    status = context.pop("status", 200)
    context = {"form": form, "max_mb": importing.max_bytes() // (1024 * 1024), **context}
    report = context.get("report")
    if report is not None:
        errors = report.sorted_errors()
        context["errors"] = errors[:PROBLEMS_SHOWN]
        context["errors_hidden"] = max(0, len(errors) - PROBLEMS_SHOWN)
        context["warnings"] = report.sorted_warnings()[:PROBLEMS_SHOWN]
    return render(request, "network/import.html", context, status=status)


def _import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > importing.max_bytes():
        form.add_error("file", _("The file is too large."))
        return _render(request, form, status=413)
    dry_run = request.POST.get("action") != "import"
    report = importing.members_import(
        actor=request.user,
        data=upload.read(),
        filename=upload.name,
        dry_run=dry_run,
        valid_only=form.cleaned_data["valid_only"],
    )
    return _render(request, ImportForm(), report=report, dry_run=dry_run)


def _too_large(request: HttpRequest) -> HttpResponse:
    refused = _("The file is larger than %(size)s MB; split it into smaller files.") % {
        "size": importing.max_bytes() // (1024 * 1024)
    }
    return _render(request, ImportForm(), refused=refused, status=413)


@size_limited(lambda: importing.max_bytes() + FORM_OVERHEAD, _too_large)
@login_required
def import_members(request: HttpRequest) -> HttpResponse:
    """Show the upload form; check or import an uploaded file (the secretariat only)."""
    if not Scope.of(request.user).is_everything:
        raise PermissionDenied
    if request.method != "POST":
        return _render(request, ImportForm())
    return _import_upload(request)


@login_required
def export_members(request: HttpRequest) -> HttpResponse:
    """Download the organisations the user may see, with the registry list's filters applied."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The export filters are not valid."))
    data = form.cleaned_data
    file_format = data.get("format") or "csv"
    content = exporting.export_members(
        request.user,
        file_format=file_format,
        search=data.get("q", ""),
        region=data.get("region", ""),
        country=data.get("country", ""),
        kind=data.get("kind", ""),
        tier=data.get("tier", ""),
        status=data.get("status", ""),
    )
    response = HttpResponse(content, content_type=exporting.CONTENT_TYPES[file_format])
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="members-{stamp}.{file_format}"'
    return response
