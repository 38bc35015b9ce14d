from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.core.models import Region
from chorus.network.models import Country, Organisation, OrganisationKind


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Country) -> str:
        return str(obj)


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *OrganisationKind.choices]
    )


class OrganisationForm(forms.ModelForm):
    country = CountryChoiceField(label=_("Country"), queryset=Country.objects.all(), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "kind",
            "country",
            "website",
            "founded",
            "publicly_listed",
            "sex_worker_led",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, show_confidential: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_confidential:
            del self.fields["sex_worker_led"]
            del self.fields["notes"]
        else:
            self.fields["sex_worker_led"].required = False
