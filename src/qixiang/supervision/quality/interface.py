"""The contract of a data quality rule.

A rule belongs to one stage of the data life cycle (capture, exchange, storage, use; seed §2(4),
spec §7) and is a function that looks at the database as it is now and yields one
:class:`Finding` per problem: the record at fault, the field (or a short key when the problem is
not one column, e.g. ``instrument:ER-001``), a message for people, and the owner who must act:

* ``owner_subject``: the organisation (key unit or agency subject) that corrects it, or
* ``owner_user``: a person (a partner platform's API user, a user who read data), or
* neither: the bureau (the regulators of the record's region) owns it.

``subject`` is the subject whose file the issue belongs to (found from the record when left
out). A rule must be deterministic and side-effect free: the runner
(:mod:`qixiang.supervision.quality.runner`) turns findings into
:class:`~qixiang.supervision.models.DataQualityIssue` rows, keeps one open issue per
(rule, record, field), leaves dismissed ones dismissed and closes the open issues a rule no
longer finds. So running every rule twice changes nothing the second time.

Register a rule with :func:`qixiang.supervision.quality.rule` in the stage's module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.functional import Promise


@dataclass(frozen=True, slots=True)
class Finding:
    record: Model
    field: str
    message: str
    owner_subject: Model | None = None  # Subject
    owner_user: Any = None  # accounts.User
    subject: Model | None = None  # Subject the record belongs to; None: follow the record


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # "<stage>.<what>", the DataQualityIssue.rule value
    stage: str  # models.Stage
    severity: str  # models.IssueSeverity
    title: str | Promise  # short, translatable: what is wrong
    find: Callable[[], Iterable[Finding]]
    due_days: int = 15  # days the owner has to correct it [Prop]
