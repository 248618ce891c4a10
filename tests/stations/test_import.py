"""``qixiang stations import``: CSV, wis2box station lists, MICAPS diamond 3, divisions."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from qixiang.stations import importers
from qixiang.stations.models import Station

pytestmark = pytest.mark.django_db

HEADER = "cma_id,wmo_index,wigos_id,name,province,division_code,latitude,longitude,elevation\n"


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("stations", "import", *map(str, args), stdout=out, stderr=out)
    return out.getvalue()


def test_micaps3_national_list_imports_2411_stations(shared_data):
    out = run(shared_data / "stations/sta2411_alt.txt")
    assert "(micaps3): read 2411, created 2411, updated 0, unchanged 0, rejected 0" in out
    assert Station.objects.count() == 2411
    beijing = Station.objects.get(cma_id="54511")
    assert (beijing.latitude, beijing.longitude, beijing.elevation) == (39.80, 116.47, 31.0)
    last = Station.objects.get(cma_id="59981")  # the last row: 59981 112.330 16.830 5.000
    assert (last.latitude, last.longitude, last.elevation) == (16.83, 112.33, 5.0)


def test_reimporting_the_same_file_changes_nothing(shared_data):
    path = shared_data / "stations/sta2411_alt.txt"
    run(path)
    stamp = Station.objects.get(cma_id="54511").updated_at
    assert "created 0, updated 0, unchanged 2411, rejected 0" in run(path)
    assert Station.objects.get(cma_id="54511").updated_at == stamp


def test_divisions_file_fills_province_code_and_name(shared_data):
    run(shared_data / "stations/sta2411_alt.txt", "--divisions",
        shared_data / "stations/station_id_pro_county.txt")
    beijing = Station.objects.get(cma_id="54511")
    assert (beijing.name, beijing.province, beijing.division_code) == ("北京", "北京市", "110000")
    mohe = Station.objects.get(cma_id="50136")  # "50136 黑龙江 漠河": short name normalised
    assert (mohe.name, mohe.province, mohe.division_code) == ("漠河", "黑龙江省", "230000")
    assert not Station.objects.filter(province="").exists()


def test_divisions_table_decodes_micaps_letter_ids_and_skips_stations_abroad(shared_data):
    text = (shared_data / "stations/station_id_pro_county.txt").read_text(encoding="utf-8")
    table, errors = importers.read_divisions(text, "station_id_pro_county.txt")
    assert errors == []
    assert table["A1051"] == {"name": "凤凰岭", "province": "北京市", "division_code": "110000"}
    assert table["50881"] == {"name": "友谊"}  # "50881 中国 友谊": no province given
    assert "3002" not in table  # "3002 BALTASOUND_NO_2 United Kingdom (the)"


def test_wis2box_station_list_is_read_as_is(shared_data):
    out = run(shared_data / "stations/station_list.csv")
    assert "(csv): read 103, created 103, updated 0, unchanged 0, rejected 0" in out
    bonifati = Station.objects.get(cma_id="16337")
    assert (bonifati.wmo_index, bonifati.wigos_id, bonifati.name) == (
        "16337", "0-20000-0-16337", "BONIFATI (16337-0)")
    assert (bonifati.latitude, bonifati.longitude, bonifati.elevation) == (
        39.5847222222, 15.8913888889, 484.0)
    balaka = Station.objects.get(cma_id="AWSBALAKA")
    assert (balaka.wmo_index, balaka.wigos_id) == ("", "0-454-2-AWSBALAKA")


def test_several_files_report_each_and_update_what_changed(shared_data):
    out = run(shared_data / "stations/station_list.csv",
              shared_data / "stations/synop2bufr-example_with_bufr/station_list.csv",
              shared_data / "stations/synop2bufr-gts_data/station_list.csv")
    lines = out.splitlines()
    # the Romanian stations are in the wis2box list too, with coordinates rounded differently
    assert lines[1].endswith("(csv): read 23, created 0, updated 20, unchanged 3, rejected 0")
    assert lines[2].endswith("(csv): read 68, created 68, updated 0, unchanged 0, rejected 0")
    assert Station.objects.get(cma_id="15015").latitude == 47.77706163


def test_bad_csv_rows_are_rejected_with_line_and_field_and_the_rest_imported(tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text(HEADER +
                    "54511,54511,0-20000-0-54511,北京,北京,,39.80,116.47,31.3\n"
                    "54433,,,朝阳,北京市,110105,39.95,nan-ish,35\n"
                    ",,,无号,,,39.9,116.4,\n"
                    "54399,5439,,海淀,,,39.98,116.28,45.8\n"
                    "54416,,,密云,,1101,40.38,116.87,71.8\n"
                    "54511,,,重复,,,40.0,116.0,1\n"
                    "A1051,,,凤凰岭,,110108,40.11,116.10,\n"
                    "54594,,,大兴,,,39.72,116.35\n", encoding="utf-8")
    out = run(path)
    assert "(csv): read 8, created 2, updated 0, unchanged 0, rejected 6" in out
    assert f"{path}: line 3, longitude: 'nan-ish' is not a number" in out
    assert f"{path}: line 4, cma_id: missing" in out
    assert f"{path}: line 5, wmo_index: '5439' is not a five-digit WMO index" in out
    assert f"{path}: line 6, division_code: '1101' is not a six-digit GB/T 2260 code" in out
    assert f"{path}: line 7, cma_id: 54511 is already on line 2" in out
    assert f"{path}: line 9, row: 8 cells, the header has 9" in out
    beijing = Station.objects.get(cma_id="54511")
    assert (beijing.province, beijing.division_code, beijing.wmo_index) == ("北京市", "110000",
                                                                            "54511")
    regional = Station.objects.get(cma_id="A1051")  # county code kept, province derived from it
    assert (regional.province, regional.division_code, regional.elevation) == ("北京市", "110108",
                                                                               None)


def test_an_update_keeps_the_fields_the_file_does_not_give(tmp_path, shared_data):
    path = tmp_path / "named.csv"
    path.write_text(HEADER + "54511,54511,,北京,北京市,110000,39.93,116.28,55.0\n", encoding="utf-8")
    run(path)
    out = run(shared_data / "stations/sta2411_alt.txt")
    assert "created 2410, updated 1, unchanged 0" in out
    beijing = Station.objects.get(cma_id="54511")
    assert (beijing.name, beijing.wmo_index, beijing.division_code) == ("北京", "54511", "110000")
    assert (beijing.latitude, beijing.elevation) == (39.80, 31.0)  # MICAPS position wins
    assert beijing.source.endswith("sta2411_alt.txt")


def test_province_option_sets_province_and_code_of_stations_without_one(tmp_path):
    path = tmp_path / "hb.txt"
    path.write_text("diamond 3 hebei\n26 01 01 08 -1 0 0 0 0 1 2\n"
                    "54401 115.50 40.42 724.2 0\n751234 116.10 39.10 9999 0\n", encoding="gbk")
    out = run(path, "--province", "13")
    assert "(micaps3): read 2, created 2" in out
    assert set(Station.objects.values_list("cma_id", "province", "division_code", "elevation")) == {
        ("54401", "河北省", "130000", 724.2), ("K1234", "河北省", "130000", None)}
    with pytest.raises(CommandError, match="--province Hebei: not a province name"):
        run(path, "--province", "Hebei")


def test_bad_micaps_rows_are_rejected_and_a_wrong_count_is_noted(tmp_path):
    path = tmp_path / "bad.000"
    path.write_text("diamond 3 test\n2026 11 21 08 0 2 5 10 0 0 0 1 3\n"
                    "54511 116.47 39.80 31.0 0\n54512 116.x 39.5 10 0\n54513 116.0\n"
                    "54514 200.0 39.0 1 0\n", encoding="utf-8")
    out = run(path)
    assert "(micaps3): read 4, created 1, updated 0, unchanged 0, rejected 3" in out
    assert "the header declares 3 stations, the file has 4 rows" in out
    assert f"{path}: line 4, lon: '116.x' is not a number" in out
    assert f"{path}: line 5, row: 2 values" in out
    assert f"{path}: line 6, lon: 200.0 is outside -180..180" in out


def test_unreadable_file_fails_the_command_after_importing_the_others(tmp_path, shared_data):
    with pytest.raises(CommandError, match="1 file"):
        run(tmp_path / "absent.csv", shared_data / "stations/sta2411_alt.txt")
    assert Station.objects.count() == 2411


def test_a_csv_without_station_columns_is_rejected_whole(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,lat,lon\n1,2,3\n", encoding="utf-8")
    out = run(path)
    assert "read 0, created 0, updated 0, unchanged 0, rejected 1" in out
    assert "line 1, header: no cma_id (or station_id) nor wigos_id column" in out
    assert not Station.objects.exists()
