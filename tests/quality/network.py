"""A hand-made network of one past hour whose indicators are known exactly.

Hour H (three hours ago, UTC), registry: 54511 Beijing, 54527 Tianjin, 59287 Guangzhou.

- 54511 (hourly): report at H, TEM 5.0, RHU 50, VIS 20000 (VIS unchecked: flag 9), arrived
  after 30 s -> usable 1 of 1, within 1 minute.
- 54527 (hourly): report at H, TEM 75 (wrong) and RHU 60, arrived after 3 min -> usable 1/2.
- 59287 (hourly): silent -> usable 0 of 1.
- X0001 (not registered, so its values are suspect for position): a minute station, 45 reports
  at H+0..44 min, arrived 10 min late -> usable 45 of 60.

Network: availability (1 + 0.5 + 0 + 45) / 63; QC coverage 49 / 50 values;
within 1 min 1 / 47 reports, within 5 min 2 / 47.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qixiang.quality.summary import floor_hour
from tests.feed import feed, obs, station

H = floor_hour(datetime.now(UTC)) - timedelta(hours=3)
NETWORK = {"availability": 46.5 / 63, "qc_coverage": 49 / 50, "within_1min": 1 / 47,
           "within_5min": 2 / 47}


def make(settings, tmp_path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[elements]\nVIS = []\n")
    settings.QIXIANG_QC_CONFIG = str(site)
    station("54511", "北京", "110105", lat=39.8, lon=116.47, province="北京市")
    station("54527", "天津", "120104", lat=39.08, lon=117.07, province="天津市")
    station("59287", "广州", "440111", lat=23.21, lon=113.48, province="广东省")
    feed(obs("54511", H, TEM=5.0, RHU=50.0, VIS=20000.0), origin="a.json",
         received_at=H + timedelta(seconds=30))
    feed(obs("54527", H, TEM=75.0, RHU=60.0), origin="b.json",
         received_at=H + timedelta(minutes=3))
    feed(*[obs("X0001", H + timedelta(minutes=m), TEM=3.0 + 0.05 * m) for m in range(45)],
         origin="c.json", received_at=H + timedelta(minutes=55))
