"""The quality page in a real browser: the availability map and the trend chart are drawn."""

from __future__ import annotations

import pytest

from tests.pages.test_browser import browser_context, page, wait  # noqa: F401  (fixtures)
from tests.quality import network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIES = ("echarts.getInstanceByDom(document.getElementById('{id}'))"
          "?.getOption()?.series?.[{k}]?.data?.length")


def test_map_colours_the_registered_stations_and_the_trend_draws_its_four_lines(
        page, live_server, settings, tmp_path):  # noqa: F811
    network.make(settings, tmp_path)
    page.goto(f"{live_server.url}/quality/?period=24h")
    wait(page, function=SERIES.format(id="quality-map", k=0) + " === 3")
    wait(page, function=SERIES.format(id="quality-trend", k=3) + " >= 1")
    colours = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('quality-map'));
        return chart.getOption().series[0].data.map(d => [d.row.key, d.value[2]]);
    }""")
    assert sorted(colours) == [["54511", 1.0], ["54527", 0.5], ["59287", 0.0]]
    assert page.errors == []
    assert "可用率" in page.content()
