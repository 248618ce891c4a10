"""State machines as tables, and the one service that moves a record along them.

A machine (:class:`Machine`) names the model and the field holding the state, and lists its
:class:`Transition` rows: the action, the states it may start from, the state it leads to, the
kinds of actor allowed (``regulator``, ``key_unit``, ``agency``, ``system``; see
:func:`qixiang.supervision.scoping.actor_kind`), the data it requires, the data it copies onto
the record, and optional guard and effect functions. :func:`transition` is the only way a state
changes: it locks the row, checks state, actor, data and guards, applies the step, records it in
the audit trail with what changed, and saves, all in one database transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from qixiang.supervision import audit, scoping

SYSTEM = audit.SYSTEM
REGULATOR, KEY_UNIT, AGENCY = scoping.REGULATOR, scoping.KEY_UNIT, scoping.AGENCY


class TransitionError(Exception):
    """A step that may not happen as asked; the message says why, in the user's language."""


class NotAllowed(TransitionError, PermissionDenied):
    """The actor may not take this step on this record."""


@dataclass(slots=True)
class Step:
    """What guards and effects see: the record, who acts, the data given, the time."""

    obj: Any
    actor: Any
    data: dict
    now: dt.datetime
    source: str
    changes: dict = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)


Guard = Callable[[Step], list[str]]
Effect = Callable[[Step], None]


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    actors: frozenset[str]
    label: str | Promise
    required: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    stamp: str | None = None
    guard: Guard | None = None
    effect: Effect | None = None


@dataclass(frozen=True, slots=True)
class Machine:
    model: str  # "supervision.Hazard"
    field: str
    transitions: tuple[Transition, ...]
    changed_at: str | None = "status_changed_at"

    def get(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def states(self) -> set[str]:
        return {s for t in self.transitions for s in (*t.sources, t.target)}


def actor_kinds(actor, obj: models.Model) -> frozenset[str]:
    """The kinds ``actor`` may act as on ``obj``: none unless the record is visible to them."""
    if actor == SYSTEM:
        return frozenset({SYSTEM})
    kind = scoping.actor_kind(actor)
    if kind is None or not scoping.can_see(actor, obj):
        return frozenset()
    if kind == scoping.ADMIN:
        return frozenset({REGULATOR, KEY_UNIT, AGENCY, SYSTEM})
    return frozenset({kind})


def may(transition_: Transition, actor, obj: models.Model) -> bool:
    return bool(actor_kinds(actor, obj) & transition_.actors)


def _machines() -> list[Machine]:
    from qixiang.supervision.workflows import MACHINES

    return MACHINES


def machine_for(obj: models.Model, action: str) -> tuple[Machine, Transition]:
    label = obj._meta.label
    for machine in _machines():
        if machine.model == label and (found := machine.get(action)) is not None:
            return machine, found
    raise TransitionError(_("Unknown action %(action)s for %(record)s.")
                          % {"action": action, "record": obj._meta.verbose_name})


def available(obj: models.Model, actor) -> list[Transition]:
    """The steps ``actor`` may take on ``obj`` now (guards are checked when acting)."""
    label, kinds = obj._meta.label, actor_kinds(actor, obj)
    return [t for machine in _machines() if machine.model == label
            for t in machine.transitions
            if getattr(obj, machine.field) in t.sources and kinds & t.actors]


def transition(obj: models.Model, action: str, actor, **data: Any) -> models.Model:
    """Take step ``action`` on ``obj`` as ``actor`` (a user or :data:`SYSTEM`); returns ``obj``.

    Raises :class:`NotAllowed` when the actor may not, :class:`TransitionError` when the record
    is not in a state the step starts from, data is missing or a guard refuses.
    """
    machine, step_def = machine_for(obj, action)
    with transaction.atomic():
        current = (type(obj).objects.select_for_update().filter(pk=obj.pk)
                   .values_list(machine.field, flat=True).first())
        if current != getattr(obj, machine.field):
            raise TransitionError(_("The record changed meanwhile; reload it and try again."))
        if current not in step_def.sources:
            raise TransitionError(
                _("Cannot %(action)s: the record is %(state)s.")
                % {"action": step_def.label, "state": _state_label(obj, machine, current)})
        if not may(step_def, actor, obj):
            raise NotAllowed(_("You may not do this: %(action)s.")
                             % {"action": step_def.label})
        missing = [name for name in step_def.required if data.get(name) in (None, "", [], ())]
        if missing:
            raise TransitionError(_("Missing for %(action)s: %(fields)s.")
                                  % {"action": step_def.label, "fields": ", ".join(missing)})
        step = Step(obj=obj, actor=actor, data=data, now=timezone.now(), source=current)
        before = {name: getattr(obj, name) for name in step_def.fields if name in data}
        for name in before:  # guards judge the record as the step would leave it
            _set(step, name, data[name])
        problems = step_def.guard(step) if step_def.guard else []
        if problems:
            for name, value in before.items():
                setattr(obj, name, value)
            raise TransitionError(_("Cannot %(action)s: %(problems)s")
                                  % {"action": step_def.label, "problems": "; ".join(problems)})
        _set(step, machine.field, step_def.target)
        if machine.changed_at:
            _set(step, machine.changed_at, step.now)
        if step_def.stamp:
            _set(step, step_def.stamp, step.now)
        if step_def.effect:
            step_def.effect(step)
        with audit.quiet(obj):
            obj.save()
        audit.record(f"{obj._meta.model_name}.{action}", obj, actor,
                     {"from": current, "to": step_def.target, "fields": step.changes,
                      "data": {k: v for k, v in data.items() if k not in step.changes
                               and not hasattr(v, "read")}}, at=step.now)
    return obj


def _set(step: Step, name: str, value: Any) -> None:
    setattr(step.obj, name, value)
    step.changes[name] = value


def set_field(step: Step, name: str, value: Any) -> None:
    """For effects: change a field of the record so the change is recorded with the step."""
    _set(step, name, value)


def _state_label(obj: models.Model, machine: Machine, value: str) -> str:
    choices = dict(obj._meta.get_field(machine.field).flatchoices)
    return str(choices.get(value, value))
