"""``{{ seconds|duration }}``: a latency the way an operator reads it (ms, s or min)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """``0.0123`` -> ``"12 ms"``, ``4.56`` -> ``"4.6 s"``, ``190`` -> ``"3.2 min"``; None -> ``"—"``."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"
