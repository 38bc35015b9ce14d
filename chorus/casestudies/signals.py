"""Keep case studies in step with consent: a withdrawal reaches every document at once."""

from django.dispatch import receiver

from chorus.evidence.signals import consent_withdrawn


@receiver(consent_withdrawn, dispatch_uid="casestudies.consent_withdrawn")
def remove_withdrawn_quotes(sender, participant, **kwargs):
    from chorus.casestudies.actions import consent_withdrawn as apply_withdrawal

    apply_withdrawal(participant=participant)
