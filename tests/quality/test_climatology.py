"""``qixiang qc climatology --from-archive``: limits from stored values, used by the QC stage."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from qixiang.observations.models import Observation
from tests.feed import feed, obs, station

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture
def archive(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    station("54511", lat=39.8, lon=116.47)
    feed(*[obs("54511", T0 + timedelta(hours=k), TEM=25.0 + (k % 5) * 0.5) for k in range(24)],
         origin="july.json")
    return tmp_path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("qc", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_table_is_computed_per_station_and_beijing_month_and_then_used(archive):
    run("climatology", "--from-archive", "--element", "TEM", "--min-count", "10")
    rows = list(csv.DictReader((archive / "qc" / "climatology.csv").open()))
    assert [(r["station"], r["element"], r["month"]) for r in rows] == [("54511", "TEM", "7")]
    low, high = float(rows[0]["low"]), float(rows[0]["high"])
    assert low < 25.0 and high > 27.0 and high < 45.0

    feed(obs("54511", T0 + timedelta(days=2), TEM=45.0), origin="hot.json")  # in range, not July
    hot = Observation.objects.get(station_id="54511", time=T0 + timedelta(days=2))
    assert hot.qc_flag == 2
    assert hot.qc_reason.startswith("climatology: 45 degC outside the month-7 climatological")


def test_a_station_month_with_too_few_values_gets_no_row_and_output_may_go_elsewhere(archive):
    target = archive / "elsewhere.csv"
    text = run("climatology", "--from-archive", "--element", "TEM", "--output", str(target))
    assert "0 rows written" in text or "0 行" in text
    assert target.read_text().splitlines() == ["station,element,month,low,high"]


def test_station_records_come_from_the_archive_too(archive):
    run("records", "--from-archive", "--element", "TEM")
    [row] = list(csv.DictReader((archive / "qc" / "records.csv").open()))
    assert (row["station"], float(row["low"]), float(row["high"])) == ("54511", 25.0, 27.0)
