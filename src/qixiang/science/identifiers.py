"""Chinese identifiers checked by their check characters, and the supervision codes built on them.

Pure functions, no Django. References (spec §3 of shared/domain/lightning-supervision.md):

* Unified social credit code, GB 32100-2015: 18 characters from ``0-9A-HJ-NPQRTUWXY`` (no I, O,
  S, V, Z), worth 0..30; weights ``3**(i-1) mod 31``; check = ``31 - (sum mod 31)``, 31 -> 0.
  Positions 9..17 are an organisation code (GB 11714) with its own check character; real codes
  failing checks exist, so callers route failures to review rather than rejecting them.
* Resident ID number, GB 11643-1999: 6-digit address, 8-digit birth date, 3-digit sequence (odd
  for men), ISO 7064 MOD 11-2 check character.
* Unified supervision code (统一监管数字码, spec §3.3 proposal): ``"U" + USCC`` for organisations,
  ``"P" + base32(HMAC-SHA256(key, id_no))[:16]`` for persons, ``subject_code + "-" + seq3`` for
  sites.
* Site QR tokens: ``"1.<key version>.<site id>.<subject code>.<expiry>.<signature>"`` signed with
  HMAC-SHA256; they carry no personal data (a person's subject code is already a keyed hash).

Each validator returns a :class:`Check` with the normalised text and the problems found; each
problem has a stable ``code`` (for translated messages) and an English ``message``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
RESIDENT_ID_CHECK = "10X98765432"

# Province-level prefixes of GB/T 2260 (the first two digits of a resident ID's address code).
PROVINCE_PREFIXES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91"})


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Check:
    """Result of validating an identifier: ``text`` normalised, ``problems`` empty when valid.

    ``fatal`` is True when the text cannot be that kind of identifier at all (wrong length or
    characters); a failed check character alone is not fatal: such a code may be real.
    """

    text: str
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    fatal: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems


# --- unified social credit code (GB 32100) ---------------------------------------------------


def normalise(text: str) -> str:
    """Upper case without spaces, hyphens or full-width forms (as people type and paste codes)."""
    text = text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    return re.sub(r"[\s\-]", "", text).upper()


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The check character of a GB 11714 organisation code (USCC positions 9..17)."""
    total = sum(_org_value(c) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - 55  # A=10 ... Z=35


def validate_uscc(text: str) -> Check:
    """Check a unified social credit code: length, characters, division code, both checks."""
    code = normalise(text)
    if len(code) != 18:
        return Check(code, (Problem("length", f"{len(code)} characters, a USCC has 18"),), True)
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        return Check(code, (Problem("charset", f"characters {''.join(bad)} are not allowed "
                                    "(a USCC uses 0-9 and A-Y without I, O, S, V, Z)"),), True)
    problems = []
    if not code[2:8].isdigit():
        problems.append(Problem("division", f"positions 3-8 ({code[2:8]}) are not a six-digit "
                                "division code"))
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        problems.append(Problem("check", f"check character is {code[17]}, expected {expected}"))
    org = code[8:17]
    if org[:8].isalnum() and (org[8].isdigit() or org[8] == "X"):
        org_expected = org_code_check_char(org[:8])
        if org[8] != org_expected:
            problems.append(Problem("org_check", f"organisation code {org[:8]}-{org[8]}: check "
                                    f"character expected {org_expected}"))
    else:
        problems.append(Problem("org_check", f"organisation code {org} has no valid check "
                                "character (0-9 or X)"))
    return Check(code, tuple(problems))


# --- resident ID number (GB 11643) -----------------------------------------------------------


def resident_id_check_char(first17: str) -> str:
    """The 18th character (ISO 7064 MOD 11-2) of a resident ID whose first 17 digits are given."""
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def validate_resident_id(text: str, today: dt.date | None = None) -> Check:
    """Check an 18-character resident ID number: digits, address, birth date, check character."""
    number = normalise(text)
    if len(number) == 15 and number.isdigit():
        return Check(number, (Problem("old_format", "15-digit first-generation number; give the "
                                      "18-character number"),), True)
    if len(number) != 18:
        return Check(number, (Problem("length", f"{len(number)} characters, an ID number "
                                      "has 18"),), True)
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        return Check(number, (Problem("charset", "17 digits and a digit or X expected"),), True)
    problems = []
    if number[:2] not in PROVINCE_PREFIXES:
        problems.append(Problem("address", f"address code {number[:6]} names no province"))
    born = birth_date(number)
    today = today or dt.date.today()
    if born is None:
        problems.append(Problem("birth_date", f"{number[6:14]} is not a date"))
    elif born > today or born.year < 1880:
        problems.append(Problem("birth_date", f"birth date {born.isoformat()} is impossible"))
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        problems.append(Problem("check", f"check character is {number[17]}, expected {expected}"))
    return Check(number, tuple(problems))


def birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def mask_resident_id(number: str) -> str:
    """The number with birth date and sequence hidden: ``110105********002X`` keeps 6 + 4."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


# --- unified supervision codes (spec §3.3) ---------------------------------------------------


def keyed_hash(key: bytes, text: str) -> bytes:
    """HMAC-SHA256 of the normalised text: the same identifier gives the same hash, one way."""
    return hmac.new(key, normalise(text).encode(), hashlib.sha256).digest()


def organisation_code(uscc: str) -> str:
    return "U" + normalise(uscc)


def person_code(key: bytes, id_no: str) -> str:
    """``P`` + the first 16 base32 characters of the keyed hash of the ID number."""
    return "P" + base64.b32encode(keyed_hash(key, id_no)).decode()[:16]


def site_code(subject_code: str, seq: int) -> str:
    if not 1 <= seq <= 999:
        raise ValueError(f"site sequence {seq} outside 1..999")
    return f"{subject_code}-{seq:03d}"


# --- signed site tokens for QR codes ---------------------------------------------------------

TOKEN_FORMAT = "1"
_SIGNATURE_BYTES = 16  # 128-bit HMAC tag: short enough for a small QR code, unforgeable


class TokenError(ValueError):
    """A token that is malformed, signed with an unknown key, forged or expired."""


@dataclass(frozen=True, slots=True)
class SiteToken:
    site_id: int
    subject_code: str
    key_version: int
    expires: dt.datetime


def _sign(key: bytes, body: str) -> str:
    tag = hmac.new(key, body.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(tag).decode().rstrip("=")


def sign_site_token(site_id: int, subject_code: str, key: bytes, key_version: int,
                    expires: dt.datetime) -> str:
    """A URL-safe token naming the site, signed with ``key`` (version ``key_version``)."""
    if expires.tzinfo is None:
        raise ValueError("expires must be timezone-aware")
    if "." in subject_code:
        raise ValueError("subject code may not contain '.'")
    body = f"{TOKEN_FORMAT}.{key_version}.{site_id}.{subject_code}.{int(expires.timestamp())}"
    return f"{body}.{_sign(key, body)}"


def verify_site_token(token: str, keys: dict[int, bytes], now: dt.datetime) -> SiteToken:
    """The site a token names, after checking its signature and expiry; raises TokenError."""
    parts = token.split(".")
    if len(parts) != 6 or parts[0] != TOKEN_FORMAT:
        raise TokenError("malformed token")
    _, version, site_id, subject_code, expiry, signature = parts
    if not (version.isdigit() and site_id.isdigit() and expiry.isdigit()):
        raise TokenError("malformed token")
    key = keys.get(int(version))
    if key is None:
        raise TokenError(f"unknown key version {version}")
    body = token.rsplit(".", 1)[0]
    if not hmac.compare_digest(_sign(key, body), signature):
        raise TokenError("bad signature")
    expires = dt.datetime.fromtimestamp(int(expiry), tz=dt.UTC)
    if now >= expires:
        raise TokenError(f"expired on {expires.date().isoformat()}")
    return SiteToken(int(site_id), subject_code, int(version), expires)
