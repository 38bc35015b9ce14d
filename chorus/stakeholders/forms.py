from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.core.models import Region
from chorus.network.forms import DATE_WIDGET
from chorus.network.models import OrganisationKind
from chorus.stakeholders.models import ChecklistStatus, EvidenceKind, Influence, Issue, Stance


class PowerMapFilterForm(forms.Form):
    issue = forms.ChoiceField(label=_("Issue"), choices=Issue.choices, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *Region.choices]
        self.fields["kind"].choices = [
            ("", _("All kinds")),
            *OrganisationKind.choices,
            ("person", _("People")),
        ]


class ActorFormMixin(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None, required=False)
    person = forms.ModelChoiceField(label=_("Or a person"), queryset=None, required=False)

    def set_actor_choices(self, organisations, people) -> None:
        self.fields["organisation"].queryset = organisations
        self.fields["person"].queryset = people

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("organisation")) == bool(cleaned.get("person")):
            raise forms.ValidationError(_("Name either an organisation or a person."))
        return cleaned


class ObservationForm(ActorFormMixin):
    issue = forms.ChoiceField(label=_("Issue"), choices=Issue.choices)
    stance = forms.TypedChoiceField(label=_("Stance"), choices=Stance.choices, coerce=int)
    observed_on = forms.DateField(label=_("Observed on"), widget=DATE_WIDGET)
    evidence_kind = forms.ChoiceField(label=_("Evidence"), choices=EvidenceKind.choices)
    evidence_text = forms.CharField(
        label=_("Quote or description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    evidence_engagement = forms.IntegerField(
        label=_("Engagement number"),
        required=False,
        min_value=1,
        help_text=_("The number in the engagement's address, when the evidence is an engagement."),
    )

    def __init__(self, *args, organisations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_actor_choices(organisations, people)


class InfluenceForm(ActorFormMixin):
    level = forms.TypedChoiceField(label=_("Influence"), choices=Influence.choices, coerce=int)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, organisations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_actor_choices(organisations, people)


class ChecklistItemForm(forms.Form):
    item = forms.CharField(widget=forms.HiddenInput)
    engagement = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ChecklistStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
