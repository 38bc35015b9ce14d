from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chorus.core.models import Region
from chorus.evidence.extraction import SUPPORTED_SUFFIXES
from chorus.evidence.models import (
    InterviewMode,
    PseudonymKind,
    QuoteMode,
    SourceKind,
    StudyRole,
)
from chorus.network.forms import DATE_WIDGET

LANGUAGE_CHOICES = [(code, _(name)) for code, name in settings.LANGUAGES]


class StudyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    question = forms.CharField(
        label=_("Research question"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first one chosen is the study's main language."),
    )


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role on the study"), choices=StudyRole.choices)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this name."))
        return user


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(SUPPORTED_SUFFIXES)})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SourceDetailsForm(forms.Form):
    """What describes a source, whether it is being imported or edited."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SourceKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    held_on = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    interviewer = forms.CharField(label=_("Interviewer"), max_length=200, required=False)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=[("", "—"), *InterviewMode.choices], required=False
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"), queryset=None, required=False
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = participants


class SourceImportForm(SourceDetailsForm):
    files = MultipleFileField(label=_("Files"))
    field_order = ["files"]

    def __init__(self, *args, max_files: int, max_megabytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = gettext(
            "Text, Markdown, Word, PDF with a text layer, OpenDocument, HTML, WebVTT or SubRip; "
            "up to %(count)s files and %(size)s MB at a time."
        ) % {"count": max_files, "size": max_megabytes}


class SourceForm(SourceDetailsForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    field_order = ["title"]


def parse_attributes(text: str) -> dict[str, str]:
    """Read "name: value" lines into a dict."""
    attributes = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, separator, value = line.partition(":")
        if not separator or not name.strip():
            raise forms.ValidationError(_("Write one attribute per line as name: value."))
        attributes[name.strip()] = value.strip()
    return attributes


class ParticipantForm(forms.Form):
    pseudonym = forms.CharField(label=_("Pseudonym"), max_length=120)
    real_name = forms.CharField(
        label=_("Real name"),
        required=False,
        help_text=_("Secret: encrypted, shown only to the study's leads."),
    )
    contact = forms.CharField(
        label=_("Contact details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    organisation_name = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    role_title = forms.CharField(label=_("Role or title"), max_length=200, required=False)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", "—"), *Region.choices], required=False
    )
    attributes = forms.CharField(
        label=_("Other attributes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as name: value (for example, age group: 30-39)."),
    )

    def clean_attributes(self):
        return parse_attributes(self.cleaned_data["attributes"])


class ConsentForm(forms.Form):
    given_on = forms.DateField(label=_("Date of consent"), widget=DATE_WIDGET)
    recorded = forms.BooleanField(label=_("Consented to recording"), required=False)
    quote_mode = forms.ChoiceField(
        label=_("May be quoted"), choices=QuoteMode.choices, widget=forms.RadioSelect
    )
    approval_required = forms.BooleanField(label=_("Must approve quotes"), required=False)
    notes = forms.CharField(
        label=_("Notes on the consent form"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CodeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ModelChoiceField(label=_("Under"), queryset=None, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    colour = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#1f77b4",
        widget=forms.TextInput({"type": "color"}),
    )

    def __init__(self, *args, codes, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = codes
        self.languages = [code for code in languages if code != "en"]
        names = dict(LANGUAGE_CHOICES)
        for language in self.languages:
            self.fields[f"name_{language}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": names[language]},
                max_length=200,
                required=False,
            )

    def translations(self) -> dict[str, str]:
        return {lang: self.cleaned_data.get(f"name_{lang}", "") for lang in self.languages}


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=None)

    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = codes


class CodingForm(forms.Form):
    """Code a span: the script fills start and end; without it, a paragraph and its words."""

    codes = forms.ModelMultipleChoiceField(
        label=_("Codes"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    paragraph = forms.IntegerField(label=_("Paragraph"), required=False, min_value=1)
    words = forms.CharField(
        label=_("Words to code"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Copy the passage from the paragraph; leave empty to code the whole paragraph."
        ),
    )

    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].queryset = codes

    def clean(self):
        data = super().clean()
        has_span = data.get("start") is not None and data.get("end") is not None
        if not has_span and not data.get("paragraph"):
            raise forms.ValidationError(_("Select some text, or name a paragraph."))
        return data


class MemoForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text = forms.CharField(label=_("Memo"), widget=forms.Textarea(attrs={"rows": 4}))


class SegmentFilterForm(forms.Form):
    include_children = forms.BooleanField(
        label=_("Include sub-codes"), required=False, initial=True
    )
    source_kind = forms.ChoiceField(
        label=_("Kind of source"), choices=[("", "—"), *SourceKind.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), *LANGUAGE_CHOICES], required=False
    )
    coder = forms.ModelChoiceField(label=_("Coder"), queryset=None, required=False)
    region = forms.ChoiceField(
        label=_("Participants' region"), choices=[("", "—"), *Region.choices], required=False
    )
    attribute = forms.CharField(
        label=_("Participant attribute"),
        required=False,
        help_text=_("As name: value, for example age group: 30-39."),
    )

    def __init__(self, *args, coders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coder"].queryset = coders

    def clean_attribute(self):
        value = self.cleaned_data["attribute"]
        return parse_attributes(value) if value.strip() else {}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=1000, required=False)


class AgreementForm(forms.Form):
    coder_a = forms.ModelChoiceField(label=_("First coder"), queryset=None)
    coder_b = forms.ModelChoiceField(label=_("Second coder"), queryset=None)

    def __init__(self, *args, coders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coder_a"].queryset = coders
        self.fields["coder_b"].queryset = coders

    def clean(self):
        data = super().clean()
        if data.get("coder_a") and data.get("coder_a") == data.get("coder_b"):
            raise forms.ValidationError(_("Choose two different coders."))
        return data


class FrequencyForm(forms.Form):
    by = forms.CharField(label=_("Compare by"), required=False, initial="region")


class PseudonymForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PseudonymKind.choices)
    real = forms.CharField(label=_("Real name"), max_length=300)
    replacement = forms.CharField(label=_("Replacement"), max_length=200)


class ExchangeImportForm(forms.Form):
    file = forms.FileField(
        label=_("REFI-QDA project or codebook"),
        help_text=_("A .qdpx project or a .qdc codebook exported by another analysis program."),
    )
