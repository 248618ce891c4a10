"""One snapshot of the dashboard's numbers, shared by the page fragment and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from qixiang.ingest.models import RawMessage
from qixiang.monitoring import metrics


@dataclass(slots=True)
class Summary:
    generated_at: datetime
    per_minute: list[metrics.MinuteCounts]
    stations: metrics.StationsReporting
    latency: metrics.Latency
    rejected_total: int
    rejects: list[metrics.RejectGroup]
    today: list[metrics.ChannelBalance]

    @property
    def received_last_minute(self) -> int:
        """The last complete minute (the current one is still filling)."""
        return self.per_minute[-2].received if len(self.per_minute) > 1 else 0

    @property
    def received_window(self) -> int:
        return sum(m.received for m in self.per_minute)

    @property
    def today_total(self) -> metrics.ChannelBalance:
        t = metrics.ChannelBalance("", 0, 0, 0, 0, 0)
        for b in self.today:
            t.received += b.received
            t.stored += b.stored
            t.duplicates += b.duplicates
            t.rejected += b.rejected
            t.undecoded += b.undecoded
        return t


def collect(now: datetime | None = None) -> Summary:
    """Every dashboard figure as of ``now``."""
    now = now or datetime.now(UTC)
    total, groups = metrics.rejects_by_reason(now)
    for group in groups:
        for example in group.examples:
            example.admin_url = dead_letter_url(example.id)
    return Summary(
        generated_at=now,
        per_minute=metrics.messages_per_minute(now),
        stations=metrics.stations_reporting(now),
        latency=metrics.latency(now),
        rejected_total=total,
        rejects=groups,
        today=metrics.balance_today(now),
    )


def dead_letter_url(pk: int | None = None) -> str:
    """The admin page of a dead letter (or their list when ``pk`` is None); empty if the admin
    does not show the raw archive."""
    if not admin.site.is_registered(RawMessage):
        return ""
    try:
        if pk is None:
            return reverse("admin:ingest_rawmessage_changelist") + "?status__exact=rejected"
        return reverse("admin:ingest_rawmessage_change", args=[pk])
    except NoReverseMatch:
        return ""
