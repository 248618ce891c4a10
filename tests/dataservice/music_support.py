"""What the MUSIC tests share: a small network, a MUSIC credential, and a client written the
way 天擎 Python clients are (nmc_met_io ``retrieve_cmadaas.get_rest_result``)."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

from qixiang.observations.models import Observation
from tests.feed import feed, obs, station

T0 = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def make_network() -> None:
    """Beijing (3 stations, two districts) and Guangzhou; 6 hours of hourly values and a few
    minute values; one suspect temperature and one value the sensor reported missing."""
    station("54511", name="北京", lat=39.80, lon=116.47, division_code="110105",
            elevation=31.3, province="北京市")
    station("54433", name="朝阳", lat=39.95, lon=116.60, division_code="110105",
            province="北京市")
    station("54416", name="密云", lat=40.38, lon=116.87, division_code="110118",
            province="北京市")
    station("59287", name="广州", lat=23.21, lon=113.48, division_code="440111",
            elevation=70.7, province="广东省")
    objects = []
    for k in range(6):
        t = T0 + k * HOUR
        objects += [obs("54511", t, TEM=-1.5 + k, RHU=50 + k, PRS=1020.4 - k),
                    obs("54433", t, TEM=2.0 + k, RHU=60),
                    obs("54416", t, TEM=-6.0 + k),
                    obs("59287", t, TEM=18.0 + k, RHU=80, PRS=1011.0)]
    objects += [obs("54511", T0 + timedelta(minutes=m), TEM=-1.5 + m / 100) for m in (1, 2, 3)]
    feed(*objects)
    Observation.objects.filter(station_id="54416", element="TEM", time=T0 + 2 * HOUR).update(
        qc_flag=1)
    Observation.objects.filter(station_id="59287", element="PRS", time=T0 + HOUR).update(
        value=None, qc_flag=8)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


class TianqingClient:
    """A 天擎 client as its users write it: parameters plus ``serviceNodeId``, ``userId``,
    ``pwd``, ``interfaceId``, ``dataFormat``, ``timestamp`` (ms) and ``nonce`` (uuid1); ``sign`` =
    uppercase MD5 of ``k=v`` sorted and joined with ``&``; ``pwd`` dropped from the URL, which
    is not URL-encoded; GET; parse JSON; ``DS`` when ``returnCode`` is "0"."""

    def __init__(self, host: str, port: str, user_id: str, pwd: str,
                 service_node_id: str = "NMIC_MUSIC_CMADAAS"):
        self.dns, self.port = host, port
        self.user_id, self.pwd, self.service_node_id = user_id, pwd, service_node_id
        self.last_status = 0
        self.last_headers: dict[str, str] = {}

    def url(self, interface_id: str, params: dict, data_format: str = "json") -> str:
        sign_params = params.copy()
        sign_params["serviceNodeId"] = self.service_node_id
        sign_params["userId"] = self.user_id
        sign_params["pwd"] = self.pwd
        sign_params["interfaceId"] = interface_id.strip()
        sign_params.setdefault("dataFormat", data_format.strip())
        sign_params["timestamp"] = str(int(datetime.now().timestamp() * 1000))
        sign_params["nonce"] = str(uuid.uuid1())
        sign_str = ""
        for key in sorted(sign_params):
            sign_str = sign_str + key + "=" + str(sign_params.get(key)).strip() + "&"
        sign_str = sign_str[:-1]
        sign_str = sign_str + "&sign=" + hashlib.md5(sign_str.encode("UTF-8")).hexdigest().upper()
        sign_str = sign_str.replace("&pwd=" + sign_params["pwd"].strip(), "")
        return "http://" + self.dns + ":" + self.port + "/music-ws/api?" + sign_str

    def fetch(self, url: str) -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                self.last_status, self.last_headers = answer.status, dict(answer.headers)
                return answer.read()
        except urllib.error.HTTPError as exc:
            self.last_status, self.last_headers = exc.code, dict(exc.headers)
            return exc.read()

    def get_rest_result(self, interface_id: str, params: dict) -> dict:
        contents = json.loads(self.fetch(self.url(interface_id, params)).decode("utf-8"))
        return contents

    def obs(self, interface_id: str, params: dict) -> list[dict] | None:
        contents = self.get_rest_result(interface_id, params)
        if contents["returnCode"] != "0":
            return None
        return contents["DS"]
