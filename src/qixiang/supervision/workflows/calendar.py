"""Date arithmetic the workflows need: months for inspection periods, working days for uploads.

Working days skip Saturdays and Sundays only; official holidays and their swapped working days
change every year and are not known here, so a deadline may fall a holiday short (the rules
quoted in the spec say "10 working days").
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's end (31 Aug + 6 -> 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The ``days``-th weekday after ``day``."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
