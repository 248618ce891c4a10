"""Review of flagged values: an operator confirms or overrides a value's flag, with a reason.

A decision sets the value's CMA flag to 0 (correct), 1 (suspect), 2 (wrong), 3 (corrected, with
the corrected value) or 4 (modified, optionally with a new value). The decision is logged
(:class:`~qixiang.quality.models.Review`: who, when, why, flag and value before and after, and
the checks that had fired); a changed value moves the old one to
:class:`~qixiang.observations.models.Revision`, as a correction message would (the replacing
"message" is the value's own: the reviewer, not a new message, replaced it). The hour's quality
summary is marked stale so the indicators follow. Only operators and administrators may decide,
and only on stations of their region.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qixiang.accounts.auth import has_role
from qixiang.accounts.models import Role
from qixiang.accounts.scoping import region_prefix_of, scope_by_station
from qixiang.observations.models import Observation, QCFlag, Revision
from qixiang.quality import summary
from qixiang.quality.models import Review
from qixiang.stations.models import Station

REVIEWERS = (Role.OPERATOR, Role.ADMINISTRATOR)
DECISIONS = (QCFlag.CORRECT, QCFlag.SUSPECT, QCFlag.WRONG, QCFlag.CORRECTED, QCFlag.MODIFIED)
FLAGGED = (QCFlag.SUSPECT, QCFlag.WRONG)
FLAGGED_SQL = '"observations_observation"."qc_flag" IN (1, 2)'  # = the index obs_flagged


def may_review(user) -> bool:
    return bool(user and user.is_authenticated and has_role(user, *REVIEWERS))


def require_reviewer(user) -> None:
    if not may_review(user):
        raise PermissionDenied(_("Only operators and administrators may review QC flags."))


@dataclass(slots=True)
class Filters:
    element: str = ""
    station: str = ""
    province: str = ""  # division-code prefix (2 digits) or province name
    start: datetime | None = None
    end: datetime | None = None
    flag: int | None = None  # 1 or 2; None = both
    pending: bool = True  # only values not reviewed since they were stored


def flagged(user, filters: Filters) -> QuerySet[Observation]:
    """Suspect and wrong values ``user`` may see, newest first, by ``filters``."""
    # The partial index's own condition, written out: a planner matches it only with the same
    # literal values (SQLite does not see through bound parameters).
    rows = Observation.objects.extra(where=[f"{FLAGGED_SQL}"])
    if filters.flag in FLAGGED:
        rows = rows.filter(qc_flag=filters.flag)
    if filters.element:
        rows = rows.filter(element=filters.element)
    if filters.station:
        rows = rows.filter(station_id=filters.station)
    if filters.start:
        rows = rows.filter(time__gte=filters.start)
    if filters.end:
        rows = rows.filter(time__lte=filters.end)
    if filters.province:
        stations = Station.objects.filter(division_code__startswith=filters.province) \
            if filters.province.isdigit() else Station.objects.filter(province=filters.province)
        rows = rows.filter(station_id__in=stations.values("cma_id"))
    if filters.pending:
        later = Review.objects.filter(station_id=OuterRef("station_id"),
                                      element=OuterRef("element"), time=OuterRef("time"),
                                      reviewed_at__gte=OuterRef("received_at"))
        rows = rows.filter(~Exists(later))
    return scope_by_station(user, rows).order_by("-time", "station_id", "element")


def decide(user, observation: Observation, new_flag: int, reason: str,
           new_value: float | None = None) -> Review:
    """Apply ``user``'s decision on ``observation`` and log it (see the module docstring)."""
    require_reviewer(user)
    prefix = region_prefix_of(user)
    if prefix and not Station.objects.filter(cma_id=observation.station_id,
                                             division_code__startswith=prefix).exists():
        raise PermissionDenied(_("Station %(station)s is outside your region.")
                               % {"station": observation.station_id})
    if new_flag not in DECISIONS:
        raise ValidationError(_("flag: choose 0, 1, 2, 3 or 4"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("reason: say why"))
    if new_flag == QCFlag.CORRECTED and new_value is None:
        raise ValidationError(_("value: a corrected value (flag 3) needs the corrected value"))
    if new_flag not in (QCFlag.CORRECTED, QCFlag.MODIFIED) and new_value is not None:
        raise ValidationError(_("value: only flags 3 and 4 change the value"))
    now = timezone.now()
    with transaction.atomic():
        current = Observation.objects.select_for_update().get(pk=observation.pk)
        changed = new_value is not None and new_value != current.value
        if changed:
            Revision.objects.create(
                station_id=current.station_id, time=current.time, element=current.element,
                value=current.value, qc_flag=current.qc_flag, message_id=current.message_id,
                replaced_by_id=current.message_id, replaced_at=now)
        review = Review.objects.create(
            station_id=current.station_id, element=current.element, time=current.time,
            old_flag=current.qc_flag, new_flag=new_flag, old_value=current.value,
            new_value=new_value if changed else current.value, old_checks=current.qc_checks,
            old_reason=current.qc_reason or "", reason=reason, reviewer=user,
            reviewer_name=user.get_username())
        current.qc_flag = new_flag
        fields = ["qc_flag"]
        if changed:
            current.value = new_value
            fields.append("value")
        current.save(update_fields=fields)
        transaction.on_commit(lambda: summary.mark_stale([current.time]))
    return review
