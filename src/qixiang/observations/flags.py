"""The seam where quality control sets each value's CMA flag before it is stored.

The pipeline calls :func:`assign` once per batch with the values about to be written
(:class:`qixiang.observations.store.ValueRows`, column lists in batch order), before the batch's
write transaction where it can, so checks that read earlier values do not hold the write lock.
It fills ``rows.qc_flags`` (one CMA code per value, see
:class:`qixiang.observations.models.QCFlag`), ``rows.qc_checks`` (bit mask of the checks that
fired) and ``rows.qc_reasons`` ("check: reason" lines), and returns the flags.

:data:`ASSIGN` is the function doing it. Without quality control a missing value is flagged 8
(missing) and every other value 9 (not checked), so nothing claims a check that did not run; the
``qixiang.quality`` app plugs its QC stage in here when it is installed. An ``ASSIGN`` function
reads the batch's station ids, elements, times, values and report positions and returns either a
sequence of flags or a :class:`Verdicts` of the batch's length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qixiang.observations.models import QCFlag

if TYPE_CHECKING:
    from qixiang.observations.store import ValueRows


@dataclass(slots=True)
class Verdicts:
    """Per value: the CMA flag, the bit mask of the checks that fired, and their reasons."""

    flags: list[int]
    checks: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


FlagFunction = Callable[["ValueRows"], "Sequence[int] | Verdicts"]


def not_checked(rows: ValueRows) -> list[int]:
    """8 for a missing value, 9 (not checked) for every other."""
    missing, unchecked = int(QCFlag.MISSING), int(QCFlag.NOT_CHECKED)
    return [missing if v is None else unchecked for v in rows.values]


ASSIGN: FlagFunction = not_checked


def assign(rows: ValueRows) -> list[int]:
    """Set the QC columns of ``rows`` by the function in :data:`ASSIGN`; returns the flags."""
    n = len(rows)
    out = ASSIGN(rows)
    verdicts = out if isinstance(out, Verdicts) else Verdicts([int(f) for f in out])
    if len(verdicts.flags) != n:
        raise ValueError(f"QC returned {len(verdicts.flags)} flags for {n} values")
    for name in ("checks", "reasons"):
        column = getattr(verdicts, name)
        if column and len(column) != n:
            raise ValueError(f"QC returned {len(column)} {name} for {n} values")
    rows.qc_flags = list(verdicts.flags)
    rows.qc_checks = list(verdicts.checks) or [0] * n
    rows.qc_reasons = list(verdicts.reasons) or [""] * n
    return rows.qc_flags
