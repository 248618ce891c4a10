"""The GTS envelope around text bulletins (SYNOP, METAR): framing, headings, reference month.

Text observations travel in bulletins: an optional transmission frame (``SOH`` + sequence
number ... ``ETX``, or ``ZCZC nnn`` ... ``NNNN``), the abbreviated heading ``TTAAii CCCC YYGGgg
[BBB]``, then the reports. A file may hold many bulletins, or just report text with no envelope.
:func:`bulletins` splits text into :class:`Bulletin` s and keeps every content line's offsets so
a decoder can archive each report's exact bytes.

Reports carry only day and hour; :func:`resolve_time` completes them with the year and month of a
reference (the WMO file-name timestamp, the caller's ``reference_time`` or now).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# TTAAii CCCC YYGGgg [BBB]; some relays drop ii ("SAEW KAWN 020100 RRG").
HEADING = re.compile(r"([A-Z]{4}\d{0,2}) ([A-Z]{4}) (\d{6})(?: ([A-Z]{3}))?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SOH, _ETX = "\x01", "\x03"
# WMO file names: A_SMRO01YRBK211200_C_EDZW_20220321120500_12524785.txt (creation time).
_FILENAME_STAMP = re.compile(r"(?<!\d)((?:19|20)\d{12})(?!\d)")


@dataclass(slots=True)
class Line:
    start: int  # offset of the line's first character in the decoded text
    text: str  # the line without its end-of-line characters


@dataclass(slots=True)
class Bulletin:
    """One bulletin: its heading (``""`` when the text has none) and its content lines."""

    heading: str = ""
    lines: list[Line] = field(default_factory=list)

    @property
    def bbb(self) -> str:
        """The BBB indicator: ``RRx`` delayed, ``CCx`` correction, ``AAx`` amendment, or ``""``."""
        parts = self.heading.split()
        return parts[3] if len(parts) == 4 else ""

    @property
    def correction(self) -> bool:
        """A ``CCx`` bulletin corrects earlier reports; ``RRx`` (late) and ``AAx`` do not."""
        return self.bbb.startswith("CC")

    @property
    def data_type(self) -> str:
        """T1T2 of the heading (``SM`` synoptic, ``SA`` METAR, ``SP`` SPECI), or ``""``."""
        return self.heading[:2]


def parse_heading(line: str) -> str | None:
    """The normalised heading if ``line`` is a GTS abbreviated heading, else None."""
    match = HEADING.fullmatch(" ".join(_CONTROL.sub(" ", line).split()))
    return match.group(0) if match else None


def bulletins(text: str) -> Iterator[Bulletin]:
    """Split ``text`` into bulletins, dropping the transmission frame and keeping line offsets.

    A heading line starts a bulletin; ``ETX``, ``NNNN`` or ``ZCZC`` ends one. The sequence
    number after ``SOH`` (or at the very start of the file, e.g. ``776``) is frame, not content.
    Content before any heading forms a bulletin with an empty heading.
    """
    current = Bulletin()
    expect_sequence = True
    for start, line, frame in _pieces(text):
        if frame == _SOH:
            expect_sequence = True
            continue
        if frame == _ETX:
            if current.lines or current.heading:
                yield current
            current = Bulletin()
            continue
        clean = " ".join(_CONTROL.sub(" ", line).split())
        upper = clean.upper()
        if upper.startswith("ZCZC") or upper == "NNNN":
            if current.lines or current.heading:
                yield current
            current, expect_sequence = Bulletin(), upper.startswith("ZCZC")
        elif not clean:
            continue
        elif expect_sequence and clean.isdigit() and len(clean) <= 5 and not current.lines:
            expect_sequence = False  # the channel sequence number of the frame
        elif heading := parse_heading(clean):
            if current.lines or current.heading:
                yield current
            current, expect_sequence = Bulletin(heading=heading), False
        else:
            expect_sequence = False
            current.lines.append(Line(start, line))
    if current.lines or current.heading:
        yield current


def _pieces(text: str) -> Iterator[tuple[int, str, str]]:
    """``(offset, line, "")`` for each line, and ``(offset, "", SOH or ETX)`` for frame marks."""
    offset = 0
    for raw_line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(raw_line)
        line = raw_line.rstrip("\r\n")
        while (cut := next((i for i, c in enumerate(line) if c in (_SOH, _ETX)), -1)) >= 0:
            yield start, line[:cut], ""
            yield start + cut, "", line[cut]
            start, line = start + cut + 1, line[cut + 1:]
        yield start, line, ""


def reference_from_filename(filename: str) -> datetime | None:
    """The creation time in a WMO file name (``..._C_EDZW_20220321120500_...``), if any."""
    for stamp in _FILENAME_STAMP.findall(filename.rsplit("/", 1)[-1]):
        try:
            return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def reference_time(filename: str, given: datetime | str | None = None) -> datetime:
    """The time a bulletin's day/hour is read against: file-name stamp, else ``given``, else now.

    The file-name stamp wins because it says when the bulletin was made, while a caller usually
    passes when it was received (an archive replayed years later). ``given`` may be a datetime
    (naive means UTC) or an RFC 3339 string.
    """
    stamped = reference_from_filename(filename)
    if stamped is not None:
        return stamped
    if isinstance(given, str):
        given = datetime.fromisoformat(given.replace("Z", "+00:00"))
    if given is None:
        return datetime.now(UTC)
    return given.replace(tzinfo=UTC) if given.tzinfo is None else given.astimezone(UTC)


def resolve_time(day: int, hour: int, minute: int, reference: datetime) -> datetime:
    """The latest UTC time with this day/hour/minute not later than ``reference`` + 1 day.

    The day of a report is in the reference's month unless that lies more than a day ahead
    (then the previous month, or the one before when the previous month has no such day).
    Raises ``ValueError`` for a day, hour or minute out of range.
    """
    if not (1 <= day <= 31 and 0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"day {day}, hour {hour}, minute {minute} out of range")
    latest = reference + timedelta(days=1)
    year, month = reference.year, reference.month + 1
    for _ in range(4):  # next month, this month, and two back
        if month == 13:
            year, month = year + 1, 1
        if day <= calendar.monthrange(year, month)[1]:
            candidate = datetime(year, month, day, hour, minute, tzinfo=UTC)
            if candidate <= latest:
                return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    raise ValueError(f"no month near {reference:%Y-%m} has day {day}")  # pragma: no cover
