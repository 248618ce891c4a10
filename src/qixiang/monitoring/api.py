"""JSON API routes of the monitoring app."""

from __future__ import annotations

from ninja import Router, Schema

from qixiang.monitoring import summary as dashboard
from qixiang.observations.series import rfc3339

router = Router(tags=["monitoring"])


class PerMinuteOut(Schema):
    minutes: list[str]
    received: list[int]
    stored: list[int]
    duplicates: list[int]
    rejected: list[int]
    undecoded: list[int]


class StationsOut(Schema):
    reporting: int
    registered: int
    unregistered: int
    window_minutes: int


class LatencyOut(Schema):
    p50_seconds: float | None
    p95_seconds: float | None
    samples: int
    window_minutes: int


class RejectExampleOut(Schema):
    id: int
    origin: str
    received_at: str
    reason: str
    admin_url: str


class RejectGroupOut(Schema):
    clause: str
    count: int
    latest_at: str
    examples: list[RejectExampleOut]


class BalanceOut(Schema):
    channel: str
    received: int
    stored: int
    duplicates: int
    rejected: int
    undecoded: int
    balanced: bool


class SummaryOut(Schema):
    generated_at: str
    received_last_minute: int
    received_last_hour: int
    per_minute: PerMinuteOut
    stations: StationsOut
    latency: LatencyOut
    rejected_last_24h: int
    rejects: list[RejectGroupOut]
    today: list[BalanceOut]


@router.get("/summary", response=SummaryOut, url_name="monitoring_summary",
            summary="The operations dashboard's figures")
def summary(request):
    """Messages per minute over the last hour (by outcome), stations reporting and receipt-to-
    stored latency (p50/p95) over the last 10 minutes, rejects of the last 24 h grouped by the
    first clause of their reason, and per channel since 00:00 Beijing time ``received = stored +
    duplicates + rejected + undecoded``. Times are RFC 3339 UTC."""
    s = dashboard.collect()
    return {
        "generated_at": rfc3339(s.generated_at),
        "received_last_minute": s.received_last_minute,
        "received_last_hour": s.received_window,
        "per_minute": {
            "minutes": [rfc3339(m.minute) for m in s.per_minute],
            **{k: [getattr(m, k) for m in s.per_minute]
               for k in ("received", "stored", "duplicates", "rejected", "undecoded")},
        },
        "stations": {"reporting": s.stations.reporting, "registered": s.stations.registered,
                     "unregistered": s.stations.unregistered,
                     "window_minutes": s.stations.minutes},
        "latency": {"p50_seconds": s.latency.p50, "p95_seconds": s.latency.p95,
                    "samples": s.latency.samples, "window_minutes": s.latency.minutes},
        "rejected_last_24h": s.rejected_total,
        "rejects": [
            {"clause": g.clause, "count": g.count, "latest_at": rfc3339(g.latest_at),
             "examples": [{"id": e.id, "origin": e.origin, "received_at": rfc3339(e.received_at),
                           "reason": e.reason, "admin_url": e.admin_url}
                          for e in g.examples]}
            for g in s.rejects
        ],
        "today": [{"channel": b.channel, "received": b.received, "stored": b.stored,
                   "duplicates": b.duplicates, "rejected": b.rejected,
                   "undecoded": b.undecoded, "balanced": b.balanced} for b in s.today],
    }
