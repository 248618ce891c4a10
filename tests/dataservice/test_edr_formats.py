"""Each output format: CoverageJSON structure, NetCDF-CF opened by xarray, GeoJSON, CSV, HTML."""

from __future__ import annotations

import csv
import io

import numpy as np
import orjson
import pytest
import xarray as xr

from tests.dataservice.edr_support import HOURLY, network, public, stored_flag  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("network")]

WINDOW = {"datetime": "2026-11-21T06:00:00Z/2026-11-21T08:00:00Z",
          "parameter-name": "TEM,RHU,PRE_1h"}


def body(response) -> bytes:
    assert response.status_code == 200, response.content[:500]
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_coveragejson_is_the_default_with_parameters_referencing_and_ndarrays(client):
    response = client.get(f"{HOURLY}/cube", {"bbox": "116,39,117,41", **WINDOW})
    assert response["Content-Type"] == "application/prs.coverage+json"
    doc = orjson.loads(body(response))
    assert doc["type"] == "CoverageCollection" and doc["domainType"] == "PointSeries"
    tem = doc["parameters"]["TEM"]
    assert tem["observedProperty"]["id"] == "http://vocab.nerc.ac.uk/standard_name/air_temperature/"
    assert tem["observedProperty"]["label"] == {"zh-Hans": "气温", "en": "Air temperature"}
    assert tem["unit"]["symbol"] == {"value": "Cel", "type": "http://www.opengis.net/def/uom/UCUM/"}
    systems = {tuple(r["coordinates"]): r["system"]["type"] for r in doc["referencing"]}
    assert systems == {("x", "y"): "GeographicCRS", ("t",): "TemporalRS"}
    cov = next(c for c in doc["coverages"] if c["id"] == "54433")
    axes = cov["domain"]["axes"]
    assert axes["x"]["values"] == [116.6] and axes["y"]["values"] == [39.95]
    assert len(axes["t"]["values"]) == 3
    rhu = cov["ranges"]["RHU"]
    assert rhu == {"type": "NdArray", "dataType": "float", "axisNames": ["t"], "shape": [3],
                   "values": [None, None, None]}


def test_coveragejson_is_chosen_by_accept_in_either_media_type(client):
    for media in ("application/vnd.cov+json", "application/prs.coverage+json"):
        response = client.get(f"{HOURLY}/locations/54511", WINDOW, HTTP_ACCEPT=media)
        assert orjson.loads(body(response))["type"] == "Coverage"


def test_netcdf_is_a_cf_timeseries_file_xarray_opens(client):
    response = client.get(f"{HOURLY}/cube", {"bbox": "116,39,117,41", "f": "NetCDF", **WINDOW})
    assert response["Content-Type"] == "application/x-netcdf"
    assert 'filename="surface-obs-hourly.nc"' in response["Content-Disposition"]
    ds = xr.open_dataset(io.BytesIO(body(response)), engine="scipy")
    assert ds.attrs["Conventions"] == "CF-1.8" and ds.attrs["featureType"] == "timeSeries"
    ids = [s.decode() if isinstance(s, bytes) else s for s in ds["station_id"].values.tolist()]
    assert sorted(ids) == ["54416", "54433", "54511"]
    assert ds["station_id"].attrs["cf_role"] == "timeseries_id"
    assert ds["lat"].attrs["units"] == "degrees_north" and ds["lon"].attrs["units"] == "degrees_east"
    assert str(ds["time"].values[0]) .startswith("2026-11-21T06:00:00")
    tem = ds["TEM"]
    assert tem.dims == ("station", "time")
    assert tem.attrs["standard_name"] == "air_temperature"
    assert tem.attrs["units"] == "degree_Celsius"
    assert tem.attrs["ancillary_variables"] == "TEM_qc"
    k = ids.index("54511")
    assert tem.values[k].tolist() == [10.0, 11.0, 12.0]
    assert np.isnan(ds["RHU"].values[ids.index("54433")]).all()  # missing -> _FillValue -> NaN
    pre = ds["PRE_1h"]
    assert pre.attrs["standard_name"] == "lwe_thickness_of_precipitation_amount"
    assert pre.attrs["cell_methods"] == "time: sum" and pre.attrs["units"] == "mm"
    assert ds["TEM_qc"].attrs["standard_name"] == "status_flag"
    assert "suspect" in ds["TEM_qc"].attrs["flag_meanings"]
    assert ds["RHU"].attrs["units"] == "percent"


