"""The QC stage pinned on small cases fed through the real ingest pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qixiang.observations.models import Observation
from qixiang.science import qc
from tests.feed import feed, obs, rfc3339, station

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 21, 6, tzinfo=UTC)
HOUR = timedelta(hours=1)
# Ten stations around Beijing, a few km apart, at the same elevation.
RING = [(f"5450{k}", 39.8 + 0.03 * (k % 5), 116.4 + 0.04 * (k // 5)) for k in range(10)]


def stored(station_id: str, element: str = "TEM", time: datetime = T0) -> Observation:
    return Observation.objects.get(station_id=station_id, element=element, time=time)


def checks(o: Observation) -> set[str]:
    return {name for name in qc.names() if (o.qc_checks or 0) & qc.bit(name)}


@pytest.fixture
def ring():
    for cma_id, lat, lon in RING:
        station(cma_id, lat=lat, lon=lon, elevation=40.0, division_code="110105")


def feed_ring(values: dict[str, float], when: datetime = T0) -> None:
    feed(*[obs(cma_id, when, TEM=values.get(cma_id, 10.0 + 0.1 * k))
           for k, (cma_id, _lat, _lon) in enumerate(RING)], origin=f"ring-{when:%H%M}.json")


def test_a_value_outside_the_sensor_range_is_wrong_with_the_range_reason(ring):
    feed_ring({"54503": 75.0})
    spike = stored("54503")
    assert spike.qc_flag == 2
    assert "range" in checks(spike)
    assert spike.qc_reason.startswith("range: 75 degC outside the range")
    assert {stored(s).qc_flag for s, _, _ in RING if s != "54503"} == {0}


def test_a_spike_against_its_neighbours_is_suspect_by_the_spatial_checks(ring):
    feed_ring({"54503": 35.0})
    spike = stored("54503")
    assert spike.qc_flag == 1
    assert "buddy" in checks(spike)
    assert "buddy:" in spike.qc_reason
    assert {stored(s).qc_flag for s, _, _ in RING if s != "54503"} == {0}


def test_neighbours_stored_earlier_take_part_in_the_spatial_checks(ring):
    feed_ring({})  # 06:00 for everyone
    feed(obs("54503", T0 + timedelta(minutes=1), TEM=36.0), origin="late.json")
    late = stored("54503", time=T0 + timedelta(minutes=1))
    assert late.qc_flag == 1 and "buddy" in checks(late)


def test_a_jump_from_the_hour_before_is_suspect_and_the_value_after_it_is_not(ring):
    feed(obs("54501", T0 - HOUR, TEM=10.0), origin="a.json")
    feed(obs("54501", T0, TEM=19.0), origin="b.json")
    feed(obs("54501", T0 + HOUR, TEM=10.5), origin="c.json")
    jump = stored("54501")
    assert jump.qc_flag == 1 and checks(jump) == {"step"}
    assert "changed by +9 degC in 1 h" in jump.qc_reason
    after = stored("54501", time=T0 + HOUR)  # the spike is left out of its history
    assert after.qc_flag == 0 and after.qc_reason is None


def test_the_site_configuration_can_make_a_step_failure_wrong(ring, settings, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("[step]\nseverity = 2\n")
    settings.QIXIANG_QC_CONFIG = str(site)
    feed(obs("54501", T0 - HOUR, TEM=10.0), obs("54501", T0, TEM=19.0))
    assert stored("54501").qc_flag == 2


def test_a_stuck_hourly_sensor_is_suspect_once_its_window_is_full():
    station("54511", lat=39.8, lon=116.47)
    feed(*[obs("54511", T0 + k * HOUR, TEM=4.2) for k in range(7)])
    flags = [stored("54511", time=T0 + k * HOUR).qc_flag for k in range(7)]
    assert flags == [0, 0, 0, 0, 0, 1, 1]  # six values in 6 h: min_values = 6
    stuck = stored("54511", time=T0 + 6 * HOUR)
    assert checks(stuck) == {"persistence"}
    assert "unchanged at 4.2" in stuck.qc_reason


def test_a_stuck_minute_sensor_is_suspect_after_an_hour():
    station("54511", lat=39.8, lon=116.47)
    minutes = [T0 + timedelta(minutes=m) for m in range(61)]
    feed(*[obs("54511", t, TEM=4.2) for t in minutes])
    assert stored("54511", time=minutes[59]).qc_flag == 0
    last = stored("54511", time=minutes[60])
    assert last.qc_flag == 1 and checks(last) == {"persistence"}


def test_a_varying_minute_sensor_is_not_stuck():
    station("54511", lat=39.8, lon=116.47)
    minutes = [T0 + timedelta(minutes=m) for m in range(61)]
    feed(*[obs("54511", t, TEM=4.2 + 0.01 * m) for m, t in enumerate(minutes)])
    assert stored("54511", time=minutes[60]).qc_flag == 0


def test_a_missing_value_is_flagged_8():
    feed({"station": "54511", "time": rfc3339(T0), "values": {"TEM": None, "RHU": 50}})
    assert stored("54511").qc_flag == 8
    assert stored("54511", "RHU").qc_flag == 0


def test_a_value_no_check_can_apply_to_is_flagged_9(settings, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[elements]\nVIS = ["step", "climatology"]\n')
    settings.QIXIANG_QC_CONFIG = str(site)
    feed(obs("54511", T0, VIS=12000.0, TEM=5.0))
    assert stored("54511", "VIS").qc_flag == 9  # no history, no table
    assert stored("54511", "TEM").qc_flag == 0


def test_a_report_with_a_wrongly_signed_longitude_is_suspect_for_position():
    station("54511", lat=39.8, lon=116.47)
    feed({"station": "54511", "time": rfc3339(T0), "lat": 39.8, "lon": -116.47,
          "values": {"TEM": 5.0, "RHU": 40}})
    for element in ("TEM", "RHU"):
        value = stored("54511", element)
        assert value.qc_flag == 1 and checks(value) == {"position"}
        assert value.qc_reason.endswith("longitude sign flipped")


def test_an_unregistered_station_is_suspect_only_when_there_is_a_registry():
    feed(obs("99999", T0, TEM=5.0))
    assert stored("99999").qc_flag == 0  # no registry: nothing to compare with
    station("54511", lat=39.8, lon=116.47)
    feed(obs("99999", T0 + HOUR, TEM=5.5))
    later = stored("99999", time=T0 + HOUR)
    assert later.qc_flag == 1 and "not in the registry" in later.qc_reason


def test_an_impossible_temperature_does_not_make_the_humidity_of_its_report_suspect():
    station("54511", lat=39.8, lon=116.47)
    feed(obs("54511", T0, TEM=285.3, DPT=2.0, RHU=60.0))  # Kelvin sent as degC
    assert stored("54511").qc_flag == 2
    assert stored("54511", "RHU").qc_flag == 0
    assert stored("54511", "DPT").qc_flag == 0


def test_inconsistent_elements_of_one_report_are_suspect():
    station("54511", lat=39.8, lon=116.47)
    feed(obs("54511", T0, TEM=5.0, DPT=9.0))
    for element in ("TEM", "DPT"):
        value = stored("54511", element)
        assert value.qc_flag == 1 and "consistency" in checks(value)


def test_a_minute_spike_is_suspect_by_its_one_minute_step_and_the_minute_after_is_not():
    station("54511", lat=39.8, lon=116.47)
    minutes = [T0 + timedelta(minutes=m) for m in range(6)]
    values = [4.0, 4.1, 4.1, 14.1, 4.2, 4.2]
    feed(*[obs("54511", t, TEM=v) for t, v in zip(minutes, values, strict=True)])
    flags = [stored("54511", time=t).qc_flag for t in minutes]
    assert flags == [0, 0, 0, 1, 0, 0]
    spike = stored("54511", time=minutes[3])
    assert checks(spike) == {"step"} and "in 0.0166667 h (limit 3)" in spike.qc_reason


def test_an_hourly_station_among_minute_ones_keeps_the_hourly_step():
    station("54511", lat=39.8, lon=116.47)
    feed(obs("54511", T0 - HOUR, TEM=4.0), obs("54511", T0, TEM=8.5))  # 4.5 K in an hour
    assert stored("54511").qc_flag == 0


def test_the_second_minute_of_a_run_of_spikes_takes_its_step_from_ten_minutes_before():
    station("54511", lat=39.8, lon=116.47)
    minutes = [T0 + timedelta(minutes=m) for m in range(13)]
    values = [4.0] * 11 + [14.0, 14.1]
    feed(*[obs("54511", t, TEM=v) for t, v in zip(minutes, values, strict=True)])
    second = stored("54511", time=minutes[12])
    assert second.qc_flag == 1 and "in 0.166667 h (limit 3)" in second.qc_reason
