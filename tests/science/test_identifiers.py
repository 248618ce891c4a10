"""GB 32100 credit codes, GB 11643 ID numbers, supervision codes and signed site tokens."""

from __future__ import annotations

import datetime as dt

import pytest

from qixiang.science import identifiers as ids

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def test_uscc_check_character_of_the_spec_worked_example_is_3():
    assert ids.uscc_check_char("91350100M000100Y4") == "3"
    assert ids.validate_uscc("91350100M000100Y43").valid


def test_uscc_of_the_second_worked_example_is_valid_with_its_organisation_code():
    assert ids.validate_uscc("91110108551385082Q").valid
    assert ids.org_code_check_char("55138508") == "2"


def test_uscc_with_the_published_wrong_check_character_is_refused_by_charset():
    check = ids.validate_uscc("91350100M000100Y4Z")  # as printed in [S45]: Z is not in the set
    assert check.fatal and check.problems[0].code == "charset"


@pytest.mark.parametrize("code", ["91110108551385082R", "91110108551385082A"])
def test_uscc_with_a_wrong_check_character_is_a_problem_but_not_fatal(code):
    check = ids.validate_uscc(code)
    assert not check.valid and not check.fatal
    assert [p.code for p in check.problems] == ["check"]


def test_uscc_typed_with_spaces_lower_case_and_full_width_is_normalised():
    assert ids.validate_uscc(" 9111 0108 5513 8508 2q ").text == "91110108551385082Q"
    assert ids.validate_uscc("９１１１０１０８５５１３８５０８２Ｑ").valid


@pytest.mark.parametrize("code,problem", [("9111010855138508", "length"),
                                          ("91110108551385O82Q", "charset"),
                                          ("91110108551385I82Q", "charset")])
def test_uscc_of_the_wrong_form_is_fatal(code, problem):
    check = ids.validate_uscc(code)
    assert check.fatal and check.problems[0].code == problem


def test_uscc_whose_organisation_code_check_fails_is_reported():
    body = "91110108551385092"  # organisation code 55138509-2; its check character is 0
    code = body + ids.uscc_check_char(body)
    check = ids.validate_uscc(code)
    assert [p.code for p in check.problems] == ["org_check"]


def test_resident_id_check_character_of_the_spec_worked_example_is_x():
    assert ids.resident_id_check_char("11010519491231002") == "X"
    assert ids.validate_resident_id("11010519491231002X").valid
    assert ids.validate_resident_id("11010519491231002x").valid


@pytest.mark.parametrize("number,problem", [
    ("110105194912310021", "check"),      # check should be X
    ("110105194913310025", "birth_date"),  # month 13
    ("000105194912310029", "address"),     # no province 00
    ("110105290001010012", "birth_date"),  # born in the future
])
def test_resident_id_problems_are_named(number, problem):
    check = ids.validate_resident_id(number, today=dt.date(2026, 1, 1))
    assert problem in [p.code for p in check.problems] and not check.fatal


def test_resident_id_of_fifteen_digits_or_letters_is_fatal():
    assert ids.validate_resident_id("110105491231002").problems[0].code == "old_format"
    assert ids.validate_resident_id("11010519491231A02X").fatal


def test_mask_hides_birth_date_and_sequence():
    assert ids.mask_resident_id("11010519491231002X") == "110105********002X"


def test_supervision_codes_follow_the_spec_proposal():
    assert ids.organisation_code("91110108551385082q") == "U91110108551385082Q"
    person = ids.person_code(b"k", "11010519491231002X")
    assert person.startswith("P") and len(person) == 17
    assert person == ids.person_code(b"k", "11010519491231002x")
    assert person != ids.person_code(b"other key", "11010519491231002X")
    assert "1949" not in person
    assert ids.site_code("U91110108551385082Q", 7) == "U91110108551385082Q-007"


def test_site_token_round_trips_to_the_site_id():
    token = ids.sign_site_token(42, "U91110108551385082Q", b"key-1", 1,
                                NOW + dt.timedelta(days=30))
    assert ids.verify_site_token(token, {1: b"key-1"}, NOW).site_id == 42


def test_site_token_carries_no_personal_data():
    person = ids.person_code(b"k", "11010519491231002X")
    token = ids.sign_site_token(1, person, b"key", 1, NOW + dt.timedelta(days=1))
    assert "110105" not in token and "1949" not in token


@pytest.mark.parametrize("mangle,reason", [
    (lambda t: t.replace(".42.", ".43."), "bad signature"),
    (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "bad signature"),
    (lambda t: "1.9" + t[3:], "unknown key version"),
    (lambda t: t.replace(".", "-"), "malformed"),
])
def test_a_forged_token_is_refused(mangle, reason):
    token = ids.sign_site_token(42, "U91110108551385082Q", b"key-1", 1,
                                NOW + dt.timedelta(days=30))
    with pytest.raises(ids.TokenError, match=reason):
        ids.verify_site_token(mangle(token), {1: b"key-1"}, NOW)


def test_an_expired_token_is_refused_and_an_old_key_version_still_verifies():
    token = ids.sign_site_token(5, "U1", b"old", 1, NOW + dt.timedelta(days=1))
    keys = {2: b"new", 1: b"old"}
    assert ids.verify_site_token(token, keys, NOW).key_version == 1
    with pytest.raises(ids.TokenError, match="expired"):
        ids.verify_site_token(token, keys, NOW + dt.timedelta(days=2))
