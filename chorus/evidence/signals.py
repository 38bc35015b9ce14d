"""Signals other apps listen to, so they can react inside the same transaction."""

from django.dispatch import Signal

# Sent inside the withdrawal's transaction with `participant`: documents quoting the person
# must change in the same commit (case studies remove or flag their quotes).
consent_withdrawn = Signal()

# Sent inside the transaction when a consent becomes more restrictive (a less revealing
# attribution, no quotes, or approval now required), with `participant`.
consent_narrowed = Signal()

# Sent inside the transaction when a coded segment's span changes, with `coding`: an approval
# given for the old words does not cover the new ones.
coding_changed = Signal()

# Sent inside a code merge before duplicate codings are deleted, with `replaced`: a dict from
# each duplicate coding's id to the id of the identical coding that stays.
codings_merged = Signal()
