"""Template helpers of the supervision pages: the unread count, state badges, notification text."""

from __future__ import annotations

from django import template

from qixiang.supervision import notifications as news
from qixiang.supervision import scoping

register = template.Library()

# How a state looks: settled well, settled badly, waiting on someone.
GOOD = frozenset({"closed", "accepted", "cleared", "passed", "pass", "verified", "uploaded"})
BAD = frozenset({"overdue", "escalated", "rejected", "flagged", "confirmed_false", "failed",
                 "fail", "review", "cancelled"})


@register.filter
def state_class(value: str) -> str:
    """The badge class for a state value: ok, bad or warn."""
    if value in GOOD:
        return "ok"
    if value in BAD:
        return "bad"
    return "warn"


@register.simple_tag
def unread_notifications(user) -> int:
    return news.unread(user)


@register.simple_tag
def supervision_kind(user) -> str:
    return scoping.actor_kind(user) or ""


@register.filter
def notification_text(notification) -> str:
    return news.text(notification)


@register.filter
def notification_link(notification) -> str:
    return news.link(notification)
