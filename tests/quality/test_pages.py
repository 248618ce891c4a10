"""The quality page (Chinese by default, English on the switch) and the report download."""

from __future__ import annotations

import csv
import io
import re

import pytest

from qixiang.quality import indicators
from tests.quality import network
from tests.quality.network import H

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def made(settings, tmp_path):
    network.make(settings, tmp_path)


def test_the_quality_page_is_chinese_with_kpis_ranking_worst_stations_map_and_trend(client):
    html = client.get("/quality/").content.decode()
    assert "数据质量" in html and "可用率" in html and "质控覆盖率" in html
    kpi = re.search(r'id="kpi-availability".*?<div class="value">(.*?)</div>', html, re.S)
    assert kpi.group(1).strip() == f"{46.5 / 63 * 100:.2f} %"
    ranking = re.search(r'<table id="province-ranking">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-province="(\d*)"', ranking) == ["11", "", "12", "44"]
    worst = re.search(r'<table id="worst-stations">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-station="(\w+)"', worst) == ["59287", "54527", "X0001", "54511"]
    assert 'id="quality-map"' in html and 'id="quality-trend"' in html
    assert "/api/quality/indicators?" in html and "stations/map.js" in html


def test_the_english_switch_translates_the_page(client):
    client.cookies["qixiang_language"] = "en"
    html = client.get("/quality/").content.decode()
    assert "Data quality" in html and "Availability" in html and "数据质量" not in html


def test_the_report_downloads_as_csv_for_a_beijing_day(client):
    day = H.astimezone(indicators.BEIJING).date()
    answer = client.get("/quality/report.csv", {"date": day.isoformat()})
    assert answer["Content-Type"].startswith("text/csv")
    assert f"qixiang-quality-{day}.csv" in answer["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert rows[0]["level"] == "network"
    assert rows[0]["availability"] == f"{46.5 / 63:.4f}"
    assert client.get("/quality/report.csv", {"date": "yesterday"}).status_code == 400


def test_the_review_page_is_linked_for_operators_only(client):
    from qixiang.accounts.models import Role, User
    assert "/quality/review/" not in client.get("/quality/").content.decode()
    client.force_login(User.objects.create_user("ops", password="x", role=Role.OPERATOR))
    assert "/quality/review/" in client.get("/quality/").content.decode()
