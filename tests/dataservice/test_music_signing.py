"""MUSIC authentication: signed like 天擎 (uppercase MD5 over the sorted parameters and the
password), fresh timestamp, nonce used once, secret sealed at rest; each failure has its own
returnCode and HTTP status."""

from __future__ import annotations

import stat
import time

import pytest

from qixiang.accounts.apikeys import revoke
from qixiang.dataservice import access, query, sealing
from qixiang.dataservice.models import MusicCredential, MusicNonce, Tier
from qixiang.dataservice.music import signing
from qixiang.dataservice.music.credentials import create_credential
from tests.dataservice.conftest import make_data_user
from tests.dataservice.music_support import T0, make_network, stamp

pytestmark = pytest.mark.django_db
PARAMS = {"interfaceId": "getSurfEleByTime", "dataCode": "SURF_CHN_MUL_HOR",
          "elements": "Station_Id_C,Datetime,TEM", "times": stamp(T0), "dataFormat": "json",
          "serviceNodeId": "NMIC_MUSIC_CMADAAS"}


@pytest.fixture
def credential(settings):
    settings.QIXIANG_PUBLIC_DATASETS = []
    query._stations.invalidate()
    make_network()
    user, _key = make_data_user("music", datasets="surface-obs-hourly")
    row, secret = create_credential(user)
    return row, secret


def call(client, params, language: str = "en"):
    answer = client.get("/music-ws/api", params, HTTP_HOST="localhost",
                        HTTP_ACCEPT_LANGUAGE=language)
    return answer, answer.json()


def test_messages_are_chinese_by_default(client, credential):
    row, secret = credential
    _answer, document = call(client, signing.signed_params(PARAMS, row.user_id, secret + "x"),
                             language="")
    assert document["returnMessage"].startswith("签名不符")


def test_a_signed_request_is_answered(client, credential):
    row, secret = credential
    answer, document = call(client, signing.signed_params(PARAMS, row.user_id, secret))
    assert answer.status_code == 200 and document["rowCount"] == "4"
    assert "sign" not in document["requestParams"] and "nonce" not in document["requestParams"]


def test_signature_is_the_uppercase_md5_of_sorted_params_with_the_password():
    params = {"userId": "u", "b": "2", "a": "1 ", "timestamp": "1", "nonce": "n"}
    assert signing.canonical({**params, "pwd": "p"}) == "a=1&b=2&nonce=n&pwd=p&timestamp=1&userId=u"
    import hashlib
    assert signing.signature(params, "p") == hashlib.md5(
        b"a=1&b=2&nonce=n&pwd=p&timestamp=1&userId=u").hexdigest().upper()


def test_no_signature_for_a_dataset_that_is_not_public_is_401(client, credential):
    answer, document = call(client, PARAMS)
    assert answer.status_code == 401 and document["returnCode"] == "-1005"


def test_unknown_user_is_401(client, credential):
    _row, secret = credential
    answer, document = call(client, signing.signed_params(PARAMS, "nobody", secret))
    assert answer.status_code == 401 and document["returnCode"] == "-1001"


def test_wrong_password_or_a_changed_parameter_is_a_bad_signature(client, credential):
    row, secret = credential
    answer, document = call(client, signing.signed_params(PARAMS, row.user_id, secret + "x"))
    assert answer.status_code == 401 and document["returnCode"] == "-1001"
    assert "signature" in document["returnMessage"]
    tampered = signing.signed_params(PARAMS, row.user_id, secret)
    tampered["elements"] += ",RHU"
    answer, document = call(client, tampered)
    assert answer.status_code == 401 and document["returnCode"] == "-1001"


def test_stale_timestamp_is_401(client, credential, settings):
    row, secret = credential
    old = signing.signed_params(PARAMS, row.user_id, secret,
                                now=time.time() - settings.QIXIANG_MUSIC_MAX_SKEW - 5)
    answer, document = call(client, old)
    assert answer.status_code == 401 and document["returnCode"] == "-1002"
    future = signing.signed_params(PARAMS, row.user_id, secret,
                                   now=time.time() + settings.QIXIANG_MUSIC_MAX_SKEW + 5)
    assert call(client, future)[1]["returnCode"] == "-1002"


def test_replayed_nonce_is_401(client, credential):
    row, secret = credential
    params = signing.signed_params(PARAMS, row.user_id, secret)
    assert call(client, params)[0].status_code == 200
    answer, document = call(client, params)
    assert answer.status_code == 401 and document["returnCode"] == "-1003"
    assert MusicNonce.objects.filter(user_id=row.user_id).count() == 1


def test_revoking_the_api_key_revokes_the_credential(client, credential):
    row, secret = credential
    assert row.api_key.name == f"MUSIC {row.user_id}"
    revoke(row.api_key.prefix)
    answer, document = call(client, signing.signed_params(PARAMS, row.user_id, secret))
    assert answer.status_code == 401 and document["returnCode"] == "-1001"


def test_dataset_outside_the_grant_is_403(client, credential):
    row, secret = credential
    minute = {**PARAMS, "dataCode": "SURF_CHN_MUL_MIN"}
    answer, document = call(client, signing.signed_params(minute, row.user_id, secret))
    assert answer.status_code == 403 and document["returnCode"] == "-1004"


def test_over_rate_and_over_quota_are_429_with_retry_after(client, credential):
    row, secret = credential
    Tier.objects.filter(code="standard").update(rate_per_minute=1)
    assert call(client, signing.signed_params(PARAMS, row.user_id, secret))[0].status_code == 200
    answer, document = call(client, signing.signed_params(PARAMS, row.user_id, secret))
    assert answer.status_code == 429 and document["returnCode"] == "-5004"
    assert int(answer["Retry-After"]) >= 1
    Tier.objects.filter(code="standard").update(rate_per_minute=None, daily_quota=5)
    access.forget()  # a bulk update: seen once the lookup second has passed
    answer, document = call(client, signing.signed_params(PARAMS, row.user_id, secret))
    assert answer.status_code == 429 and "quota" in document["returnMessage"]


def test_region_scope_limits_what_a_signed_user_sees(client, settings):
    settings.QIXIANG_PUBLIC_DATASETS = []
    query._stations.invalidate()
    make_network()
    user, _key = make_data_user("canton", datasets="*", regions="4401")
    row, secret = create_credential(user)
    _answer, document = call(client, signing.signed_params(PARAMS, row.user_id, secret))
    assert [r["Station_Id_C"] for r in document["DS"]] == ["59287"]
    beijing = {**PARAMS, "interfaceId": "getSurfEleInRegionByTime", "adminCodes": "110000"}
    _answer, document = call(client, signing.signed_params(beijing, row.user_id, secret))
    assert document["returnCode"] == "0" and document["DS"] == []


def test_secret_is_stored_sealed_under_an_owner_only_key(credential, key_dir):
    row, secret = credential
    stored = MusicCredential.objects.values_list("sealed_secret", flat=True).get(pk=row.pk)
    assert secret not in stored and sealing.unseal(stored) == secret
    assert stat.S_IMODE((key_dir / sealing.KEY_FILE).stat().st_mode) == 0o600
