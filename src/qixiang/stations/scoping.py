"""Which stations a visitor sees: a regional user sees their region, everyone else all.

Station data is public, so anonymous visitors see the whole network; a signed-in user with a
region (GB/T 2260 code) works on their own area and sees the stations whose division code starts
with the region's prefix (:func:`qixiang.accounts.models.region_prefix`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from qixiang.stations.models import Station


def user_region_prefix(user) -> str:
    """The division-code prefix that scopes ``user``; empty for anonymous and national users."""
    if user is None or not user.is_authenticated:
        return ""
    return getattr(user, "region_prefix", "") or ""


def visible_stations(user) -> QuerySet[Station]:
    """Registered stations ``user`` may see on maps and station pages."""
    stations = Station.objects.all()
    prefix = user_region_prefix(user)
    if prefix:
        stations = stations.filter(division_code__startswith=prefix)
    return stations
