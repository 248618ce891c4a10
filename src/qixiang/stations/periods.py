"""The period a station page shows, from its query string, in Beijing time.

The form offers the last 24 h, 3 days or 7 days, or a start and end typed as Beijing wall-clock
time (``datetime-local`` inputs carry no zone); the API is then asked in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

BEIJING = ZoneInfo("Asia/Shanghai")
CHOICES_HOURS = (24, 72, 168)
DEFAULT_HOURS = 24
MAX_DAYS = 31


@dataclass(slots=True)
class Period:
    start: datetime  # UTC
    end: datetime  # UTC
    hours: int | None  # one of CHOICES_HOURS, or None for a custom period
    error: str = ""


def _parse_local(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=BEIJING)
    except ValueError:
        return None


def period_from_query(query, now: datetime | None = None) -> Period:
    """The period asked for by ``?hours=`` or ``?start=&end=`` (Beijing), else the last 24 h."""
    now = now or datetime.now(UTC)
    start_text, end_text = query.get("start", ""), query.get("end", "")
    if start_text or end_text:
        start, end = _parse_local(start_text), _parse_local(end_text) if end_text else now
        fallback = now - timedelta(hours=DEFAULT_HOURS), now, DEFAULT_HOURS
        if start is None or end is None:
            text = start_text if start is None else end_text
            return Period(*fallback, error=_("Not a date and time: %(text)s") % {"text": text})
        if start >= end or end - start > timedelta(days=MAX_DAYS):
            return Period(*fallback, error=_(
                "The start must come before the end, at most %(days)d days apart."
            ) % {"days": MAX_DAYS})
        return Period(start.astimezone(UTC), end.astimezone(UTC), None)
    try:
        hours = int(query.get("hours", DEFAULT_HOURS))
    except ValueError:
        hours = DEFAULT_HOURS
    if hours not in CHOICES_HOURS:
        hours = DEFAULT_HOURS
    return Period(now - timedelta(hours=hours), now, hours)
