"""The seam where quality control sets each value's CMA flag before it is stored.

The store calls :func:`assign` once per batch, inside the batch's transaction, with the values
about to be written (:class:`qixiang.observations.store.ValueRows`, column lists in batch order).
It returns one CMA flag per value (see :class:`qixiang.observations.models.QCFlag`). Until quality
control is plugged in here, a missing value is flagged 8 (missing) and every other value 9 (not
checked), so nothing claims a check that did not run.

To plug in QC, replace :data:`assign` (or set :data:`ASSIGN` in this module) with a function of
the same shape: it may read the batch's station ids, elements, times and values, and returns a
sequence of ints of the batch's length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from qixiang.observations.models import QCFlag

if TYPE_CHECKING:
    from qixiang.observations.store import ValueRows

FlagFunction = Callable[["ValueRows"], Sequence[int]]


def not_checked(rows: ValueRows) -> list[int]:
    """8 for a missing value, 9 (not checked) for every other."""
    missing, unchecked = int(QCFlag.MISSING), int(QCFlag.NOT_CHECKED)
    return [missing if v is None else unchecked for v in rows.values]


ASSIGN: FlagFunction = not_checked


def assign(rows: ValueRows) -> list[int]:
    """One CMA flag per value of ``rows``, by the function in :data:`ASSIGN`."""
    flags = list(ASSIGN(rows))
    if len(flags) != len(rows):
        raise ValueError(f"QC returned {len(flags)} flags for {len(rows)} values")
    return flags
