"""Signals other apps listen to, so they can react inside the same transaction."""

from django.dispatch import Signal

# Sent inside the withdrawal's transaction with `participant`: documents quoting the person
# must change in the same commit (case studies remove or flag their quotes).
consent_withdrawn = Signal()
