"""The ingest pipeline: archive once, store values, keep history, account for every message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qixiang.ingest import decoding, pipeline
from qixiang.ingest.models import RawMessage, StageCount
from qixiang.ingest.pipeline import ingest_bytes, ingest_messages, ingest_path
from qixiang.observations import flags
from qixiang.observations.models import Observation, QCFlag, Revision
from qixiang.observations.signals import observations_stored
from qixiang.science.observation import Message, Status, rejected
from qixiang.stations.models import Station
from tests.ingest.conftest import T0, message

pytestmark = pytest.mark.django_db


def value(station: str, element: str, time=T0) -> Observation:
    return Observation.objects.get(station_id=station, element=element, time=time)


def test_message_is_archived_and_its_values_stored():
    result = ingest_messages([message(1)], origin="a.json", channel="file")
    assert (result.messages, result.stored, result.reports, result.values) == (1, 1, 1, 2)
    raw = RawMessage.objects.get()
    assert (raw.status, raw.origin, raw.position, raw.channel) == ("decoded", "a.json", 1, "file")
    assert bytes(raw.payload) == message(1).raw
    assert (raw.report_count, raw.value_count) == (1, 2)
    tem = value("54511", "TEM")
    assert (tem.value, tem.qc_flag, tem.message_id) == (12.3, QCFlag.CORRECT, raw.id)  # QC ran


def test_identical_resend_is_a_duplicate_and_changes_nothing():
    ingest_messages([message(1)], origin="a.json", channel="file")
    before = list(Observation.objects.values())
    again = ingest_messages([message(1)], origin="b.json", channel="mqtt")
    assert (again.messages, again.duplicates, again.stored, again.values) == (1, 1, 0, 0)
    assert RawMessage.objects.count() == 1
    assert list(Observation.objects.values()) == before
    assert not Revision.objects.exists()


def test_identical_messages_within_one_input_are_stored_once():
    result = ingest_messages([message(1), message(2), message(3, values={"TEM": 1.0})],
                             origin="a.json", channel="file")
    assert (result.stored, result.duplicates) == (2, 1)
    assert RawMessage.objects.count() == 2


def test_correction_replaces_value_and_keeps_the_old_one_in_revision():
    ingest_messages([message(1, values={"TEM": 12.3, "RHU": 45.0})], origin="a", channel="file")
    original = RawMessage.objects.get()
    ingest_messages([message(1, values={"TEM": 13.1, "RHU": 45.0}, correction=True)],
                    origin="a-CCA", channel="file")
    correction = RawMessage.objects.exclude(pk=original.pk).get()
    assert correction.correction
    tem = value("54511", "TEM")
    assert (tem.value, tem.message_id) == (13.1, correction.id)
    revision = Revision.objects.get()
    assert (revision.element, revision.value, revision.message_id, revision.replaced_by_id) == (
        "TEM", 12.3, original.id, correction.id)
    assert value("54511", "RHU").message_id == original.id  # unchanged value keeps its source


def test_later_message_with_a_different_value_replaces_without_correction_flag():
    ingest_messages([message(1, values={"TEM": 12.3})], origin="a", channel="file")
    ingest_messages([message(1, values={"TEM": 12.8}, salt="later")], origin="b", channel="file")
    assert value("54511", "TEM").value == 12.8
    assert list(Revision.objects.values_list("value", flat=True)) == [12.3]


def test_original_and_two_corrections_in_one_batch_keep_the_whole_history():
    batch = [message(1, values={"TEM": 10.0}), message(2, values={"TEM": 11.0}, correction=True),
             message(3, values={"TEM": 12.0}, correction=True)]
    ingest_messages(batch, origin="a", channel="file")
    assert value("54511", "TEM").value == 12.0
    assert sorted(Revision.objects.values_list("value", flat=True)) == [10.0, 11.0]


def test_missing_value_is_stored_with_flag_8():
    ingest_messages([message(1, values={"TEM": None, "RHU": 40.0})], origin="a", channel="file")
    tem = value("54511", "TEM")
    assert (tem.value, tem.qc_flag) == (None, QCFlag.MISSING)
    assert value("54511", "RHU").qc_flag == QCFlag.CORRECT


def test_missing_value_does_not_erase_a_stored_value_unless_a_correction_says_so():
    ingest_messages([message(1, values={"TEM": 12.3})], origin="a", channel="file")
    ingest_messages([message(2, values={"TEM": None})], origin="b", channel="file")
    assert value("54511", "TEM").value == 12.3
    ingest_messages([message(3, values={"TEM": None}, correction=True)], origin="c",
                    channel="file")
    assert value("54511", "TEM").value is None
    assert list(Revision.objects.values_list("value", flat=True)) == [12.3]


def test_value_reached_by_another_conversion_is_not_a_change():
    ingest_messages([message(1, values={"TEM": 12.3})], origin="a", channel="file")
    ingest_messages([message(2, values={"TEM": 285.45 - 273.15})], origin="b", channel="file")
    assert not Revision.objects.exists()


def test_rejected_and_undecoded_messages_are_dead_letters_with_their_reason():
    bad = rejected(2, b"54511 ,x,,", "csv", "row 2, field TEM: 'x' is not a number")
    upper = Message(index=3, raw=b"TTAA", codec="bufr", status=Status.UNDECODED,
                    reason="message 3: upper-air sounding, not decoded")
    result = ingest_messages([message(1), bad, upper], origin="/in/obs.csv", channel="file",
                             filename="obs.csv")
    assert (result.stored, result.rejected, result.undecoded) == (1, 1, 1)
    dead = {m.status: m for m in RawMessage.objects.exclude(status="decoded")}
    assert dead["rejected"].reason == "obs.csv: row 2, field TEM: 'x' is not a number"
    assert bytes(dead["rejected"].payload) == b"54511 ,x,,"
    assert dead["undecoded"].reason.startswith("obs.csv: message 3")
    assert result.reasons == [dead["rejected"].reason, dead["undecoded"].reason]


def test_resent_dead_letter_is_a_duplicate():
    bad = rejected(1, b"garbage", "csv", "f.csv: row 1: no time")
    ingest_messages([bad], origin="f.csv", channel="file")
    again = ingest_messages([rejected(1, b"garbage", "csv", "f.csv: row 1: no time")],
                            origin="f.csv", channel="file")
    assert (again.duplicates, again.rejected) == (1, 0)


@pytest.mark.parametrize(("values", "field"), [({"XYZ": 1.0}, "field XYZ"),
                                                ({"TEM": float("inf")}, "field TEM")])
def test_report_with_a_bad_field_is_rejected_naming_file_record_and_field(values, field):
    result = ingest_messages([message(7, values=values)], origin="/in/x.json",
                             channel="file", filename="x.json")
    assert result.rejected == 1
    reason = RawMessage.objects.get().reason
    assert reason.startswith("x.json: message 7, station '54511', " + field)
    assert not Observation.objects.exists()


def test_nan_value_is_stored_as_missing():
    ingest_messages([message(1, values={"TEM": float("nan")})], origin="a", channel="file")
    assert value("54511", "TEM").qc_flag == QCFlag.MISSING


def test_counts_add_up_per_input_and_in_stage_counts():
    inputs = [
        [message(1), message(2, values={"TEM": 3.0}), rejected(3, b"bad", "json", "r3: bad")],
        [message(1), Message(index=2, raw=b"up", codec="bufr", status=Status.UNDECODED,
                             reason="upper air")],
    ]
    total = pipeline.IngestResult(origin="total")
    for batch in inputs:
        result = ingest_messages(batch, origin="in", channel="watch")
        assert result.balanced
        total.add(result)
    assert (total.messages, total.stored, total.duplicates, total.rejected, total.undecoded) == (
        5, 2, 1, 1, 1)
    row = StageCount.objects.get(stage="ingest", channel="watch")
    assert row.received == row.stored + row.duplicates + row.rejected + row.undecoded == 5
    assert (row.stored, row.duplicates, row.rejected, row.undecoded) == (2, 1, 1, 1)
    assert row.values == total.values == 3


def test_payloads_of_many_origins_share_a_batch_and_each_keeps_its_origin(monkeypatch):
    batches: list[int] = []
    real_write = pipeline._write

    def write(batch, *args, **kwargs):
        batches.append(len(batch))
        return real_write(batch, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_write", write)

    def sensor(station: str, tem: float) -> bytes:
        return (f'{{"station": "{station}", "time": "2026-11-21T06:00:00Z", '
                f'"values": {{"TEM": {tem}}}}}').encode()

    payloads = [("obs/aws/54511", sensor("54511", 1.5)), ("obs/aws/54433", sensor("54433", 2.5)),
                ("obs/aws/bad", b'{"station": "x"}'),
                ("obs/gateway/1", sensor("54511", 1.5))]  # the same message from elsewhere
    result = pipeline.ingest_payloads(payloads, channel="mqtt")
    assert batches == [4]
    assert (result.messages, result.stored, result.rejected, result.duplicates) == (4, 2, 1, 1)
    assert result.balanced and result.origin == "4 origins"
    assert dict(RawMessage.objects.values_list("origin", "status")) == {
        "obs/aws/54511": "decoded", "obs/aws/54433": "decoded", "obs/aws/bad": "rejected"}
    assert result.reasons[0].startswith("obs/aws/bad: ")
    assert value("54433", "TEM").value == 2.5
    row = StageCount.objects.get(stage="ingest", channel="mqtt")
    assert (row.received, row.stored, row.rejected, row.duplicates) == (4, 2, 1, 1)


def test_unknown_station_is_kept_under_the_identifier_given():
    ingest_messages([message(1, station="X9999")], origin="a", channel="file")
    assert value("X9999", "TEM").value == 12.3


@pytest.mark.parametrize("identifier", ["54511", "0-20000-0-54511", "0-156-0-54511",
                                        "0-156-0-54511".lower()])
def test_station_is_stored_under_its_registry_cma_id(identifier):
    Station.objects.create(cma_id="C0001", wmo_index="54511", wigos_id="0-156-0-54511",
                           latitude=39.8, longitude=116.47)
    ingest_messages([message(1, station=identifier)], origin="a", channel="file")
    assert value("C0001", "TEM").value == 12.3


def test_station_registered_after_first_ingest_is_resolved_next_time():
    ingest_messages([message(1, station="54511")], origin="a", channel="file")
    Station.objects.create(cma_id="C0001", wmo_index="54511", latitude=39.8, longitude=116.47)
    ingest_messages([message(2, station="54511", time=T0 + timedelta(hours=1))], origin="b",
                    channel="file")
    assert value("C0001", "TEM", T0 + timedelta(hours=1)).value == 12.3


def test_observations_stored_is_sent_after_commit(django_capture_on_commit_callbacks):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    observations_stored.connect(listener)
    try:
        later = T0 + timedelta(hours=1)
        with django_capture_on_commit_callbacks(execute=True):
            ingest_messages([message(1), message(2, station="58367", time=later)],
                            origin="a", channel="file")
            assert not received  # not before the commit
    finally:
        observations_stored.disconnect(listener)
    assert len(received) == 1
    assert received[0]["station_ids"] == {"54511", "58367"}
    assert received[0]["elements"] == {"TEM", "RHU"}
    assert received[0]["times"] == (T0, later)


def test_a_failing_listener_does_not_undo_or_break_the_ingest(django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise RuntimeError("listener bug")

    observations_stored.connect(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest_messages([message(1)], origin="a", channel="file")
    finally:
        observations_stored.disconnect(broken)
    assert result.stored == 1 and Observation.objects.count() == 2


def test_qc_seam_sets_the_flags_stored(monkeypatch):
    monkeypatch.setattr(flags, "ASSIGN", lambda rows: [1 if e == "TEM" else 0
                                                       for e in rows.elements])
    ingest_messages([message(1)], origin="a", channel="file")
    assert value("54511", "TEM").qc_flag == QCFlag.SUSPECT
    assert value("54511", "RHU").qc_flag == QCFlag.CORRECT


def test_batches_split_a_long_input_and_each_batch_is_counted(monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_MESSAGES", 3)
    batch = [message(i, values={"TEM": float(i)}, time=T0 + timedelta(hours=i))
             for i in range(1, 11)]
    result = ingest_messages(batch, origin="a", channel="file")
    assert (result.stored, Observation.objects.count()) == (10, 10)
    assert sum(StageCount.objects.values_list("received", flat=True)) == 10


def test_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="unknown ingest channel"):
        ingest_messages([message(1)], origin="a", channel="carrier-pigeon")


def test_unrecognised_bytes_become_one_dead_letter_naming_the_input():
    result = ingest_bytes(b"\x00\x01 not a weather format", origin="upload.bin", channel="http")
    assert (result.messages, result.rejected, result.errors) == (1, 1, [])
    assert RawMessage.objects.get().reason.startswith("upload.bin: ")


def test_decoder_that_raises_leaves_the_input_archived_as_a_dead_letter(monkeypatch, tmp_path):
    def broken(data, filename="", codec=None, **options):
        yield message(1)
        raise RuntimeError("boom")

    monkeypatch.setattr(decoding.codecs, "decode", broken)
    path = tmp_path / "odd.dat"
    path.write_bytes(b"payload")
    result = ingest_path(path)
    assert (result.stored, result.rejected, result.messages) == (1, 1, 2)
    assert result.errors and "odd.dat" in result.errors[0] and "boom" in result.errors[0]
    dead = RawMessage.objects.get(status="rejected")
    assert bytes(dead.payload) == b"payload"
    assert dead.origin == str(path)
