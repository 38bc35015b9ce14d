"""Record sign-ins and sign-outs in the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from chorus.core import actions


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    actions.session_record(actor=user, event="user.sign_in")


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        actions.session_record(actor=user, event="user.sign_out")
