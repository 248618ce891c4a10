"""Signed provenance: every data response carries a data id, its sha256 and an Ed25519-signed
record; the record is served at /provenance/<id>, verifies with /provenance/keys and fails for
other bytes; keys rotate without breaking old records."""

from __future__ import annotations

import hashlib
import json
import stat
from io import StringIO

import pytest
from django.core import signals
from django.core.management import CommandError, call_command
from django.db import close_old_connections
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from qixiang.dataservice import access, journal, jws, provenance, provenance_keys
from qixiang.dataservice.models import AccessLog
from tests.dataservice.conftest import make_data_user

pytestmark = pytest.mark.django_db
BODY = b'{"type":"FeatureCollection","features":[]}'


@pytest.fixture
def principal():
    user, key = make_data_user()
    request = RequestFactory().get("/edr/x", HTTP_AUTHORIZATION=f"Bearer {key}",
                                   REMOTE_ADDR="10.9.8.7")
    return access.authorize(request, "surface-obs-hourly", 2.5)


def stamped(principal, body: bytes = BODY) -> tuple[HttpResponse, provenance.Stamp]:
    response = HttpResponse(body, content_type="application/geo+json")
    row = provenance.stamp(response, body, dataset="surface-obs-hourly",
                           query={"bbox": "116,39,117,40", "f": "geojson"}, principal=principal)
    return response, row


def test_response_carries_data_id_sha256_and_a_record_signed_by_the_current_key(principal):
    response, row = stamped(principal)
    data_id = response["X-Qixiang-Data-Id"]
    assert response["X-Qixiang-SHA256"] == hashlib.sha256(BODY).hexdigest()
    assert f"</provenance/{data_id}>" in response["Link"]
    token = response["X-Qixiang-Provenance"]
    header = jws.header(token)
    assert header["alg"] == "EdDSA" and header["kid"] == provenance_keys.current().kid
    claims = provenance.verify(BODY, token, provenance.public_keys())
    assert claims["data_id"] == data_id == row.data_id
    assert claims["dataset"] == "surface-obs-hourly"
    assert claims["query"] == {"bbox": "116,39,117,40", "f": "geojson"}
    assert claims["requester"] == {"name": "reader", "principal": f"user:{principal.user.pk}",
                                   "via": "key"}
    assert claims["qc_version"].startswith("qixiang-") and "+qc." in claims["qc_version"]
    assert claims["size"] == len(BODY) and claims["media_type"] == "application/geo+json"
    assert claims["time"].endswith("Z")


def test_the_access_log_says_who_downloaded_what_and_when(principal):
    _response, row = stamped(principal)
    assert not AccessLog.objects.exists()  # a journal line, not a database write per answer
    assert journal.load() == 2  # the access row and the quota charge
    logged = AccessLog.objects.get(data_id=row.data_id)
    assert logged.user == principal.user and logged.requester == "reader"
    assert logged.client_ip == "10.9.8.7" and logged.api == "edr"
    assert logged.dataset == "surface-obs-hourly" and logged.cost == 2.5
    assert logged.query == "bbox=116%2C39%2C117%2C40&f=geojson"
    assert logged.sha256 == hashlib.sha256(BODY).hexdigest() and logged.size == len(BODY)


def test_other_bytes_or_a_tampered_record_do_not_verify(principal):
    response, _row = stamped(principal)
    token = response["X-Qixiang-Provenance"]
    keys = provenance.public_keys()
    with pytest.raises(provenance.InvalidRecord, match="sha256"):
        provenance.verify(BODY + b" ", token, keys)
    head, payload, signature = token.split(".")
    claims = json.loads(jws.b64url_decode(payload))
    claims["dataset"] = "surface-obs-minute"
    forged = ".".join([head, jws.b64url(json.dumps(claims).encode()).decode(), signature])
    with pytest.raises(provenance.InvalidRecord, match="signature"):
        provenance.verify(BODY, forged, keys)


def test_record_and_keys_are_served(client, principal):
    response, row = stamped(principal)
    document = client.get(f"/provenance/{row.data_id}", HTTP_HOST="localhost").json()
    assert document["state"] == "complete" and document["jws"] == response["X-Qixiang-Provenance"]
    assert document["record"]["sha256"] == row.sha256
    jwks = client.get("/provenance/keys", HTTP_HOST="localhost").json()
    assert provenance.verify(BODY, document["jws"], provenance.public_keys(jwks))
    assert client.get("/provenance/0123abcd", HTTP_HOST="localhost").status_code == 404


def test_private_keys_are_owner_only_and_made_once(key_dir):
    first = provenance_keys.current()
    assert provenance_keys.current().kid == first.kid
    pem = key_dir / "provenance" / f"{first.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE((key_dir / "provenance").stat().st_mode) == 0o700
    assert [k["kid"] for k in provenance_keys.jwks()["keys"]] == [first.kid]


def test_rotation_signs_with_the_new_key_and_old_records_still_verify(principal):
    old_response, _ = stamped(principal)
    old_kid = provenance_keys.current().kid
    out = StringIO()
    call_command("provenance-key", "rotate", stdout=out)
    new_kid = provenance_keys.current().kid
    assert new_kid != old_kid and new_kid in out.getvalue()
    new_response, _ = stamped(principal)
    assert jws.header(new_response["X-Qixiang-Provenance"])["kid"] == new_kid
    with pytest.raises(CommandError, match="current"):
        call_command("provenance-key", "retire", new_kid, stdout=StringIO())
    call_command("provenance-key", "retire", old_kid, stdout=StringIO())
    statuses = {k["kid"]: k["status"] for k in provenance_keys.jwks()["keys"]}
    assert statuses == {new_kid: "current", old_kid: "retired"}
    keys = provenance.public_keys()
    assert provenance.verify(BODY, old_response["X-Qixiang-Provenance"], keys)
    assert provenance.verify(BODY, new_response["X-Qixiang-Provenance"], keys)


