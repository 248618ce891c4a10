"""Data quality of the supervision records: rules per life-cycle stage and the issues they raise.

One module per stage (:mod:`.capture`, :mod:`.exchange`, :mod:`.storage`, :mod:`.use`) registers
its rules with :func:`rule`; :func:`get_rule` and :func:`rules` read the registry (the contract
is in :mod:`.interface`). :func:`qixiang.supervision.quality.runner.run` applies them
(``qixiang supervision quality``). :func:`raise_issue` and :func:`resolve_issues` are for code
that notices a problem at the moment it happens (an identifier failing its check on import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.functional import Promise

from qixiang.supervision.quality.interface import Finding, Rule
from qixiang.supervision.quality.issues import (
    DEFAULT_DAYS,
    OPEN,
    fingerprint,
    raise_issue,
    resolve_issues,
)

_RULES: dict[str, Rule] = {}


def rule(name: str, stage: str, severity: str, title: str | Promise, *,
         due_days: int = DEFAULT_DAYS) -> Callable:
    """Decorator registering ``find()`` as the rule ``name`` of ``stage``."""
    def register(find: Callable[[], Iterable[Finding]]) -> Callable:
        if name in _RULES:
            raise ValueError(f"data quality rule {name!r} is registered twice")
        _RULES[name] = Rule(name, stage, severity, title, find, due_days)
        return find
    return register


def _load() -> None:
    from qixiang.supervision.quality import capture, exchange, storage, use  # noqa: F401


def rules(stage: str | None = None) -> list[Rule]:
    """The registered rules (of one stage), in stage order then by name."""
    _load()
    order = {"capture": 0, "exchange": 1, "storage": 2, "use": 3}
    found = [r for r in _RULES.values() if stage is None or r.stage == stage]
    return sorted(found, key=lambda r: (order.get(r.stage, 9), r.name))


def get_rule(name: str) -> Rule:
    """The rule called ``name``; KeyError naming the known rules otherwise."""
    _load()
    try:
        return _RULES[name]
    except KeyError:
        raise KeyError(f"unknown data quality rule {name!r}; known: "
                       f"{', '.join(sorted(_RULES))}") from None


__all__ = ["DEFAULT_DAYS", "OPEN", "Finding", "Rule", "fingerprint", "get_rule", "raise_issue",
           "resolve_issues", "rule", "rules"]
