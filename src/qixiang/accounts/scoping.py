"""What part of the network a user may see: the stations of their region.

A user with a region (GB/T 2260 code) sees the stations whose division code starts with the
region's prefix (``440000`` -> ``44``, ``440100`` -> ``4401``; see
:func:`qixiang.accounts.models.region_prefix`). Administrators, superusers, users without a
region and anonymous visitors (station data is public) see the whole network. Pages and APIs
filter through these functions so the rule lives in one place.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qixiang.accounts.models import Role
from qixiang.stations.models import Station


def region_prefix_of(user) -> str:
    """The division-code prefix that limits ``user``; empty when nothing limits them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser or getattr(user, "role", "") == Role.ADMINISTRATOR:
        return ""
    return getattr(user, "region_prefix", "") or ""


def scope_stations(user, queryset: QuerySet[Station] | None = None) -> QuerySet[Station]:
    """``queryset`` (all stations by default) limited to the stations ``user`` may see."""
    queryset = Station.objects.all() if queryset is None else queryset
    prefix = region_prefix_of(user)
    return queryset.filter(division_code__startswith=prefix) if prefix else queryset


def scope_by_station(user, queryset: QuerySet, field: str = "station_id") -> QuerySet:
    """Rows of ``queryset`` (observations, products...) whose ``field`` names a visible station.

    A limited user does not see rows of stations missing from the registry: their region is
    unknown.
    """
    prefix = region_prefix_of(user)
    if not prefix:
        return queryset
    visible = Station.objects.filter(division_code__startswith=prefix).values("cma_id")
    return queryset.filter(**{f"{field}__in": visible})


def can_see_station(user, station: Station) -> bool:
    return (station.division_code or "").startswith(region_prefix_of(user))


def require_station(user, station: Station) -> Station:
    """``station`` when ``user`` may see it; raises ``PermissionDenied`` otherwise."""
    if not can_see_station(user, station):
        raise PermissionDenied(_("Station %(station)s is outside your region.")
                               % {"station": station.cma_id})
    return station
