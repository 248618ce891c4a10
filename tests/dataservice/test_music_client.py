"""A client written the way 天擎 Python clients are (build params, sign, GET an unencoded URL,
read DS) works against a running qixiang by changing host and credentials only."""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command

from qixiang.dataservice import query
from qixiang.dataservice.music.credentials import create_credential
from tests.dataservice.conftest import make_data_user
from tests.dataservice.music_support import HOUR, T0, TianqingClient, make_network, stamp

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def client_for_us(live_server, settings):
    settings.QIXIANG_PUBLIC_DATASETS = []
    query._stations.invalidate()
    make_network()
    user, _key = make_data_user("script", datasets="*")
    row, secret = create_credential(user)
    where = urlparse(live_server.url)
    return TianqingClient(where.hostname, str(where.port), row.user_id, secret)


def test_tianqing_client_reads_ds_from_qixiang(client_for_us):
    time_range = f"[{stamp(T0)},{stamp(T0 + 2 * HOUR)}]"
    rows = client_for_us.obs("getSurfEleByTimeRangeAndStaID", {
        "dataCode": "SURF_CHN_MUL_HOR", "elements": "Station_Id_C,Datetime,Lat,Lon,TEM,Q_TEM",
        "timeRange": time_range, "staIds": "54511", "orderby": "Datetime:ASC"})
    assert client_for_us.last_status == 200
    assert [r["TEM"] for r in rows] == ["-1.5", "-0.5", "0.5"]
    assert rows[0]["Datetime"] == "2026-11-21 00:00:00" and rows[0]["Lat"] == "39.8"
    assert len(client_for_us.last_headers["X-Qixiang-Data-Id"]) == 32
    rows = client_for_us.obs("getSurfEleInRectByTime", {
        "dataCode": "SURF_CHN_MUL_HOR", "elements": "Station_Id_C,TEM", "times": stamp(T0),
        "minLat": f"{35:.10f}", "minLon": f"{110:.10f}", "maxLat": f"{45:.10f}",
        "maxLon": f"{120:.10f}", "orderby": "Datetime:ASC", "limitCnt": "2"})
    assert [r["Station_Id_C"] for r in rows] == ["54416", "54433"]


def test_wrong_password_gets_an_error_not_data(client_for_us):
    client_for_us.pwd = "not-the-secret"
    contents = client_for_us.get_rest_result("getSurfEleByTime", {
        "dataCode": "SURF_CHN_MUL_HOR", "elements": "Station_Id_C,TEM", "times": stamp(T0)})
    assert client_for_us.last_status == 401 and contents["returnCode"] == "-1001"


def test_a_downloaded_answer_verifies_against_the_servers_record_and_keys(
        client_for_us, live_server, tmp_path):
    url = client_for_us.url("getSurfEleByTime", {
        "dataCode": "SURF_CHN_MUL_HOR", "elements": "Station_Id_C,TEM", "times": stamp(T0)})
    body = client_for_us.fetch(url)
    data_id = client_for_us.last_headers["X-Qixiang-Data-Id"]
    download = tmp_path / "answer.json"
    download.write_bytes(body)
    out = StringIO()
    call_command("verify", str(download), "--data-id", data_id, "--server", live_server.url,
                 stdout=out)
    assert out.getvalue().startswith(f"OK {download}: data {data_id} of surface-obs-hourly")
    download.write_bytes(body.replace(b'"TEM":"', b'"TEM":"1'))
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify", str(download), "--data-id", data_id, "--server",
                     live_server.url, stdout=StringIO())
