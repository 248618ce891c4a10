"""Every save and delete of a supervision record goes into the audit trail.

Connected in :meth:`qixiang.supervision.apps.SupervisionConfig.ready`. The trail's own tables
are skipped, as are saves that a workflow step records itself (:func:`audit.quiet`). Fixture
loads (``raw``) are recorded too: what enters the registry by any way is traceable.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from qixiang.supervision import audit

SKIPPED = frozenset({"supervision.AuditEntry", "supervision.AuditHead"})


def _ours(sender) -> bool:
    return sender._meta.app_label == "supervision" and sender._meta.label not in SKIPPED


def on_saved(sender, instance, created: bool, **kwargs) -> None:
    if _ours(sender) and not audit.is_quiet(instance):
        audit.record("create" if created else "update", instance,
                     change=audit.snapshot(instance))


def on_deleted(sender, instance, **kwargs) -> None:
    if _ours(sender):
        audit.record("delete", instance, change=audit.snapshot(instance))


def on_m2m(sender, instance, action: str, model, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not _ours(type(instance)):
        return
    relation = next((f.name for f in type(instance)._meta.many_to_many
                     if f.remote_field.through is sender), sender._meta.model_name)
    audit.record(f"{action.removeprefix('post_')}_{relation}", instance,
                 change={relation: sorted(pk_set or [])})


def connect() -> None:
    post_save.connect(on_saved, dispatch_uid="supervision_audit_saved")
    post_delete.connect(on_deleted, dispatch_uid="supervision_audit_deleted")
    m2m_changed.connect(on_m2m, dispatch_uid="supervision_audit_m2m")
