from __future__ import annotations

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.core.models import Region
from chorus.network.models import (
    Country,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Person,
    Population,
    Position,
    PriorityArea,
    Tier,
)

OTHER_LANGUAGES = [
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
    ("zh-hans", _("Simplified Chinese")),
]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return str(obj)


class CountryMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return str(obj)


def country_choices() -> list[tuple[str, str]]:
    """Countries sorted by their name in the active language."""
    return sorted(((c.code, str(c)) for c in Country.objects.all()), key=lambda item: item[1])


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    region = forms.ChoiceField(label=_("Region"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *Region.choices]
        self.fields["country"].choices = [("", _("All countries")), *country_choices()]
        self.fields["kind"].choices = [("", _("All kinds")), *OrganisationKind.choices]
        self.fields["tier"].choices = [("", _("All tiers")), *Tier.choices]
        self.fields["status"].choices = [("", _("Any status")), *MembershipStatus.choices]


class OrganisationForm(forms.ModelForm):
    country = CountryChoiceField(
        label=_("Country"), queryset=Country.objects.none(), required=False
    )
    other_countries = CountryMultipleChoiceField(
        label=_("Other countries (for networks)"),
        queryset=Country.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    languages = forms.CharField(
        label=_("Working languages"),
        required=False,
        max_length=200,
        help_text=_("Two-letter language codes separated by commas, e.g. en, fr, sw."),
    )
    priority_areas = forms.MultipleChoiceField(
        label=_("Priority areas"),
        required=False,
        choices=PriorityArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    populations = forms.MultipleChoiceField(
        label=_("Works with"),
        required=False,
        choices=Population.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "kind",
            "country",
            "other_countries",
            "website",
            "founded",
            "priority_areas",
            "populations",
            "publicly_listed",
            "sex_worker_led",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, show_confidential: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        countries = Country.objects.all()
        self.fields["country"].queryset = countries
        self.fields["other_countries"].queryset = countries
        for code, label in OTHER_LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": label},
                required=False,
                max_length=300,
            )
            if self.instance.pk:
                self.fields[f"name_{code}"].initial = self.instance.names.get(code, "")
        if self.instance.pk:
            self.fields["languages"].initial = ", ".join(self.instance.working_languages)
        self.order_fields(["name", *[f"name_{code}" for code, _label in OTHER_LANGUAGES]])
        if not show_confidential:
            del self.fields["sex_worker_led"]
            del self.fields["notes"]
        else:
            self.fields["sex_worker_led"].required = False

    def clean_languages(self) -> list[str]:
        codes = [
            code.strip().lower()
            for code in self.cleaned_data["languages"].replace(";", ",").split(",")
        ]
        codes = [code for code in codes if code]
        unknown = [code for code in codes if pycountry.languages.get(alpha_2=code) is None]
        if unknown:
            raise forms.ValidationError(
                _("Unknown language codes: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return codes

    def action_values(self) -> dict:
        """Return the cleaned values in the shape the registry actions take."""
        data = dict(self.cleaned_data)
        data["names"] = {
            code: data.pop(f"name_{code}").strip()
            for code, _label in OTHER_LANGUAGES
            if data.get(f"name_{code}", "").strip()
        }
        for code, _label in OTHER_LANGUAGES:
            data.pop(f"name_{code}", None)
        data["working_languages"] = data.pop("languages")
        return data


class MembershipApplicationForm(forms.Form):
    network = forms.ModelChoiceField(
        label=_("Network or coalition"), queryset=Organisation.objects.none()
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    consensus_statement_endorsed = forms.DateField(
        label=_("Consensus Statement endorsed on"), required=False, widget=DATE_WIDGET
    )
    core_values_endorsed = forms.DateField(
        label=_("Core values endorsed on"), required=False, widget=DATE_WIDGET
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class MembershipDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"))
    date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, decisions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = decisions


class MembershipEditForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    consensus_statement_endorsed = forms.DateField(
        label=_("Consensus Statement endorsed on"), required=False, widget=DATE_WIDGET
    )
    core_values_endorsed = forms.DateField(
        label=_("Core values endorsed on"), required=False, widget=DATE_WIDGET
    )


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["display_name", "is_pseudonym", "legal_name", "contact"]
        widgets = {"contact": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, show_secret: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_secret:
            del self.fields["legal_name"]
            del self.fields["contact"]


class PositionForm(forms.ModelForm):
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False
    )
    new_person = forms.CharField(
        label=_("Or a new person (name or pseudonym)"), required=False, max_length=200
    )

    class Meta:
        model = Position
        fields = ["person", "title", "start", "end"]
        widgets = {"start": DATE_WIDGET, "end": DATE_WIDGET}

    def __init__(self, *args, people, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        if editing:
            del self.fields["person"]
            del self.fields["new_person"]

    def clean(self):
        cleaned = super().clean()
        if "person" in self.fields and not cleaned.get("person") and not cleaned.get("new_person"):
            raise forms.ValidationError(_("Choose a person or enter a new one."))
        return cleaned
