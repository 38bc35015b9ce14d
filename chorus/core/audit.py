"""Write the audit trail: one event per change, one access event per sensitive read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction

from chorus.core.models import AccessEvent, AuditEvent


def object_type(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def record_change(
    *,
    actor,
    action: str,
    obj: models.Model | type[models.Model],
    changed_fields: Iterable[str] = (),
) -> AuditEvent:
    """Record that `actor` did `action` to `obj` (an instance, or a model for bulk changes).

    Must run inside the action's transaction, so the change and its record commit together.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are written inside the action's transaction")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk or "") if isinstance(obj, models.Model) else "",
        changed_fields=sorted(set(changed_fields)),
    )


def record_access(*, actor, obj: models.Model, data_class: str, purpose: str) -> AccessEvent:
    return AccessEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        data_class=data_class,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        purpose=purpose,
    )


def apply_changes(obj: models.Model, values: dict) -> list[str]:
    """Set the given attributes on `obj` and return the names of those whose value changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed
