"""Report identifiers resolve to the registry's cma_id; the cache follows registry changes."""

from __future__ import annotations

import pytest

from qixiang.stations import resolver as resolver_module
from qixiang.stations.models import Station
from qixiang.stations.resolver import resolve, resolver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh():
    resolver.invalidate()
    yield
    resolver.invalidate()


def station(cma_id: str, wmo_index: str = "", wigos_id: str = "") -> Station:
    return Station.objects.create(cma_id=cma_id, wmo_index=wmo_index, wigos_id=wigos_id,
                                  latitude=39.8, longitude=116.47)


def test_cma_id_wmo_index_and_wigos_id_all_name_the_station():
    station("C0001", wmo_index="54511", wigos_id="0-156-0-A0001")
    assert resolve("C0001") == resolve("54511") == resolve("0-156-0-A0001") == "C0001"


def test_matching_ignores_case_and_surrounding_blanks():
    station("A1234", wigos_id="0-454-2-AWSNAMITAMBO")
    assert resolve(" a1234 ") == resolve("0-454-2-awsnamitambo") == "A1234"


def test_wigos_id_of_the_wmo_series_names_the_station_with_that_index():
    station("54511", wmo_index="54511")
    assert resolve("0-20000-0-54511") == "54511"


def test_report_wigos_id_is_tried_when_the_identifier_is_unknown():
    station("C0001", wigos_id="0-156-0-A0001")
    assert resolver.resolve("SHIP", wigos_id="0-156-0-A0001") == "C0001"


def test_a_cma_id_wins_over_another_stations_wmo_index():
    station("54511", wmo_index="")
    station("C0002", wmo_index="54511")
    assert resolve("54511") == "54511"


def test_unknown_identifier_is_kept_as_given():
    assert resolve("X9999") == "X9999"


def test_changes_made_without_signals_are_seen_after_the_check_interval(monkeypatch):
    assert resolve("54511") == "54511"
    monkeypatch.setattr(resolver_module, "CHECK_INTERVAL", 0.0)
    # bulk_create sends no post_save: as if another process had imported stations
    Station.objects.bulk_create([Station(cma_id="C0001", wmo_index="54511", latitude=0,
                                         longitude=0)])
    assert resolve("54511") == "C0001"
