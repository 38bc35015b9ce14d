"""Keep case studies in step with consent: a withdrawal reaches every document at once."""

from django.dispatch import receiver

from chorus.evidence.signals import (
    coding_changed,
    codings_merged,
    consent_narrowed,
    consent_withdrawn,
)


@receiver(consent_withdrawn, dispatch_uid="casestudies.consent_withdrawn")
def remove_withdrawn_quotes(sender, participant, **kwargs):
    from chorus.casestudies.actions import consent_withdrawn as apply_withdrawal

    apply_withdrawal(participant=participant)


@receiver(consent_narrowed, dispatch_uid="casestudies.consent_narrowed")
def take_down_narrowed_quotes(sender, participant, **kwargs):
    from chorus.casestudies.actions import consent_narrowed as apply_narrowing

    apply_narrowing(participant=participant)


@receiver(coding_changed, dispatch_uid="casestudies.coding_changed")
def void_approval_of_changed_quote(sender, coding, **kwargs):
    from chorus.casestudies.actions import coding_changed as apply_change

    apply_change(coding=coding)


@receiver(codings_merged, dispatch_uid="casestudies.codings_merged")
def follow_merged_codings(sender, replaced, **kwargs):
    from chorus.casestudies.actions import codings_merged as apply_merge

    apply_merge(replaced=replaced)
