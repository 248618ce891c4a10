"""The numbers the operations dashboard and /metrics show, each one aggregate query.

Every figure reads an indexed time window, never a whole table, so the dashboard stays cheap on
an archive of millions of rows:

- messages per minute and the per-channel balance come from ``ingest.StageCount`` (one row per
  minute, stage and channel; its unique key leads with ``minute``);
- latency reads ``ingest.RawMessage`` through its ``(status, received_at)`` index;
- stations reporting walks ``RawMessage.received_at`` and reads observations by their message
  (``Observation.message_id`` is indexed; see :func:`qixiang.stations.latest.reported_since`);
- rejects are grouped in SQL by their full reason over the window, then folded in Python into
  their first clause (a bounded number of distinct reasons, see :data:`MAX_DISTINCT_REASONS`).

Windows end at ``now`` (UTC); "today" is the Beijing calendar day.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Sum

from qixiang.ingest.archive import STAGE
from qixiang.ingest.models import RawMessage, StageCount
from qixiang.stations.latest import reported_since
from qixiang.stations.models import Station

BEIJING = ZoneInfo("Asia/Shanghai")
CHART_MINUTES = 60
RECENT_MINUTES = 10
REJECT_HOURS = 24
TOP_REASONS = 10
EXAMPLES_PER_REASON = 3
MAX_DISTINCT_REASONS = 5000  # distinct reason texts read per window; the rest count as "other"
OUTCOMES = ("stored", "duplicates", "rejected", "undecoded")


@dataclass(slots=True)
class MinuteCounts:
    minute: datetime
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    undecoded: int = 0


@dataclass(slots=True)
class StationsReporting:
    reporting: int  # registered stations with observations received in the window
    registered: int
    unregistered: int  # identifiers reporting that the registry does not know
    minutes: int = RECENT_MINUTES

    @property
    def percent(self) -> float | None:
        return 100.0 * self.reporting / self.registered if self.registered else None


@dataclass(slots=True)
class Latency:
    p50: float | None  # seconds, receipt to stored
    p95: float | None
    samples: int
    minutes: int = RECENT_MINUTES


@dataclass(slots=True)
class RejectExample:
    id: int
    origin: str
    received_at: datetime
    reason: str
    admin_url: str = ""  # filled by the page layer when the admin shows the raw archive


@dataclass(slots=True)
class RejectGroup:
    clause: str
    count: int
    latest_at: datetime
    examples: list[RejectExample] = field(default_factory=list)


@dataclass(slots=True)
class ChannelBalance:
    channel: str
    received: int
    stored: int
    duplicates: int
    rejected: int
    undecoded: int

    @property
    def accounted(self) -> int:
        return self.stored + self.duplicates + self.rejected + self.undecoded

    @property
    def balanced(self) -> bool:
        """``in = stored + duplicates + rejected + undecoded``."""
        return self.received == self.accounted


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def beijing_day_start(now: datetime | None = None) -> datetime:
    """00:00 Beijing time of the day containing ``now``, in UTC."""
    local = _now(now).astimezone(BEIJING)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def messages_per_minute(now: datetime | None = None,
                        minutes: int = CHART_MINUTES) -> list[MinuteCounts]:
    """Ingest outcomes per minute over the last ``minutes`` minutes, empty minutes as zeros."""
    end = _now(now).replace(second=0, microsecond=0)
    start = end - timedelta(minutes=minutes - 1)
    rows = (
        StageCount.objects.filter(stage=STAGE, minute__gte=start, minute__lte=end)
        .values("minute")
        .annotate(received=Sum("received"), stored=Sum("stored"), duplicates=Sum("duplicates"),
                  rejected=Sum("rejected"), undecoded=Sum("undecoded"))
    )
    by_minute = {r["minute"].astimezone(UTC): r for r in rows}
    result = []
    for i in range(minutes):
        minute = start + timedelta(minutes=i)
        r = by_minute.get(minute, {})
        result.append(MinuteCounts(minute, *(r.get(k) or 0 for k in
                                             ("received", *OUTCOMES))))
    return result


def stations_reporting(now: datetime | None = None,
                       minutes: int = RECENT_MINUTES) -> StationsReporting:
    """Distinct stations whose observations were received in the last ``minutes`` minutes."""
    reporting = reported_since(_now(now) - timedelta(minutes=minutes))
    registered = set(Station.objects.values_list("cma_id", flat=True))
    known = len(reporting & registered)
    return StationsReporting(known, len(registered), len(reporting) - known, minutes)


def _percentile_offset(count: int, fraction: float) -> int:
    """0-based rank of the nearest-rank percentile among ``count`` sorted values."""
    return max(0, math.ceil(fraction * count) - 1)


def latency(now: datetime | None = None, minutes: int = RECENT_MINUTES) -> Latency:
    """p50 and p95 of receipt-to-stored time of messages received in the last ``minutes``."""
    since = _now(now) - timedelta(minutes=minutes)
    stored = RawMessage.objects.filter(status=RawMessage.Status.DECODED, received_at__gte=since,
                                       stored_at__isnull=False)
    samples = stored.count()
    if not samples:
        return Latency(None, None, 0, minutes)
    delay = ExpressionWrapper(F("stored_at") - F("received_at"), output_field=DurationField())
    ordered = stored.annotate(delay=delay).order_by("delay").values_list("delay", flat=True)

    def at(fraction: float) -> float:
        return ordered[_percentile_offset(samples, fraction)].total_seconds()

    return Latency(at(0.50), at(0.95), samples, minutes)


# A reason names the input first ("obs.json: ..."), then where in it ("object 3", "line 12",
# "report 4 (station 15015)"), then what is wrong. Grouping keeps what is wrong, with positions
# and quoted values that carry digits ("'2026-13-01'", "group '1////'") made generic.
_PLACES = r"(?:object|report|line|row|message|record|subset|bulletin|position|column|byte)"
_POSITION = re.compile(rf"\b({_PLACES})\s+\d+\b", re.IGNORECASE)
_QUOTED_DIGITS = re.compile(r"'[^']*\d[^']*'|\"[^\"]*\d[^\"]*\"")
_LOCATOR = re.compile(rf"^{_PLACES}\s+#(?:\s*\(.*\))?$|^station\s+\S+$", re.IGNORECASE)


def reason_clause(reason: str) -> str:
    """The kind of fault a reason names: its first clause once the input and the position in it
    are dropped (``"a.json: object 3, field 'time': 'x' is not ..."`` -> ``"field 'time'"``)."""
    text = _QUOTED_DIGITS.sub("'…'", _POSITION.sub(r"\1 #", (reason or "").strip()))
    head, sep, rest = text.partition(": ")
    for clause in (rest.split(": ") if sep else [text]):
        kept = [p.strip() for p in clause.split(",") if p.strip() and not _LOCATOR.match(p.strip())]
        if kept:
            return ", ".join(kept)[:160]
    return head[:160] or "?"


def rejects_by_reason(now: datetime | None = None, hours: int = REJECT_HOURS,
                      top: int = TOP_REASONS,
                      examples: int = EXAMPLES_PER_REASON) -> tuple[int, list[RejectGroup]]:
    """Rejected messages of the last ``hours`` hours: the total and the ``top`` reason groups,
    each with its latest ``examples`` (newest first)."""
    since = _now(now) - timedelta(hours=hours)
    rejected = RawMessage.objects.filter(status=RawMessage.Status.REJECTED,
                                         received_at__gte=since)
    total = rejected.count()
    if not total:
        return 0, []
    distinct = (
        rejected.values("reason")
        .annotate(n=Count("id"), latest_id=Max("id"), latest_at=Max("received_at"))
        .order_by("-latest_at")[:MAX_DISTINCT_REASONS]
    )
    groups: dict[str, RejectGroup] = {}
    example_ids: dict[str, list[int]] = {}
    for row in distinct:
        clause = reason_clause(row["reason"])
        group = groups.get(clause)
        if group is None:
            group = groups[clause] = RejectGroup(clause, 0, row["latest_at"])
            example_ids[clause] = []
        group.count += row["n"]
        if len(example_ids[clause]) < examples:
            example_ids[clause].append(row["latest_id"])
    counted = sum(g.count for g in groups.values())
    if counted < total:
        groups["…"] = RejectGroup("…", total - counted, since)
        example_ids["…"] = []
    ranked = sorted(groups.values(), key=lambda g: (-g.count, g.clause))[:top]
    wanted = [pk for g in ranked for pk in example_ids[g.clause]]
    found = {m.pk: m for m in RawMessage.objects.filter(pk__in=wanted)
             .only("id", "origin", "received_at", "reason")}
    for g in ranked:
        g.examples = [RejectExample(m.pk, m.origin, m.received_at, m.reason)
                      for m in (found.get(pk) for pk in example_ids[g.clause]) if m]
        g.examples.sort(key=lambda e: e.received_at, reverse=True)
    return total, ranked


def _balances(rows) -> list[ChannelBalance]:
    return [ChannelBalance(r["channel"], *(r[k] or 0 for k in ("received", *OUTCOMES)))
            for r in rows]


def _sum_by_channel(queryset):
    return (queryset.filter(stage=STAGE).values("channel")
            .annotate(received=Sum("received"), stored=Sum("stored"),
                      duplicates=Sum("duplicates"), rejected=Sum("rejected"),
                      undecoded=Sum("undecoded"), values=Sum("values"))
            .order_by("channel"))


def balance_today(now: datetime | None = None) -> list[ChannelBalance]:
    """Per channel since 00:00 Beijing time: ``in`` and where every message went."""
    return _balances(_sum_by_channel(
        StageCount.objects.filter(minute__gte=beijing_day_start(now))))


def totals(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """All-time ingest counts per channel (for Prometheus counters).

    Stage counts of a past UTC day never change (each increment goes to the minute it happens),
    so the sum before today is cached per day and only today's rows are summed on each scrape.
    """
    day = _now(now).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    key = f"qixiang:monitoring:totals-before:{day:%Y%m%d}"
    closed = cache.get(key)
    if closed is None:
        closed = {r["channel"]: r for r in _sum_by_channel(
            StageCount.objects.filter(minute__lt=day))}
        cache.set(key, closed, timeout=2 * 86400)
    result: dict[str, dict[str, int]] = {}
    for rows in (closed.values(), _sum_by_channel(StageCount.objects.filter(minute__gte=day))):
        for r in rows:
            into = result.setdefault(r["channel"], dict.fromkeys(
                ("received", *OUTCOMES, "values"), 0))
            for k in into:
                into[k] += r[k] or 0
    return result
