"""Registered positions against the hemisphere of their WMO block."""

from __future__ import annotations

from qixiang.quality.identity import misplaced


def test_a_caribbean_station_east_of_greenwich_has_its_longitude_sign_flipped():
    reason = misplaced("78310", 21.87, 84.95)
    assert reason.startswith("registered position (21.87, 84.95) is east of Greenwich")
    assert reason.endswith("WMO block 78 is in Region IV (North and Central America): "
                           "longitude sign flipped")
    assert misplaced("78310", 21.87, -84.95) == ""


def test_a_chinese_station_south_and_west_has_both_signs_flipped():
    assert misplaced("54511", -39.8, -116.47).endswith("both signs flipped")
    assert misplaced("54511", 39.8, 116.47) == ""


def test_blocks_spanning_the_meridian_or_the_equator_judge_only_what_they_can():
    assert misplaced("03772", 51.48, -0.45) == ""  # London: Europe lies on both sides
    assert misplaced("61641", 14.74, -17.49) == ""  # Dakar: Africa is not judged
    assert misplaced("85574", -33.4, -70.8) == ""  # Santiago: South America, west
    assert misplaced("85574", -33.4, 70.8).endswith("longitude sign flipped")


def test_a_zero_position_is_a_placeholder_and_other_identifiers_are_not_judged():
    assert "placeholder" in misplaced("78308", 0.0, 0.0)
    assert "placeholder" in misplaced("", 0.0, 0.0)
    assert misplaced("A1234", -10.0, -10.0) == ""
    assert misplaced("", 39.8, -116.47) == ""