def test_streamed_response_is_signed_once_the_last_chunk_is_out(client, principal):
    chunks = [b"a,b\n", b"1,2\n", "3,4\n"]
    response = StreamingHttpResponse(iter(chunks), content_type="text/csv")
    row = provenance.stamp_stream(response, dataset="surface-obs-hourly", query="f=csv",
                                  principal=principal)
    assert response["X-Qixiang-Data-Id"] == row.data_id
    pending = client.get(f"/provenance/{row.data_id}", HTTP_HOST="localhost")
    assert pending.status_code == 202 and pending.json()["state"] == "streaming"
    body = b"".join(response.streaming_content)
    done = client.get(f"/provenance/{row.data_id}", HTTP_HOST="localhost").json()
    assert done["state"] == "complete"
    assert provenance.verify(body, done["jws"], provenance.public_keys())["size"] == len(body)


def test_stream_cut_short_is_logged_as_aborted_without_a_record(principal):
    response = StreamingHttpResponse(iter([b"x" * 10, b"y" * 10]), content_type="text/csv")
    row = provenance.stamp_stream(response, dataset="surface-obs-hourly", query="f=csv",
                                  principal=principal)
    next(iter(response.streaming_content))
    # The client went away: the server closes the response (without request_finished closing
    # the test's database connection, as it would at the end of a real request).
    signals.request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        signals.request_finished.connect(close_old_connections)
    journal.load()
    logged = AccessLog.objects.get(data_id=row.data_id)
    assert logged.state == AccessLog.State.ABORTED and logged.record == "" and logged.size == 10


def test_verify_command_accepts_a_good_file_and_rejects_a_changed_one(tmp_path, principal):
    response, row = stamped(principal)
    good = tmp_path / "download.geojson"
    good.write_bytes(BODY)
    out = StringIO()
    call_command("verify", str(good), "--data-id", row.data_id, stdout=out)
    assert out.getvalue().startswith(f"OK {good}: data {row.data_id} of surface-obs-hourly")
    record = tmp_path / "record.jws"
    record.write_text(response["X-Qixiang-Provenance"])
    jwks = tmp_path / "keys.json"
    jwks.write_text(json.dumps(provenance_keys.jwks()))
    call_command("verify", str(good), "--record", str(record), "--keys", str(jwks),
                 stdout=StringIO())
    bad = tmp_path / "changed.geojson"
    bad.write_bytes(BODY.replace(b"[]", b"[ ]"))
    with pytest.raises(CommandError, match="FAILED: sha256"):
        call_command("verify", str(bad), "--record", str(record), stdout=StringIO())
    with pytest.raises(CommandError, match="no data response"):
        call_command("verify", str(good), "--data-id", "feedbeef", stdout=StringIO())


def test_record_is_served_from_the_journal_until_loaded_then_from_the_database(
        client, principal):
    first, _ = stamped(principal)
    second, _ = stamped(principal)
    data_id = first["X-Qixiang-Data-Id"]
    document = client.get(f"/provenance/{data_id}", HTTP_HOST="localhost").json()
    assert document["jws"] == first["X-Qixiang-Provenance"]
    assert journal.load() == 3  # two access rows and the fixture's quota charge
    assert set(AccessLog.objects.values_list("data_id", flat=True)) == {
        data_id, second["X-Qixiang-Data-Id"]}
    assert journal.load() == 0  # loaded once
    document = client.get(f"/provenance/{data_id}", HTTP_HOST="localhost").json()
    assert document["jws"] == first["X-Qixiang-Provenance"]


def test_stream_state_loads_in_order_and_a_replay_never_reopens_it(principal):
    response = StreamingHttpResponse(iter([b"a,b\n"]), content_type="text/csv")
    row = provenance.stamp_stream(response, dataset="surface-obs-hourly", query="f=csv",
                                  principal=principal)
    journal.load()
    assert AccessLog.objects.get(data_id=row.data_id).state == AccessLog.State.STREAMING
    b"".join(response.streaming_content)
    journal.load()
    logged = AccessLog.objects.get(data_id=row.data_id)
    assert logged.state == AccessLog.State.COMPLETE and logged.record
    from qixiang.dataservice import accesslog

    accesslog.load([{"kind": "access", "data_id": row.data_id, "time": logged.time.isoformat(),
                     "requester": "x", "api": "edr", "dataset": "surface-obs-hourly",
                     "query": "f=csv", "media_type": "text/csv", "cost": 1.0, "sha256": "",
                     "kid": "", "record": "", "state": AccessLog.State.STREAMING}], own=True)
    assert AccessLog.objects.get(data_id=row.data_id).state == AccessLog.State.COMPLETE


def test_records_are_ed25519_jws_as_rfc_8037_signs_them():
    """RFC 8037 appendix A.4: the same key and payload give the same compact JWS."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(
        jws.b64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"))
    assert jws.public_jwk(key.public_key(), "k")["x"] == (
        "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
    token = jws.sign(b"Example of Ed25519 signing", key, {})
    assert token == ("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                     "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7s"
                     "VvpAr_MuM0KAg")
