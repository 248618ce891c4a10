"""The GTS envelope shared by the text decoders: framing, headings and the reference month."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qixiang.science.codecs import gts


def _bulletins(text: str) -> list[tuple[str, list[str]]]:
    return [(b.heading, [line.text.strip() for line in b.lines]) for b in gts.bulletins(text)]


def test_soh_etx_frames_and_sequence_numbers_are_not_content():
    text = "\x01\r\r\n776 \r\r\nSAUS70 KWBC 081400\r\r\nMETAR\r\r\nKSPS 081352Z=\r\r\n\x03" \
           "\x01\r\r\n777 \r\r\nSMRO01 YRBK 211200 CCA\r\r\nAAXX 21121\r\r\n15015 02999=\r\r\n\x03"

    assert _bulletins(text) == [("SAUS70 KWBC 081400", ["METAR", "KSPS 081352Z="]),
                                ("SMRO01 YRBK 211200 CCA", ["AAXX 21121", "15015 02999="])]


def test_zczc_nnnn_frames_and_text_without_heading():
    framed = "ZCZC 123\nSMCU20 MUHV 310000\nAAXX 31001\n78310 01470=\nnnnn\n" \
             "ZCZC 124\nSMCU40 MUHV 310000\nAAXX 31001\n78308 11556=\nNNNN\n"
    plain = "AAXX 21121\n15015 02999=\n"

    assert [h for h, _ in _bulletins(framed)] == ["SMCU20 MUHV 310000", "SMCU40 MUHV 310000"]
    assert _bulletins(plain) == [("", ["AAXX 21121", "15015 02999="])]


def test_line_offsets_address_the_original_text():
    text = "\x01\r\r\n776 \r\r\nSAUS70 KWBC 081400\r\r\nKSPS 081352Z 10015KT=\r\r\n\x03"
    (bulletin,) = gts.bulletins(text)
    line = bulletin.lines[0]

    assert text[line.start:line.start + len(line.text)] == "KSPS 081352Z 10015KT="


@pytest.mark.parametrize(("heading", "bbb", "correction"), [
    ("SMRO01 YRBK 211200", "", False), ("SMRO01 YRBK 211200 CCA", "CCA", True),
    ("SMRO01 YRBK 211200 RRA", "RRA", False), ("SMRO01 YRBK 211200 AAA", "AAA", False),
    ("SAEW KAWN 020100 RRG", "RRG", False),
])
def test_heading_bbb_indicator(heading, bbb, correction):
    (bulletin,) = gts.bulletins(f"{heading}\nbody\n")

    assert (bulletin.heading, bulletin.bbb, bulletin.correction) == (heading, bbb, correction)


def test_reference_time_prefers_the_wmo_file_name_stamp():
    stamped = "A_SMRO01YRBK211200_C_EDZW_20220321120500_12524785.txt"

    assert gts.reference_time(stamped, "2030-01-01T00:00Z") == datetime(
        2022, 3, 21, 12, 5, tzinfo=UTC)
    assert gts.reference_time("WX.00", "2030-01-01T00:00Z") == datetime(2030, 1, 1, tzinfo=UTC)
    assert gts.reference_time("WX.00", datetime(2030, 1, 1)) == datetime(2030, 1, 1, tzinfo=UTC)
    assert gts.reference_time("WX.00").tzinfo == UTC


@pytest.mark.parametrize(("reference", "day", "expected"), [
    (datetime(2024, 3, 21, 12, 5, tzinfo=UTC), 21, datetime(2024, 3, 21, 12, tzinfo=UTC)),
    (datetime(2024, 3, 5, tzinfo=UTC), 21, datetime(2024, 2, 21, 12, tzinfo=UTC)),
    (datetime(2024, 3, 5, tzinfo=UTC), 31, datetime(2024, 1, 31, 12, tzinfo=UTC)),
    (datetime(2024, 1, 2, tzinfo=UTC), 31, datetime(2023, 12, 31, 12, tzinfo=UTC)),
    (datetime(2024, 3, 31, 23, 55, tzinfo=UTC), 1, datetime(2024, 4, 1, 12, tzinfo=UTC)),
])
def test_day_is_placed_in_the_reference_month_or_the_one_before(reference, day, expected):
    assert gts.resolve_time(day, 12, 0, reference) == expected


def test_out_of_range_day_hour_minute_raise():
    with pytest.raises(ValueError, match="out of range"):
        gts.resolve_time(32, 0, 0, datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="out of range"):
        gts.resolve_time(1, 24, 0, datetime(2024, 1, 1, tzinfo=UTC))
