"""Objection (异议) and repair (信用修复) of a credit record, spec §4.3.

Two small machines on one record, each on its own field: ``objection_status`` goes
none → open → upheld | rejected; ``repair_status`` goes none → applied → repaired | refused.
The subject objects or applies (a key-unit or agency user for their own records); a regulator
decides with a recorded reason. Repair may be asked only once the record has been published
for its publication period (:data:`REPAIR_AFTER_DAYS`, a proposal).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision.models import ObjectionStatus, RepairStatus
from qixiang.supervision.workflows.engine import (
    AGENCY,
    KEY_UNIT,
    REGULATOR,
    Machine,
    Step,
    Transition,
)

REPAIR_AFTER_DAYS = 90
MEMBERS = frozenset({KEY_UNIT, AGENCY})


def _repair_guard(step: Step) -> list[str]:
    record = step.obj
    if record.objection_status == ObjectionStatus.OPEN:
        return [_("an objection is still open")]
    if step.today < record.occurred_on + dt.timedelta(days=REPAIR_AFTER_DAYS):
        return [_("repair may be asked %(days)d days after the event")
                % {"days": REPAIR_AFTER_DAYS}]
    return []


OB, R = ObjectionStatus, RepairStatus

OBJECTION = Machine("supervision.CreditRecord", "objection_status", (
    Transition("object", (OB.NONE,), OB.OPEN, MEMBERS, gettext_lazy("object to the record"),
               required=("objection",), fields=("objection",)),
    Transition("uphold_objection", (OB.OPEN,), OB.UPHELD, frozenset({REGULATOR}),
               gettext_lazy("uphold the objection"), required=("objection_decision",),
               fields=("objection_decision",)),
    Transition("reject_objection", (OB.OPEN,), OB.REJECTED, frozenset({REGULATOR}),
               gettext_lazy("reject the objection"), required=("objection_decision",),
               fields=("objection_decision",)),
))

REPAIR = Machine("supervision.CreditRecord", "repair_status", (
    Transition("apply_repair", (R.NONE, R.REFUSED), R.APPLIED, MEMBERS,
               gettext_lazy("apply for credit repair"), required=("repair_note",),
               fields=("repair_note",), guard=_repair_guard),
    Transition("grant_repair", (R.APPLIED,), R.REPAIRED, frozenset({REGULATOR}),
               gettext_lazy("grant the repair")),
    Transition("refuse_repair", (R.APPLIED,), R.REFUSED, frozenset({REGULATOR}),
               gettext_lazy("refuse the repair"), required=("repair_note",), fields=("repair_note",)),
))
