from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.core.models import Region
from chorus.network.forms import DATE_WIDGET, CountryChoiceField
from chorus.network.models import Country
from chorus.outcomes.models import Agreement, Body, Label, Outcome


class OutcomeForm(forms.ModelForm):
    country = CountryChoiceField(label=_("Where"), queryset=Country.objects.all(), required=False)

    class Meta:
        model = Outcome
        fields = [
            "title",
            "social_actor",
            "social_actor_text",
            "change",
            "kind",
            "occurred_on",
            "country",
            "level",
            "significance",
            "contribution",
            "engagements",
            "evidence",
            "direction",
        ]
        widgets = {
            "occurred_on": DATE_WIDGET,
            "change": forms.Textarea(attrs={"rows": 3}),
            "significance": forms.Textarea(attrs={"rows": 3}),
            "contribution": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "engagements": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, actors, engagements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["social_actor"].queryset = actors
        self.fields["engagements"].queryset = engagements


class SubstantiationRequestForm(forms.Form):
    substantiator = forms.ModelChoiceField(label=_("Substantiator"), queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substantiator"].queryset = people


class SubstantiationForm(forms.Form):
    substantiation = forms.IntegerField(widget=forms.HiddenInput)
    description = forms.ChoiceField(label=_("Description"), choices=Agreement.choices)
    significance = forms.ChoiceField(label=_("Significance"), choices=Agreement.choices)
    contribution = forms.ChoiceField(label=_("Contribution"), choices=Agreement.choices)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecommendationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    relevant = forms.ChoiceField(
        label=_("Concerns sex work"),
        required=False,
        choices=[("yes", _("Yes")), ("no", _("No")), ("", _("All"))],
    )
    body = forms.ChoiceField(label=_("Body"), required=False)
    label = forms.ChoiceField(label=_("Label"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1945, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("All bodies")), *Body.choices]
        self.fields["label"].choices = [("", _("All labels")), *Label.choices]


class TrendsFilterForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("All bodies")), *Body.choices]
        self.fields["region"].choices = [("", _("All regions")), *Region.choices]


class ReviewForm(forms.Form):
    label = forms.ChoiceField(
        label=_("Label"),
        choices=[choice for choice in Label.choices if choice[0] != Label.UNKNOWN],
    )


class RecommendationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "A Universal Human Rights Index export (CSV, XLSX or JSON, with at least a Text "
            "column), or a treaty-body document as JSON paragraphs."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Numbered paragraphs (“12. …”) are split by number, others at blank lines."),
    )
    symbol = forms.CharField(
        label=_("Document symbol (for pasted text)"), required=False, max_length=120
    )
    body = forms.ChoiceField(label=_("Body (for pasted text)"), required=False)
    country = CountryChoiceField(
        label=_("Country (for pasted text)"), queryset=Country.objects.all(), required=False
    )
    year = forms.IntegerField(
        label=_("Year (for pasted text)"), required=False, min_value=1945, max_value=2100
    )
    valid_only = forms.BooleanField(label=_("Import only the valid paragraphs"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", "—"), *Body.choices]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("text", "").strip()):
            raise forms.ValidationError(_("Choose a file or paste text, not both."))
        if cleaned.get("text", "").strip() and not (cleaned.get("symbol") and cleaned.get("body")):
            raise forms.ValidationError(_("Pasted text needs its document symbol and body."))
        return cleaned
