"""GET /api/observations/series: a station's values with units, labels and QC flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qixiang.observations.models import Observation, QCFlag
from tests.feed import feed, obs, rfc3339, station

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
URL = "/api/observations/series"


def ask(client, **params):
    return client.get(URL, params)


def test_series_gives_each_element_its_unit_labels_and_time_value_flag_points(client):
    station("54511", wmo_index="54511")
    feed(obs("54511", T0, TEM=12.3, DPT=-1.5), obs("54511", T0 + timedelta(hours=1), TEM=13.0))

    data = ask(client, station="54511", elements="TEM,DPT", start=rfc3339(T0 - timedelta(hours=1)),
               end=rfc3339(T0 + timedelta(hours=2))).json()

    assert data["station"] == "54511"
    assert data["start"] == "2026-11-21T05:00:00Z" and data["end"] == "2026-11-21T08:00:00Z"
    tem = data["elements"]["TEM"]
    assert tem["unit"] == "degC"
    assert tem["labels"] == {"zh-hans": "气温", "en": "Air temperature"}
    assert [p[:2] for p in tem["points"]] == [["2026-11-21T06:00:00Z", 12.3],
                                              ["2026-11-21T07:00:00Z", 13.0]]
    assert all(isinstance(p[2], int) for p in tem["points"])
    assert [p[1] for p in data["elements"]["DPT"]["points"]] == [-1.5]


def test_series_passes_on_the_stored_qc_flag(client):
    feed(obs("54511", T0, TEM=12.3))
    Observation.objects.filter(station_id="54511", element="TEM").update(qc_flag=QCFlag.SUSPECT)

    data = ask(client, station="54511", elements="TEM", start="2026-11-21T00:00:00Z",
               end="2026-11-21T12:00:00Z").json()

    assert data["elements"]["TEM"]["points"] == [["2026-11-21T06:00:00Z", 12.3, 1]]


def test_series_finds_a_station_by_wmo_index_or_wigos_id(client):
    station("A1234", wmo_index="54511", wigos_id="0-20000-0-54511")
    feed(obs("A1234", T0, TEM=1.0))

    for identifier in ("54511", "0-20000-0-54511", "A1234"):
        data = ask(client, station=identifier, elements="TEM", start="2026-11-21T00:00:00Z",
                   end="2026-11-21T12:00:00Z").json()
        assert data["station"] == "A1234"
        assert len(data["elements"]["TEM"]["points"]) == 1


def test_series_accepts_offsets_other_than_utc(client):
    feed(obs("54511", T0, TEM=1.0))

    data = ask(client, station="54511", elements="TEM", start="2026-11-21T14:00:00+08:00",
               end="2026-11-21T15:00:00+08:00").json()

    assert data["start"] == "2026-11-21T06:00:00Z"
    assert len(data["elements"]["TEM"]["points"]) == 1


def test_series_defaults_to_the_last_24_hours(client):
    now = datetime.now(UTC).replace(microsecond=0)
    feed(obs("54511", now - timedelta(hours=1), TEM=1.0), obs("54511", now - timedelta(hours=30),
                                                              TEM=2.0))

    data = ask(client, station="54511", elements="TEM").json()

    assert [p[1] for p in data["elements"]["TEM"]["points"]] == [1.0]
    start = datetime.fromisoformat(data["start"])
    end = datetime.fromisoformat(data["end"])
    assert end - start == timedelta(hours=24)


def test_series_of_a_registered_station_without_values_is_empty_not_an_error(client):
    station("54511")

    response = ask(client, station="54511", elements="TEM")

    assert response.status_code == 200
    assert response.json()["elements"]["TEM"]["points"] == []


@pytest.mark.parametrize(("params", "names"), [
    ({"elements": "TEM,XYZ"}, "unknown element code 'XYZ'"),
    ({"elements": ""}, "elements"),
    ({"start": "2026-11-21T06:00:00"}, "start: give an RFC 3339 time with an offset"),
    ({"start": "2026-11-22T00:00:00Z", "end": "2026-11-21T00:00:00Z"}, "must be before end"),
    ({"start": "2026-01-01T00:00:00Z", "end": "2026-11-21T00:00:00Z"}, "at most 31 days"),
])
def test_series_rejects_a_bad_request_naming_the_parameter(client, params, names):
    station("54511")

    response = ask(client, **{"station": "54511", "elements": "TEM", **params})

    assert response.status_code == 400
    assert names in response.json()["detail"]


def test_series_of_an_unknown_station_is_not_found(client):
    response = ask(client, station="99999", elements="TEM")

    assert response.status_code == 404
    assert "'99999'" in response.json()["detail"]
