"""The state machines of the supervision app and the one service that applies them.

Use :func:`transition` (``transition(hazard, "notify", user, notice_kind="order")``) for every
change of state, :func:`available` to list the steps a user may take on a record now, and
:class:`TransitionError` / :class:`NotAllowed` to tell the user why a step was refused. The
tables live one module per machine: :mod:`.hazard`, :mod:`.inspection`, :mod:`.credit`,
:mod:`.enforcement`.
"""

from qixiang.supervision.workflows import credit, enforcement, hazard, inspection
from qixiang.supervision.workflows.engine import (
    SYSTEM,
    Machine,
    NotAllowed,
    Step,
    Transition,
    TransitionError,
    available,
    transition,
)

MACHINES: list[Machine] = [hazard.MACHINE, inspection.MACHINE, credit.OBJECTION, credit.REPAIR,
                           enforcement.INSPECTION, enforcement.CASE]

__all__ = ["MACHINES", "SYSTEM", "Machine", "NotAllowed", "Step", "Transition",
           "TransitionError", "available", "transition"]
