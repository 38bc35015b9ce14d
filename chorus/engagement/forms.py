from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.core.models import Region
from chorus.engagement.models import (
    Barrier,
    Engagement,
    EngagementKind,
    Event,
    Level,
    Platform,
    Strategy,
)
from chorus.network.forms import DATE_WIDGET, CountryChoiceField
from chorus.network.models import Country


class EngagementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    platform = forms.TypedChoiceField(
        label=_("Platform"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(label=_("What was done"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1980, max_value=2100)
    strategy = forms.ChoiceField(label=_("Strategy"), required=False)
    barrier = forms.ChoiceField(label=_("Barrier"), required=False)

    def __init__(self, *args, platforms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", _("All platforms"))] + [
            (platform.pk, platform.name) for platform in platforms
        ]
        self.fields["kind"].choices = [("", _("Anything")), *EngagementKind.choices]
        self.fields["level"].choices = [("", _("All levels")), *Level.choices]
        self.fields["region"].choices = [("", _("All regions")), *Region.choices]
        self.fields["strategy"].choices = [("", _("Any strategy")), *Strategy.choices]
        self.fields["barrier"].choices = [("", _("Any barrier")), *Barrier.choices]


class EngagementForm(forms.ModelForm):
    strategies = forms.MultipleChoiceField(
        label=_("Strategies used"),
        required=False,
        choices=Strategy.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    barriers = forms.MultipleChoiceField(
        label=_("Barriers met"),
        required=False,
        choices=Barrier.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Engagement
        fields = [
            "title",
            "organisation",
            "kind",
            "platform",
            "event",
            "level",
            "start",
            "end",
            "description",
            "partners",
            "people",
            "strategies",
            "barriers",
            "links",
        ]
        widgets = {
            "start": DATE_WIDGET,
            "end": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
            "links": forms.Textarea(attrs={"rows": 2}),
            "partners": forms.SelectMultiple(attrs={"size": 6}),
            "people": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, organisations, partners, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["partners"].queryset = partners
        self.fields["people"].queryset = people
        self.fields["platform"].queryset = Platform.objects.all()
        self.fields["event"].queryset = Event.objects.select_related("platform")
        self.fields["platform"].required = False
        self.fields["event"].required = False

    def clean_links(self) -> str:
        validator = forms.URLField(assume_scheme="https")
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        return "\n".join(validator.clean(line) for line in lines)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("platform") and not cleaned.get("event"):
            raise forms.ValidationError(_("Say where it happened: choose a platform or an event."))
        return cleaned


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class PlatformForm(forms.ModelForm):
    class Meta:
        model = Platform
        fields = ["name", "kind", "level", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class EventForm(forms.ModelForm):
    country = CountryChoiceField(label=_("Country"), queryset=Country.objects.all(), required=False)
    interpretation = forms.CharField(
        label=_("Interpretation offered in"),
        required=False,
        max_length=200,
        help_text=_("Language codes separated by commas, e.g. en, fr, es."),
    )

    class Meta:
        model = Event
        fields = ["name", "session_number", "start", "end", "place", "country", "online"]
        widgets = {"start": DATE_WIDGET, "end": DATE_WIDGET}

    def clean_interpretation(self) -> list[str]:
        raw = self.cleaned_data["interpretation"].replace(";", ",")
        return [code.strip().lower() for code in raw.split(",") if code.strip()]
