"""The operations dashboard's figures, its pages, its JSON summary and /metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from qixiang.ingest.models import RawMessage, StageCount
from qixiang.monitoring import metrics
from tests.feed import feed, obs, station

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def now() -> datetime:
    return datetime.now(UTC)


def bad_time(station_id: str) -> dict:
    return {"station": station_id, "time": "2026-13-01T00:00:00Z", "values": {"TEM": 1.0}}


def test_messages_per_minute_counts_every_outcome_in_the_current_minute():
    t = now()
    feed(obs("54511", t, TEM=1.0), obs("54527", t, TEM=2.0), obs("54511", t - timedelta(hours=1),
                                                                   TEM=3.0), bad_time("54511"))
    feed(obs("54511", t, TEM=1.0))  # the same object again: a duplicate

    minutes = metrics.messages_per_minute()

    assert len(minutes) == metrics.CHART_MINUTES
    assert minutes[-1].minute == now().replace(second=0, microsecond=0)
    last = minutes[-1]
    assert (last.received, last.stored, last.duplicates, last.rejected) == (5, 3, 1, 1)
    assert sum(m.received for m in minutes[:-1]) == 0  # empty minutes are zeros


def test_messages_per_minute_leaves_out_minutes_before_the_window():
    end = now().replace(second=0, microsecond=0)
    StageCount.objects.create(minute=end - timedelta(minutes=60), stage="ingest", channel="http",
                              received=7, stored=7)
    StageCount.objects.create(minute=end - timedelta(minutes=59), stage="ingest", channel="http",
                              received=4, stored=4)

    minutes = metrics.messages_per_minute(end)

    assert minutes[0].received == 4
    assert sum(m.received for m in minutes) == 4


def test_balance_today_holds_in_equals_stored_duplicates_rejected_undecoded_per_channel():
    t = now()
    feed(obs("54511", t, TEM=1.0), bad_time("54511"), channel="http")
    feed(obs("54511", t, TEM=1.0), channel="http")
    feed(obs("54527", t, TEM=5.0), channel="file", origin="a.json")

    by_channel = {b.channel: b for b in metrics.balance_today()}

    http = by_channel["http"]
    assert (http.received, http.stored, http.duplicates, http.rejected, http.undecoded) == \
        (3, 1, 1, 1, 0)
    assert http.balanced and by_channel["file"].balanced
    assert by_channel["file"].received == 1


def test_balance_today_flags_a_channel_whose_counts_do_not_add_up():
    StageCount.objects.create(minute=now().replace(second=0, microsecond=0), stage="ingest",
                              channel="mqtt", received=10, stored=8, rejected=1)

    (mqtt,) = metrics.balance_today()

    assert not mqtt.balanced
    assert mqtt.accounted == 9


def test_today_starts_at_midnight_beijing_time():
    at = datetime(2026, 11, 21, 16, 30, tzinfo=UTC)  # 00:30 on 22 Nov in Beijing
    StageCount.objects.create(minute=datetime(2026, 11, 21, 15, 59, tzinfo=UTC), stage="ingest",
                              channel="http", received=2, stored=2)
    StageCount.objects.create(minute=datetime(2026, 11, 21, 16, 0, tzinfo=UTC), stage="ingest",
                              channel="http", received=3, stored=3)

    assert metrics.beijing_day_start(at) == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
    assert [b.received for b in metrics.balance_today(at)] == [3]


def test_stations_reporting_counts_registered_stations_received_in_the_last_ten_minutes():
    for cma_id in ("54511", "54527", "59287"):
        station(cma_id)
    t = now()
    feed(obs("54511", t, TEM=1.0), obs("X9999", t, TEM=1.0))
    feed(obs("54527", t, TEM=2.0), received_at=t - timedelta(minutes=20), origin="late.json")

    figures = metrics.stations_reporting()

    assert (figures.reporting, figures.registered, figures.unregistered) == (1, 3, 1)
    assert figures.percent == pytest.approx(100 / 3)


def _archived(n: int, *, received_at: datetime, delay_s: float,
              status: str = RawMessage.Status.DECODED, reason: str = "",
              origin: str = "x.json") -> RawMessage:
    return RawMessage.objects.create(
        sha256=f"{n:064x}", payload=b"{}", codec="json", channel="http", origin=origin,
        status=status, reason=reason, received_at=received_at,
        stored_at=received_at + timedelta(seconds=delay_s))


def test_latency_is_nearest_rank_p50_and_p95_of_receipt_to_stored():
    t = now() - timedelta(minutes=1)
    for n in range(1, 101):
        _archived(n, received_at=t, delay_s=n)
    _archived(500, received_at=t - timedelta(minutes=30), delay_s=999)  # outside the window
    _archived(501, received_at=t, delay_s=999, status=RawMessage.Status.REJECTED, reason="r")

    figures = metrics.latency()

    assert (figures.p50, figures.p95, figures.samples) == (50.0, 95.0, 100)


def test_latency_without_messages_is_unknown_not_zero():
    figures = metrics.latency()
    assert (figures.p50, figures.p95, figures.samples) == (None, None, 0)


@pytest.mark.parametrize(("reason", "clause"), [
    ("a.json: object 3, field 'time': '2026-13-01' is not an RFC 3339 date-time", "field 'time'"),
    ("demo/54511: not valid JSON: Expecting value at line 1 column 1 (char 0)", "not valid JSON"),
    ("WX.00: report 3 (station 15015): group '1////' (Nddff): wind direction 40 is not 00-36",
     "group '…' (Nddff)"),
    ("a.csv: message 3, station '54511', field TEM: unknown element code", "field TEM"),
    ("a.bufr: internal decoder error after message 3: ValueError: x",
     "internal decoder error after message #"),
    ("WX.00: report 7 (station 15015): NIL report: the station sent no observation", "NIL report"),
])
def test_reason_clause_drops_the_input_and_the_position_in_it(reason, clause):
    assert metrics.reason_clause(reason) == clause


def test_rejects_are_grouped_by_first_clause_with_the_latest_examples():
    t = now()
    for k in range(4):
        feed(bad_time(f"5451{k}"), origin=f"batch{k}.json", received_at=t - timedelta(minutes=k))
    feed({"station": "54511", "time": "2026-11-21T00:00:00Z", "values": {"TEM": "warm"}},
         origin="other.json")
    _archived(900, received_at=t - timedelta(hours=25), delay_s=0, reason="old.json: too old",
              status=RawMessage.Status.REJECTED)

    total, groups = metrics.rejects_by_reason()

    assert total == 5
    assert [(g.clause, g.count) for g in groups] == [("field 'time'", 4),
                                                     ("field 'values.TEM'", 1)]
    examples = groups[0].examples
    assert len(examples) == metrics.EXAMPLES_PER_REASON
    assert [e.origin for e in examples] == ["batch0.json", "batch1.json", "batch2.json"]
    assert "is not an RFC 3339 date-time" in examples[0].reason


def test_rejects_keep_only_the_top_reasons():
    t = now()
    for n in range(12):
        for k in range(n + 1):
            _archived(n * 100 + k, received_at=t, delay_s=0, status=RawMessage.Status.REJECTED,
                      reason=f"x.json: object {k}, field 'f{chr(97 + n)}': bad")

    total, groups = metrics.rejects_by_reason()

    assert total == sum(range(1, 13))
    assert len(groups) == metrics.TOP_REASONS
    assert groups[0].clause == "field 'fl'" and groups[0].count == 12


def test_totals_add_closed_days_and_today():
    today = now().replace(hour=0, minute=0, second=0, microsecond=0)
    StageCount.objects.create(minute=today - timedelta(days=3), stage="ingest", channel="http",
                              received=10, stored=9, rejected=1, values=40)
    StageCount.objects.create(minute=today + timedelta(minutes=1), stage="ingest",
                              channel="http", received=2, stored=1, duplicates=1, values=3)
    StageCount.objects.create(minute=today, stage="qc", channel="http", received=99)

    http = metrics.totals()["http"]

    assert http == {"received": 12, "stored": 10, "duplicates": 1, "rejected": 1,
                    "undecoded": 0, "values": 43}


def test_dashboard_queries_read_the_big_tables_by_index():
    """On SQLite, no figure scans the raw archive, the observations or the stage counts: each
    reads an index range (SEARCH), never a whole table or index (SCAN)."""
    if connection.vendor != "sqlite":
        pytest.skip("query plans are checked on SQLite")
    station("54511")
    feed(obs("54511", now(), TEM=1.0), bad_time("54511"))
    from qixiang.monitoring import summary

    with CaptureQueriesContext(connection) as captured:
        summary.collect()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans.extend(row[-1] for row in cursor.fetchall())
    big = ("ingest_rawmessage", "observations_observation", "ingest_stagecount")
    scans = [p for p in plans if p.startswith("SCAN") and any(table in p for table in big)]
    assert not scans, plans


def test_summary_api_returns_the_dashboard_figures(client):
    station("54511")
    t = now()
    feed(obs("54511", t, TEM=1.0), bad_time("54511"))

    data = client.get("/api/monitoring/summary").json()

    assert data["received_last_hour"] == 2
    assert len(data["per_minute"]["minutes"]) == 60
    assert data["per_minute"]["minutes"][-1].endswith("Z")
    assert data["per_minute"]["received"][-1] == 2
    assert data["stations"] == {"reporting": 1, "registered": 1, "unregistered": 0,
                                "window_minutes": 10}
    assert data["latency"]["samples"] == 1
    assert data["rejected_last_24h"] == 1
    assert data["rejects"][0]["clause"] == "field 'time'"
    example = data["rejects"][0]["examples"][0]
    assert example["origin"] == "test.json"
    assert example["admin_url"] == f"/admin/ingest/rawmessage/{example['id']}/change/"
    assert data["today"] == [{"channel": "http", "received": 2, "stored": 1, "duplicates": 0,
                              "rejected": 1, "undecoded": 0, "balanced": True}]


def test_dashboard_page_shows_figures_and_polls_its_panel(client):
    feed(obs("54511", now(), TEM=1.0))

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-get="/monitoring/panel/"' in html and 'hx-trigger="every 5s"' in html
    assert 'id="kpi-received-hour">1<' in html
    assert 'data-api="/api/monitoring/summary"' in html
    assert "/static/vendor/echarts.min.js" in html and "/static/vendor/htmx.min.js" in html
    assert 'data-channel="http"' in html


def test_dashboard_is_chinese_by_default_and_english_on_request(client):
    zh = client.get("/").content.decode()
    client.cookies["qixiang_language"] = "en"
    en = client.get("/").content.decode()

    assert '<html lang="zh-hans">' in zh and "运行监控" in zh and "北京时" in zh
    assert '<html lang="en">' in en and "Operations" in en and "Beijing time" in en


def test_panel_fragment_carries_the_figures_and_the_tables_out_of_band(client):
    feed(obs("54511", now(), TEM=1.0), bad_time("54511"))

    html = client.get("/monitoring/panel/").content.decode()

    assert "<html" not in html
    assert 'id="kpi-received-hour">2<' in html
    assert 'id="panel-tables" hx-swap-oob="true"' in html
    assert "field &#x27;time&#x27;" in html


def test_prometheus_endpoint_exposes_counters_and_latency(client):
    station("54511")
    feed(obs("54511", now(), TEM=1.0, RHU=50.0), bad_time("54511"), channel="mqtt")

    response = client.get("/metrics")

    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(response.content.decode())
               for s in family.samples}
    messages = "qixiang_ingest_messages_total"
    assert samples[(messages, (("channel", "mqtt"), ("outcome", "received")))] == 2
    assert samples[(messages, (("channel", "mqtt"), ("outcome", "stored")))] == 1
    assert samples[(messages, (("channel", "mqtt"), ("outcome", "rejected")))] == 1
    assert samples[("qixiang_ingest_values_total", (("channel", "mqtt"),))] == 2
    assert ("qixiang_ingest_latency_seconds", (("quantile", "0.95"),)) in samples
    assert samples[("qixiang_stations_reporting", ())] == 1
    assert samples[("qixiang_stations_registered", ())] == 1
