"""The ingest channels: message bus (in-process and MQTT), watched folder, HTTP upload."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

from qixiang.accounts.apikeys import create_api_key
from qixiang.accounts.models import Role, User
from qixiang.bus import make_bus
from qixiang.bus.inprocess import InProcessBus
from qixiang.ingest import pipeline
from qixiang.ingest.channels.bus import subscribe_ingest
from qixiang.ingest.channels.watch import FolderWatcher
from qixiang.ingest.models import RawMessage
from qixiang.observations.models import Observation

WAIT = 15.0  # bound for "eventually" in the channel tests: a broken channel fails, not hangs


def sensor(station: str = "54511", tem: float = 12.3, hour: int = 6, **extra) -> dict:
    return {"station": station, "time": f"2026-11-21T{hour:02d}:00:00Z",
            "values": {"TEM": tem, "RHU": 45}, **extra}


def as_bytes(obj) -> bytes:
    return json.dumps(obj).encode()


def stored(station: str, element: str = "TEM") -> Observation | None:
    """The stored value, read while another thread may be writing (SQLite may say locked)."""
    try:
        return Observation.objects.filter(station_id=station, element=element).first()
    except OperationalError:
        return None


def eventually(check: Callable[[], object], timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.01)


# --- message bus ------------------------------------------------------------------------------

@pytest.mark.mqtt
def test_json_published_on_the_broker_is_queryable_within_a_second(mosquitto_port,
                                                                  transactional_db):
    """The issue's acceptance statement: a JSON sensor message published on MQTT can be
    queried as an observation in under a second."""
    url = f"mqtt://127.0.0.1:{mosquitto_port}?client_id=ingest-{uuid.uuid4().hex[:8]}"
    bus = make_bus(url)
    subscriber = subscribe_ingest(bus, "qixiang/obs/#")
    assert subscriber.channel == "mqtt"
    bus.start()
    publisher = make_bus(f"mqtt://127.0.0.1:{mosquitto_port}?client_id=pub-{uuid.uuid4().hex[:8]}")
    publisher.start()
    try:
        assert bus.wait_connected(WAIT) and publisher.wait_connected(WAIT)
        publisher.publish("qixiang/obs/iot/54511", as_bytes(sensor(tem=21.5)))
        deadline = time.monotonic() + 1.0
        while stored("54511") is None and time.monotonic() < deadline:
            time.sleep(0.005)
        row = stored("54511")
        assert row is not None, "not queryable within 1 s of publishing"
        assert row.value == 21.5
        raw = RawMessage.objects.get(pk=row.message_id)
        assert (raw.channel, raw.origin) == ("mqtt", "qixiang/obs/iot/54511")
    finally:
        publisher.stop()
        bus.stop()


def test_inprocess_bus_payloads_are_ingested_with_the_topic_as_origin(transactional_db):
    bus = InProcessBus()
    subscriber = subscribe_ingest(bus, "qixiang/obs/+/+")
    bus.start()
    bus.publish("qixiang/obs/demo/54511", as_bytes(sensor("54511")))
    bus.publish("qixiang/obs/demo/54433", as_bytes(sensor("54433", 3.0)))
    bus.publish("qixiang/other/x", as_bytes(sensor("99999")))  # not under the pattern
    bus.stop()
    assert stored("54511").value == 12.3 and stored("54433").value == 3.0
    assert stored("99999") is None
    assert sorted(RawMessage.objects.values_list("channel", "origin")) == [
        ("bus", "qixiang/obs/demo/54433"), ("bus", "qixiang/obs/demo/54511")]
    assert (subscriber.totals.messages, subscriber.totals.stored) == (2, 2)


def test_queued_run_across_many_topics_is_stored_in_one_transaction(transactional_db,
                                                                     monkeypatch):
    """Stations publish each on its own topic: a queued run of them is one batch, one commit,
    and every message is still archived under its own topic."""
    batches: list[int] = []
    real_write = pipeline._write

    def write(batch, *args, **kwargs):
        batches.append(len(batch))
        return real_write(batch, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_write", write)
    bus = InProcessBus()
    subscriber = subscribe_ingest(bus, "qixiang/obs/#")
    stations = [f"5{k:04d}" for k in range(40)]
    for station in stations:  # queued before start: the worker takes them as one run
        bus.publish(f"qixiang/obs/aws/{station}", as_bytes(sensor(station)))
    bus.publish("qixiang/obs/aws/broken", b"{not json")  # a bad payload is its own dead letter
    bus.publish("qixiang/obs/aws/50000", as_bytes(sensor("50000")))  # a re-send in the run
    bus.start()
    bus.stop()
    assert batches == [42]
    assert Observation.objects.filter(element="TEM").count() == 40
    origins = dict(RawMessage.objects.filter(status="decoded").values_list("origin", "channel"))
    assert origins == {f"qixiang/obs/aws/{s}": "bus" for s in stations}
    dead = RawMessage.objects.get(status="rejected")
    assert bytes(dead.payload) == b"{not json" and dead.origin == "qixiang/obs/aws/broken"
    assert "qixiang/obs/aws/broken" in dead.reason
    assert (subscriber.totals.messages, subscriber.totals.stored, subscriber.totals.rejected,
            subscriber.totals.duplicates) == (42, 40, 1, 1)


def test_run_whose_ingest_fails_is_retried_payload_by_payload(transactional_db, monkeypatch):
    from qixiang.ingest.channels import bus as channel

    monkeypatch.setattr(channel, "RETRY_PAUSES", (0.0,))

    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(pipeline, "ingest_payloads", fail)
    bus = InProcessBus()
    subscriber = subscribe_ingest(bus, "qixiang/obs/#")
    bus.publish("qixiang/obs/aws/54511", as_bytes(sensor("54511")))
    bus.publish("qixiang/obs/aws/54433", as_bytes(sensor("54433")))
    bus.start()
    bus.stop()
    assert stored("54511").value == 12.3 and stored("54433") is not None
    assert sorted(RawMessage.objects.values_list("origin", flat=True)) == [
        "qixiang/obs/aws/54433", "qixiang/obs/aws/54511"]
    assert (subscriber.totals.messages, subscriber.totals.stored) == (2, 2)


def test_redelivered_payload_is_a_duplicate_not_a_second_value(transactional_db):
    bus = InProcessBus()
    subscriber = subscribe_ingest(bus, "qixiang/obs/#")
    bus.start()
    for _ in range(2):  # at-least-once delivery: the same message twice
        bus.publish("qixiang/obs/iot/54511", as_bytes(sensor()))
    bus.stop()
    assert Observation.objects.filter(element="TEM").count() == 1
    assert (subscriber.totals.stored, subscriber.totals.duplicates) == (1, 1)


# --- watched folder ---------------------------------------------------------------------------

class Filed:
    """Collects what the watcher filed; ``wait(n)`` returns once ``n`` files were filed."""

    def __init__(self) -> None:
        self.items: list[tuple[Path, Path, object]] = []
        self._cond = threading.Condition()

    def __call__(self, source: Path, destination: Path, result) -> None:
        with self._cond:
            self.items.append((source, destination, result))
            self._cond.notify_all()

    def wait(self, n: int) -> list[tuple[Path, Path, object]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.items) >= n, WAIT)
            return list(self.items)


@pytest.fixture
def watched(tmp_path, transactional_db):
    """A watcher on a fresh folder; ``start(folder)`` starts it, stopped after the test."""
    filed = Filed()
    watchers: list[FolderWatcher] = []

    def start(settle: float = 30.0) -> FolderWatcher:
        watcher = FolderWatcher(tmp_path, settle=settle, poll=0.02, on_filed=filed)
        watcher.start()
        watchers.append(watcher)
        return watcher

    yield tmp_path, start, filed
    for watcher in watchers:
        watcher.stop()


def test_file_written_into_the_watched_folder_is_ingested_and_moved_to_done(watched):
    root, start, filed = watched
    start()  # settle 30 s: only the writer closing the file can make it ready this soon
    (root / "station.json").write_bytes(as_bytes([sensor("54511"), sensor("54433")]))
    [(source, destination, result)] = filed.wait(1)
    assert destination == root / "done" / "station.json" and destination.exists()
    assert not source.exists()
    assert (result.messages, result.stored) == (2, 2)
    assert stored("54433") is not None
    assert RawMessage.objects.filter(channel="watch").count() == 2


def test_file_renamed_into_the_folder_and_files_present_at_start_are_ingested(watched):
    root, start, filed = watched
    (root / "before.json").write_bytes(as_bytes(sensor("54511")))
    staging = root / "done"
    staging.mkdir()
    (staging / "incoming.tmp").write_bytes(as_bytes(sensor("54433")))
    start(settle=0.3)  # files present at start have no close event: size-stable for 0.3 s
    (staging / "incoming.tmp").rename(root / "renamed.json")
    items = filed.wait(2)
    assert sorted(d.name for _, d, _ in items) == ["before.json", "renamed.json"]
    assert stored("54511") is not None and stored("54433") is not None


def test_file_with_a_bad_message_goes_to_failed_with_its_reasons_and_keeps_the_good_ones(watched):
    root, start, filed = watched
    start()
    (root / "mixed.json").write_bytes(as_bytes([sensor("54511"), {"station": "54433",
                                                                   "time": "yesterday"}]))
    [(_, destination, result)] = filed.wait(1)
    assert destination == root / "failed" / "mixed.json"
    reason = (root / "failed" / "mixed.json.reason.txt").read_text(encoding="utf-8")
    assert "mixed.json" in reason and "object 2" in reason and "'time'" in reason
    assert (result.stored, result.rejected) == (1, 1)
    assert stored("54511") is not None  # the good message of the file is stored
    assert RawMessage.objects.get(status="rejected").origin.endswith("mixed.json")


def test_same_name_again_is_filed_beside_the_first(watched):
    root, start, filed = watched
    start()
    (root / "a.json").write_bytes(as_bytes(sensor(hour=1)))
    filed.wait(1)
    (root / "a.json").write_bytes(as_bytes(sensor(hour=2)))
    items = filed.wait(2)
    assert [d.name for _, d, _ in items] == ["a.json", "a.json~2"]


def test_hidden_and_partial_files_are_left_alone(watched):
    root, start, filed = watched
    start(settle=0.05)
    (root / ".hidden.json").write_bytes(as_bytes(sensor()))
    (root / "upload.json.part").write_bytes(as_bytes(sensor()))
    (root / "real.json").write_bytes(as_bytes(sensor("54433")))
    items = filed.wait(1)
    assert [d.name for _, d, _ in items] == ["real.json"]
    assert (root / ".hidden.json").exists() and (root / "upload.json.part").exists()


def test_file_whose_ingest_keeps_failing_is_retried_then_filed_with_the_error(watched,
                                                                             monkeypatch):
    from qixiang.ingest.channels import watch

    tries: list[Path] = []

    def database_away(path, channel):
        tries.append(path)
        raise OperationalError("database is locked")

    monkeypatch.setattr(watch, "ingest_path", database_away)
    monkeypatch.setattr(watch, "RETRY_PAUSE", 0.0)
    root, start, filed = watched
    start()
    (root / "a.json").write_bytes(as_bytes(sensor()))
    [(_, destination, result)] = filed.wait(1)
    assert len(tries) == watch.ATTEMPTS and result is None
    assert destination == root / "failed" / "a.json"
    reason = (root / "failed" / "a.json.reason.txt").read_text(encoding="utf-8")
    assert "database is locked" in reason and "a.json" in reason


# --- HTTP upload ------------------------------------------------------------------------------

def key_for(role: str) -> str:
    user = User.objects.create_user(f"u-{role}", role=role)  # no password: nothing to hash
    return create_api_key(user, "test")[1]


def upload(client: Client, files: dict[str, bytes], **headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"files": [SimpleUploadedFile(name, content) for name, content in files.items()]}
    return client.post("/api/ingest/files", data, **headers)


@pytest.mark.django_db
def test_upload_without_a_valid_key_is_401():
    client = Client(enforce_csrf_checks=True)  # as a real client: no CSRF token either
    assert upload(client, {"a.json": as_bytes(sensor())}).status_code == 401
    wrong = upload(client, {"a.json": as_bytes(sensor())}, HTTP_AUTHORIZATION="Bearer qx_nope")
    assert wrong.status_code == 401
    assert client.post("/api/ingest/messages", as_bytes(sensor()),
                       content_type="application/json").status_code == 401
    assert not RawMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FORECASTER, Role.DATA_USER, Role.REGULATOR])
def test_upload_by_a_role_that_may_not_ingest_is_403(role):
    key = key_for(role)
    response = upload(Client(), {"a.json": as_bytes(sensor())}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403
    assert not RawMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMINISTRATOR])
def test_upload_returns_per_file_counts_and_reasons_and_stores_the_good_file(role):
    key = key_for(role)
    good = as_bytes([sensor("54511"), sensor("54433")])
    bad = b"this is not an observation"
    response = upload(Client(), {"good.json": good, "bad.txt": bad}, HTTP_X_API_KEY=key)
    assert response.status_code == 200
    results = {r["origin"]: r for r in response.json()["files"]}
    assert {k: results["good.json"][k] for k in ("messages", "stored", "rejected", "values")} == {
        "messages": 2, "stored": 2, "rejected": 0, "values": 4}
    assert (results["bad.txt"]["rejected"], results["bad.txt"]["stored"]) == (1, 0)
    assert "bad.txt" in results["bad.txt"]["reasons"][0]
    assert stored("54511") is not None and stored("54433") is not None
    assert RawMessage.objects.filter(channel="http", status="rejected").count() == 1


@pytest.mark.django_db
def test_logged_in_operator_may_upload_with_the_csrf_token_and_not_without():
    User.objects.create_user("desk", password="pw", role=Role.OPERATOR)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="desk", password="pw")
    assert upload(client, {"a.json": as_bytes(sensor())}).status_code == 403  # CSRF
    client.get("/accounts/login/")  # sets the CSRF cookie, as a page would
    token = client.cookies["csrftoken"].value
    response = upload(client, {"a.json": as_bytes(sensor())}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["files"][0]["stored"] == 1


@pytest.mark.django_db
def test_upload_where_nothing_is_usable_is_422_with_the_reasons():
    key = key_for(Role.OPERATOR)
    response = upload(Client(), {"bad.txt": b"garbage"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 422
    assert "bad.txt" in response.json()["files"][0]["reasons"][0]


@pytest.mark.django_db
def test_upload_without_files_is_400():
    key = key_for(Role.OPERATOR)
    response = Client().post("/api/ingest/files", {}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    sensor(),
    [sensor(), sensor("54433")],
    {"observations": [sensor(), sensor("54433")]},
], ids=["object", "array", "envelope"])
def test_posted_json_messages_are_stored_in_every_accepted_shape(body):
    key = key_for(Role.OPERATOR)
    response = Client().post("/api/ingest/messages", json.dumps(body),
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["stored"] == result["messages"] >= 1
    assert result["origin"] == "http:u-operator"
    assert stored("54511").value == 12.3


@pytest.mark.django_db
def test_posted_message_with_a_bad_field_is_422_naming_object_and_field():
    key = key_for(Role.OPERATOR)
    response = Client().post("/api/ingest/messages", json.dumps([{"station": "54511"}]),
                             content_type="application/json", HTTP_X_API_KEY=key)
    assert response.status_code == 422
    assert "object 1" in response.json()["reasons"][0]


# --- all configured channels together ---------------------------------------------------------

def test_start_channels_runs_the_bus_subscription_and_the_watched_folder(tmp_path,
                                                                         transactional_db):
    from qixiang.ingest.channels.service import start_channels

    running = start_channels(bus_url="inprocess://?max_batch=7", topic="qixiang/obs/#",
                             watch_dir=tmp_path)
    try:
        running.bus.publish("qixiang/obs/demo/54511", as_bytes(sensor("54511")))
        (tmp_path / "f.json").write_bytes(as_bytes(sensor("54433")))
        assert eventually(lambda: stored("54511") and stored("54433"))
        assert eventually(lambda: (tmp_path / "done" / "f.json").exists())
    finally:
        running.stop()
    assert sorted(RawMessage.objects.values_list("channel", flat=True)) == ["bus", "watch"]