def test_geojson_gives_a_feature_per_station_and_time(client):
    response = client.get(f"{HOURLY}/locations/54511", {"f": "GeoJSON", **WINDOW})
    assert response["Content-Type"] == "application/geo+json"
    doc = orjson.loads(body(response))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
    first = doc["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [116.47, 39.8]}
    props = first["properties"]
    assert props["station_id"] == "54511" and props["datetime"] == "2026-11-21T06:00:00Z"
    assert props["TEM"] == 10.0 and props["PRE_1h"] == 0.0
    assert props["TEM_qc"] == stored_flag("54511", "TEM", "2026-11-21T06:00:00Z")


def test_csv_has_a_value_and_qc_column_per_parameter(client):
    response = client.get(f"{HOURLY}/cube", {"bbox": "116,39,117,41", "f": "csv", **WINDOW})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert list(rows[0]) == ["station_id", "name", "longitude", "latitude", "elevation",
                             "datetime", "TEM", "TEM_qc", "RHU", "RHU_qc", "PRE_1h", "PRE_1h_qc"]
    mine = [r for r in rows if r["station_id"] == "54511"]
    assert [r["TEM"] for r in mine] == ["10.0", "11.0", "12.0"]
    other = next(r for r in rows if r["station_id"] == "54433")
    assert other["RHU"] == "" and other["RHU_qc"] == ""


def test_large_csv_is_streamed(client, monkeypatch):
    from qixiang.dataservice.edr import respond

    monkeypatch.setattr(respond, "STREAM_ABOVE", 2)
    response = client.get(f"{HOURLY}/cube", {"bbox": "116,39,117,41", "f": "csv", **WINDOW})
    assert response.streaming
    assert len(body(response).decode().splitlines()) == 1 + 9


def test_html_pages_are_chinese_by_default_and_english_on_switch(client):
    zh = body(client.get(f"{HOURLY}/cube", {"bbox": "116,39,117,41", "f": "html", **WINDOW}))
    assert "查询结果".encode() in zh and b"<td>54511" in zh
    client.cookies["qixiang_language"] = "en"
    en = body(client.get(f"{HOURLY}", {"f": "html"}))
    assert b"Surface observations, hourly" in en and b"Air temperature" in en


def test_browsers_get_html_for_metadata_and_programs_get_json(client):
    page = client.get("/edr/collections", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert page["Content-Type"].startswith("text/html")
    doc = orjson.loads(body(client.get("/edr/collections")))
    hourly = next(c for c in doc["collections"] if c["id"] == "surface-obs-hourly")
    assert hourly["extent"]["spatial"]["bbox"] == [[113.48, 23.21, 116.87, 40.38]]
    assert hourly["extent"]["temporal"]["interval"] == [["2026-11-21T06:00:00Z",
                                                         "2026-11-21T11:00:00Z"]]
    assert set(hourly["data_queries"]) == {"position", "radius", "area", "cube", "locations",
                                           "items"}
    assert hourly["parameter_names"]["TEM"]["unit"]["symbol"]["value"] == "Cel"
    assert "NetCDF" in hourly["output_formats"] and "CoverageJSON" in hourly["output_formats"]


def test_landing_and_conformance(client):
    landing = orjson.loads(body(client.get("/edr/")))
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conf = orjson.loads(body(client.get("/edr/conformance")))["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/covjson" in conf
