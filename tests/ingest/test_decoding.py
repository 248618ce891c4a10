"""Files, and chunks of large BUFR files, decoded in worker processes are stored exactly as
when decoded in-process."""

from __future__ import annotations

import pytest

from qixiang.ingest import decoding
from qixiang.ingest.models import RawMessage, StageCount
from qixiang.ingest.pipeline import ingest_files
from qixiang.observations.models import Observation, Revision

pytestmark = pytest.mark.django_db

FILES = [
    "bufr/WIGOS_multi-message.bufr4",
    "bufr/A_ISIN21DAMM210900_C_EDZW_20220321091203_12391691.bufr4",
    "bufr/multi_invalid_messages.bufr",
    "synop/A_SMRO01YRBK171200_C_EDZW_20230117120502_51362175.txt",
    "synop/A_SMRO01YRBK171200CCA_C_EDZW_20230117174401_51649529.txt",
    "metar/collective.txt",
]


def snapshot() -> tuple:
    shas = dict(RawMessage.objects.values_list("id", "sha256"))
    values = sorted((s, e, t, v, f, shas[m]) for s, e, t, v, f, m in
                    Observation.objects.values_list("station_id", "element", "time", "value",
                                                    "qc_flag", "message_id"))
    archive = sorted(RawMessage.objects.values_list("sha256", "origin", "position", "status",
                                                    "reason", "correction"))
    revisions = sorted((s, e, t, v, shas[a], shas[b]) for s, e, t, v, a, b in
                       Revision.objects.values_list("station_id", "element", "time", "value",
                                                    "message_id", "replaced_by_id"))
    return values, archive, revisions


def clear() -> None:
    for model in (Observation, Revision, RawMessage, StageCount):
        model.objects.all().delete()


def test_worker_processes_store_the_same_as_in_process(shared_data, monkeypatch):
    monkeypatch.setattr(decoding, "PARALLEL_MIN_BYTES", 0)  # small real files: force the pool
    pools = []

    class Pool(decoding.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(kwargs["max_workers"])

    monkeypatch.setattr(decoding, "ProcessPoolExecutor", Pool)
    paths = [shared_data / name for name in FILES]

    parallel = list(ingest_files(paths, workers=2))
    assert pools == [2]
    in_workers = snapshot()
    clear()
    serial = list(ingest_files(paths, workers=1))

    assert snapshot() == in_workers
    assert [r.origin for r in parallel] == [str(p) for p in paths]  # file order kept
    assert [(r.messages, r.stored, r.rejected, r.undecoded, r.values, r.reasons)
            for r in parallel] == [(r.messages, r.stored, r.rejected, r.undecoded, r.values,
                                    r.reasons) for r in serial]
    assert any(r.rejected for r in parallel) and len(in_workers[2]) >= 1  # dead letters, history


def test_unreadable_file_is_an_error_and_the_next_file_goes_on(tmp_path):
    good = tmp_path / "good.json"
    good.write_text('{"station": "54511", "time": "2026-11-21T06:00:00Z", "values": {"TEM": 1}}')
    results = list(ingest_files([tmp_path / "gone.json", good], workers=1))
    assert results[0].errors and "gone.json" in results[0].errors[0]
    assert (results[1].stored, results[1].errors) == (1, [])


def _bulletins(shared_data, tmp_path, name: str = "big.bufr"):
    """One file of several BUFR bulletins, each with its GTS envelope and heading."""
    parts = [(shared_data / "bufr" / n).read_bytes() for n in (
        "A_ISMD02LIIB201200_C_EDZW_20220320120604_11413047.bin",
        "A_ISMD01LIIB210600CCA_C_EDZW_20220321061203_12271638.bin",
        "multi_invalid_messages.bufr", "syno_4.bufr")]
    path = tmp_path / name
    path.write_bytes(b"".join(parts))
    return path


def test_large_bufr_file_is_cut_into_chunks_decoded_in_workers_and_stored_the_same(
        shared_data, tmp_path, monkeypatch):
    monkeypatch.setattr(decoding, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(decoding, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(decoding, "CHUNK_BYTES", 2000)  # many small chunks
    chunks = []
    real = decoding._Unit.submit

    def submit(unit, pool):
        chunks.append(len(unit.frames or ()))
        return real(unit, pool)

    monkeypatch.setattr(decoding._Unit, "submit", submit)
    path = _bulletins(shared_data, tmp_path)

    (parallel,) = ingest_files([path], workers=2)
    assert len(chunks) > 3 and all(chunks)  # one file, several chunks, each decoded in a worker
    in_workers = snapshot()
    clear()
    (serial,) = ingest_files([path], workers=1)

    assert snapshot() == in_workers  # same values, positions, headings, reasons, history
    assert (parallel.messages, parallel.stored, parallel.rejected, parallel.values,
            parallel.reasons) == (serial.messages, serial.stored, serial.rejected, serial.values,
                                  serial.reasons)
    assert parallel.rejected
    headers = set(RawMessage.objects.values_list("header", flat=True))
    assert {"ISMD02 LIIB 201200", "ISMD01 LIIB 210600 CCA"} <= headers


def test_a_file_left_half_read_does_not_hold_up_the_next(shared_data, tmp_path, monkeypatch):
    monkeypatch.setattr(decoding, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(decoding, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(decoding, "CHUNK_BYTES", 2000)
    first, second = _bulletins(shared_data, tmp_path, "a.bufr"), _bulletins(shared_data, tmp_path,
                                                                            "b.bufr")
    expected = [m.index for m in decoding.decode_file(second, None).messages]
    files = decoding.decode_files([first, second], workers=2)
    next(iter(next(files).messages))  # storing the first file failed after one message
    later = next(files)
    assert later.path == second and [m.index for m in later.messages] == expected
