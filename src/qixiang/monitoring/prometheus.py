"""The Prometheus text exposition of the ingest: counters per channel and outcome, latency.

Counters come from the stage counts (all time, see :func:`metrics.totals`), so they are the same
for every process of the platform and survive restarts. Latency quantiles are over the last 10
minutes, exposed as gauges because the window slides.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from qixiang.monitoring import metrics

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class IngestCollector:
    """Reads the database on each scrape; registered in a registry of its own per request."""

    def collect(self) -> Iterator[Metric]:
        messages = CounterMetricFamily(
            "qixiang_ingest_messages",
            "Messages by channel and outcome (received = stored + duplicates + rejected + "
            "undecoded).",
            labels=["channel", "outcome"])
        values = CounterMetricFamily("qixiang_ingest_values", "Values stored, by channel.",
                                     labels=["channel"])
        for channel, counts in sorted(metrics.totals().items()):
            for outcome in ("received", *metrics.OUTCOMES):
                messages.add_metric([channel, outcome], counts[outcome])
            values.add_metric([channel], counts["values"])
        yield messages
        yield values

        latency = metrics.latency()
        quantiles = GaugeMetricFamily(
            "qixiang_ingest_latency_seconds",
            f"Receipt-to-stored time of messages received in the last {latency.minutes} "
            "minutes (nearest-rank quantile; absent when none).",
            labels=["quantile"])
        for q, v in (("0.5", latency.p50), ("0.95", latency.p95)):
            if v is not None:
                quantiles.add_metric([q], v)
        yield quantiles
        yield GaugeMetricFamily(
            "qixiang_ingest_latency_samples",
            f"Messages stored among those received in the last {latency.minutes} minutes.",
            value=latency.samples)

        reporting = metrics.stations_reporting()
        yield GaugeMetricFamily("qixiang_stations_registered", "Stations in the registry.",
                                value=reporting.registered)
        yield GaugeMetricFamily(
            "qixiang_stations_reporting",
            f"Registered stations with observations received in the last {reporting.minutes} "
            "minutes.", value=reporting.reporting)


def exposition() -> bytes:
    """The current metrics in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(IngestCollector())
    return generate_latest(registry)
