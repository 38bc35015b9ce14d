"""Writes of the registry, each in one transaction with its audit event."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.core.audit import apply_changes, record_change
from chorus.core.models import Role
from chorus.core.scoping import RECORDERS, Scope, require_role
from chorus.network.models import (
    NETWORK_KINDS,
    Country,
    Membership,
    MembershipEvent,
    MembershipStatus,
    NetworkStatistic,
    Organisation,
    OrganisationKind,
    Person,
    Position,
    SexWorkerLed,
    Tier,
)
from chorus.network.places import region_of_country

ORGANISATION_FIELDS = (
    "name",
    "names",
    "acronym",
    "kind",
    "country",
    "website",
    "founded",
    "working_languages",
    "priority_areas",
    "populations",
    "publicly_listed",
    "sex_worker_led",
    "notes",
)
NETWORK_TIERS = (Tier.FULL, Tier.ASSOCIATE, Tier.SUPPORTING)
COALITION_TIERS = (Tier.CORE, Tier.GENERAL)


def _in_scope(actor, organisation: Organisation | None, country: Country | None) -> bool:
    """Whether the actor may write to this organisation (or create one in this country)."""
    scope = Scope.of(actor)
    if scope.is_everything:
        return True
    if scope.role == Role.REGIONAL_COORDINATOR:
        return country is not None and country.region == scope.region
    if scope.role == Role.MEMBER_EDITOR:
        return organisation is not None and organisation.pk == scope.organisation_id
    return False


def _require_scope(actor, organisation: Organisation | None, country: Country | None) -> None:
    if not _in_scope(actor, organisation, country):
        raise PermissionDenied


@transaction.atomic
def countries_sync(*, actor=None) -> int:
    """Make the country table match the ISO list and the regional grouping; return rows added."""
    existing = dict(Country.objects.values_list("code", "region"))
    missing = [
        Country(code=code, region=region)
        for code, region in region_of_country().items()
        if code not in existing
    ]
    Country.objects.bulk_create(missing)
    for code, region in region_of_country().items():
        if code in existing and existing[code] != region:
            Country.objects.filter(code=code).update(region=region)
    if missing:
        record_change(actor=actor, action="country.sync", obj=Country, changed_fields=["code"])
    return len(missing)


@transaction.atomic
def organisation_create(*, actor, other_countries=(), **values) -> Organisation:
    scope = Scope.of(actor)
    if not (scope.is_everything or scope.role == Role.REGIONAL_COORDINATOR):
        raise PermissionDenied
    _require_scope(actor, None, values.get("country"))
    organisation = Organisation(
        **{key: value for key, value in values.items() if key in ORGANISATION_FIELDS}
    )
    organisation.full_clean()
    organisation.save()
    if other_countries:
        organisation.other_countries.set(other_countries)
    record_change(
        actor=actor,
        action="organisation.create",
        obj=organisation,
        changed_fields=[key for key in values if key in ORGANISATION_FIELDS],
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor, organisation: Organisation, other_countries=None, **values
) -> Organisation:
    """Change an organisation; a coordinator cannot move it out of their own region."""
    _require_scope(actor, organisation, organisation.country)
    if "country" in values:
        _require_scope(actor, organisation, values["country"])
    changed = apply_changes(
        organisation, {key: value for key, value in values.items() if key in ORGANISATION_FIELDS}
    )
    organisation.full_clean()
    organisation.save()
    if other_countries is not None:
        before = set(organisation.other_countries.values_list("pk", flat=True))
        after = {country.pk for country in other_countries}
        if before != after:
            organisation.other_countries.set(other_countries)
            changed.append("other_countries")
    record_change(
        actor=actor, action="organisation.update", obj=organisation, changed_fields=changed
    )
    return organisation


def _validate_tier(organisation: Organisation, network: Organisation, tier: str) -> None:
    if network.kind not in NETWORK_KINDS:
        raise ValidationError(
            {"network": _("Organisations can only be members of a network or coalition.")}
        )
    if network.pk == organisation.pk:
        raise ValidationError({"network": _("An organisation cannot be a member of itself.")})
    allowed = COALITION_TIERS if network.kind == OrganisationKind.COALITION else NETWORK_TIERS
    if tier not in allowed:
        raise ValidationError({"tier": _("This tier does not exist for this kind of network.")})
    if tier == Tier.FULL and organisation.sex_worker_led != SexWorkerLed.YES:
        raise ValidationError(
            {"tier": _("Full membership, with a vote, is for sex worker-led organisations only.")}
        )


def _add_event(membership: Membership, status: str, actor, date=None, note: str = "") -> None:
    membership.status = status
    MembershipEvent.objects.create(
        membership=membership,
        status=status,
        date=date or datetime.date.today(),
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


@transaction.atomic
def membership_apply(
    *,
    actor,
    organisation: Organisation,
    network: Organisation,
    tier: str,
    consensus_statement_endorsed: datetime.date | None = None,
    core_values_endorsed: datetime.date | None = None,
    note: str = "",
) -> Membership:
    """Submit an application; the regional coordinator verifies it and the secretariat approves."""
    _require_scope(actor, organisation, organisation.country)
    _validate_tier(organisation, network, tier)
    membership = Membership.objects.filter(organisation=organisation, network=network).first()
    if membership is not None and membership.status not in (
        MembershipStatus.LEFT,
        MembershipStatus.REJECTED,
    ):
        raise ValidationError(
            {
                "network": _(
                    "This organisation already has a membership or an open application here."
                )
            }
        )
    if membership is None:
        membership = Membership(organisation=organisation, network=network)
    membership.tier = tier
    membership.consensus_statement_endorsed = consensus_statement_endorsed
    membership.core_values_endorsed = core_values_endorsed
    membership.verified_by = None
    membership.verified_on = None
    membership.status = MembershipStatus.APPLIED
    membership.save()
    _add_event(membership, MembershipStatus.APPLIED, actor, note=note)
    record_change(
        actor=actor,
        action="membership.apply",
        obj=membership,
        changed_fields=["tier", "status", "consensus_statement_endorsed", "core_values_endorsed"],
    )
    return membership


def _require_regional_decider(actor, membership: Membership) -> None:
    scope = Scope.of(actor)
    region = membership.organisation.country.region if membership.organisation.country else ""
    if not (
        scope.is_everything or (scope.role == Role.REGIONAL_COORDINATOR and scope.region == region)
    ):
        raise PermissionDenied


def _require_status(membership: Membership, *statuses: str) -> None:
    if membership.status not in statuses:
        raise ValidationError(
            _("This step is not possible while the membership is “%(status)s”.")
            % {"status": membership.get_status_display()}
        )


@transaction.atomic
def membership_verify(*, actor, membership: Membership, note: str = "") -> Membership:
    """A regional coordinator (or the secretariat) confirms the application is genuine."""
    _require_regional_decider(actor, membership)
    _require_status(membership, MembershipStatus.APPLIED, MembershipStatus.REFERRED)
    membership.verified_by = actor if getattr(actor, "pk", None) else None
    membership.verified_on = datetime.date.today()
    _add_event(membership, MembershipStatus.VERIFIED, actor, note=note)
    membership.save()
    record_change(
        actor=actor,
        action="membership.verify",
        obj=membership,
        changed_fields=["status", "verified_by", "verified_on"],
    )
    return membership


@transaction.atomic
def membership_refer(*, actor, membership: Membership, note: str = "") -> Membership:
    """Pass an application the region cannot decide to the secretariat."""
    _require_regional_decider(actor, membership)
    _require_status(membership, MembershipStatus.APPLIED)
    _add_event(membership, MembershipStatus.REFERRED, actor, note=note)
    membership.save()
    record_change(actor=actor, action="membership.refer", obj=membership, changed_fields=["status"])
    return membership


@transaction.atomic
def membership_approve(
    *, actor, membership: Membership, joined: datetime.date | None = None, note: str = ""
) -> Membership:
    """The secretariat admits the organisation; endorsement of the Consensus Statement is needed."""
    require_role(actor)
    _require_status(
        membership, MembershipStatus.VERIFIED, MembershipStatus.REFERRED, MembershipStatus.APPLIED
    )
    if not (membership.consensus_statement_endorsed and membership.core_values_endorsed):
        raise ValidationError(
            _("A member must endorse the Consensus Statement and the core values before approval.")
        )
    _validate_tier(membership.organisation, membership.network, membership.tier)
    if membership.verified_on is None:
        membership.verified_by = actor if getattr(actor, "pk", None) else None
        membership.verified_on = datetime.date.today()
    membership.joined = joined or datetime.date.today()
    _add_event(membership, MembershipStatus.MEMBER, actor, date=membership.joined, note=note)
    membership.save()
    record_change(
        actor=actor,
        action="membership.approve",
        obj=membership,
        changed_fields=["status", "joined"],
    )
    return membership


@transaction.atomic
def membership_set_status(
    *, actor, membership: Membership, status: str, date: datetime.date | None = None, note: str = ""
) -> Membership:
    """Reject, suspend, reinstate or record the departure of a member (secretariat only)."""
    require_role(actor)
    allowed_from = {
        MembershipStatus.REJECTED: (
            MembershipStatus.APPLIED,
            MembershipStatus.REFERRED,
            MembershipStatus.VERIFIED,
        ),
        MembershipStatus.SUSPENDED: (MembershipStatus.MEMBER,),
        MembershipStatus.MEMBER: (MembershipStatus.SUSPENDED,),
        MembershipStatus.LEFT: (MembershipStatus.MEMBER, MembershipStatus.SUSPENDED),
    }
    if status not in allowed_from:
        raise ValidationError(_("Unknown membership status."))
    _require_status(membership, *allowed_from[status])
    if date and date > datetime.date.today():
        raise ValidationError(_("The date cannot be in the future."))
    _add_event(membership, status, actor, date=date, note=note)
    membership.save()
    record_change(
        actor=actor, action=f"membership.{status}", obj=membership, changed_fields=["status"]
    )
    return membership


@transaction.atomic
def membership_update(
    *,
    actor,
    membership: Membership,
    tier: str,
    consensus_statement_endorsed: datetime.date | None,
    core_values_endorsed: datetime.date | None,
) -> Membership:
    _require_scope(actor, membership.organisation, membership.organisation.country)
    _validate_tier(membership.organisation, membership.network, tier)
    changed = apply_changes(
        membership,
        {
            "tier": tier,
            "consensus_statement_endorsed": consensus_statement_endorsed,
            "core_values_endorsed": core_values_endorsed,
        },
    )
    membership.save()
    record_change(actor=actor, action="membership.update", obj=membership, changed_fields=changed)
    return membership


@transaction.atomic
def membership_record(
    *,
    actor,
    organisation: Organisation,
    network: Organisation,
    tier: str,
    status: str = MembershipStatus.MEMBER,
    joined: datetime.date | None = None,
    consensus_statement_endorsed: datetime.date | None = None,
    core_values_endorsed: datetime.date | None = None,
) -> Membership:
    """Record an existing membership as it stands (imports, demo data): secretariat only."""
    require_role(actor)
    _validate_tier(organisation, network, tier)
    if status not in MembershipStatus.values:
        raise ValidationError({"status": _("Unknown membership status.")})
    membership, _created = Membership.objects.get_or_create(
        organisation=organisation,
        network=network,
        defaults={"tier": tier, "status": status},
    )
    membership.tier = tier
    membership.joined = joined
    membership.consensus_statement_endorsed = consensus_statement_endorsed
    membership.core_values_endorsed = core_values_endorsed
    _add_event(membership, status, actor, date=joined or datetime.date.today())
    membership.save()
    record_change(
        actor=actor,
        action="membership.record",
        obj=membership,
        changed_fields=["tier", "status", "joined"],
    )
    return membership


@transaction.atomic
def person_create(
    *, actor, display_name: str, is_pseudonym: bool = False, legal_name: str = "", contact: str = ""
) -> Person:
    require_role(actor, *RECORDERS)
    person = Person(
        display_name=display_name, is_pseudonym=is_pseudonym, legal_name=legal_name, contact=contact
    )
    person.full_clean()
    person.save()
    record_change(
        actor=actor,
        action="person.create",
        obj=person,
        changed_fields=[
            name
            for name, value in (
                ("display_name", display_name),
                ("legal_name", legal_name),
                ("contact", contact),
            )
            if value
        ],
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **values) -> Person:
    """Change a person; secret fields (legal name, contact) only by the secretariat."""
    require_role(actor, *RECORDERS)
    if {"legal_name", "contact"} & values.keys():
        require_role(actor)
    allowed = {"display_name", "is_pseudonym", "legal_name", "contact"}
    changed = apply_changes(person, {key: value for key, value in values.items() if key in allowed})
    person.full_clean()
    person.save()
    record_change(actor=actor, action="person.update", obj=person, changed_fields=changed)
    return person


def _validate_period(start, end) -> None:
    today = datetime.date.today()
    if start and start > today:
        raise ValidationError({"start": _("The start date cannot be in the future.")})
    if start and end and end < start:
        raise ValidationError({"end": _("The end date cannot be before the start date.")})


@transaction.atomic
def position_create(
    *,
    actor,
    person: Person,
    organisation: Organisation,
    title: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Position:
    _require_scope(actor, organisation, organisation.country)
    _validate_period(start, end)
    position = Position(person=person, organisation=organisation, title=title, start=start, end=end)
    position.full_clean()
    position.save()
    record_change(
        actor=actor,
        action="position.create",
        obj=position,
        changed_fields=["person", "organisation", "title", "start", "end"],
    )
    return position


@transaction.atomic
def position_update(*, actor, position: Position, **values) -> Position:
    _require_scope(actor, position.organisation, position.organisation.country)
    allowed = {"title", "start", "end"}
    changed = apply_changes(
        position, {key: value for key, value in values.items() if key in allowed}
    )
    _validate_period(position.start, position.end)
    position.full_clean()
    position.save()
    record_change(actor=actor, action="position.update", obj=position, changed_fields=changed)
    return position


@transaction.atomic
def network_statistic_record(
    *,
    actor,
    network: Organisation,
    date: datetime.date,
    member_count: int,
    country_count: int,
    source: str,
) -> NetworkStatistic:
    require_role(actor)
    statistic, _created = NetworkStatistic.objects.update_or_create(
        network=network,
        date=date,
        defaults={"member_count": member_count, "country_count": country_count, "source": source},
    )
    record_change(
        actor=actor,
        action="network_statistic.record",
        obj=statistic,
        changed_fields=["member_count", "country_count", "source"],
    )
    return statistic


@transaction.atomic
def position_add(
    *,
    actor,
    organisation: Organisation,
    title: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    person: Person | None = None,
    new_person_name: str = "",
) -> Position:
    """Give a post to an existing person, or to a new one created in the same transaction."""
    if person is None:
        person = person_create(actor=actor, display_name=new_person_name)
    return position_create(
        actor=actor, person=person, organisation=organisation, title=title, start=start, end=end
    )
