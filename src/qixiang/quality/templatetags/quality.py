"""Template filters of the quality pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """A share (0-1) as a percentage, "—" when there is none."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f} %"


@register.filter
def level(value: float | None) -> str:
    """A CSS badge class for an availability against the plan's 98 % target."""
    if value is None:
        return ""
    return "ok" if value >= 0.98 else "warn" if value >= 0.9 else "bad"
