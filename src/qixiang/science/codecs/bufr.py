"""WMO BUFR (FM-94, editions 3 and 4) surface observations, decoded by ecCodes.

Input is one message or many: concatenated messages, each possibly inside a GTS envelope
(``SOH``, channel sequence number, abbreviated heading ``ISMD01 LIIB 210600 CCA``, ... ``ETX``).
Every message (``BUFR`` to ``7777``, its length read from section 0) is one
:class:`~qixiang.science.observation.Message` whose ``raw`` is exactly those bytes; the envelope
gives ``header`` (the heading before the message, else one carried by a WMO file name
``A_ISMD01LIIB210600CCA_C_...``) and ``correction`` (``CCx``; section 1's update sequence
number is not used: archives such as ECMWF's set it on originals). Each subset of a DECODED
message is one Report.

``decode(data)`` is ``decode_frame(f)`` for each ``f`` in ``frames(data)``. Cutting a file into
frames is cheap (section 0 lengths) and each frame decodes on its own, so a large file can be
cut in the parent and its frames decoded in several processes (:mod:`qixiang.ingest.decoding`).

Status per message:

* data category 0 (land) and 1 (sea) surface data: DECODED, any template (tested: 307080,
  301150 + 307080, 307086, 307091, 307096, 308009 ship, 315008 drifting buoy, ECMWF's 307005
  + local, compressed and multi-subset). A subset with no identifier or time (a NIL report)
  gives no report and is named in ``reason``; if no subset gives one the message is REJECTED,
  or UNDECODED when they were all anonymous ships or national stations without WMO index;
* other categories (2 upper-air TEMP/PILOT/wind profiler, 3 satellite soundings, 11 BUFR
  tables...): UNDECODED with the reason, once ecCodes has shown it can unpack them;
* what ecCodes cannot unpack (unknown local descriptors, truncated data), a broken section 0,
  a declared length that does not end in ``7777``: REJECTED naming the file, the message index
  and what failed; decoding goes on with the next message.

Elements (canonical units from :mod:`qixiang.science.elements`; BUFR missing -> ``None`` when
the template carries the element, absent when it does not):

============== ==========================================================================
station        WMO index ``001001``*1000 + ``001002`` (5 digits; block 00 is no index); else
               the WIGOS id of ``301150``; else call sign ``001011``, platform ``001087`` or
               buoy ``001005`` (anonymous ``SHIP``/``BUOY`` call signs, and national numbers
               ``001101``/``001102`` alone, name no station we can resolve). ``wigos_id`` is
               set whenever ``301150`` is present. Name ``001015``.
time / place   ``004001``-``004006`` UTC (minute/second 0 when missing); lat ``005001``/
               ``005002``; lon ``006001``/``006002``; elevation ``007030`` (else ``007001``)
TEM DPT RHU    ``012101``/``012001``/``012004``, ``012103``/``012003``/``012006``,
TEM_Max/_Min   ``013003``, ``012111``/``012112`` (and ``012014``-``012017``, ``012021``,
               ``012022``): among the candidates whose sensor height ``007032`` is at
               screen level (1.25-2 m), else among all (ships, buoys, old templates), the
               first with a value; the grass minimum or a 10 m temperature is not TEM
PRS PRS_Sea    ``010004`` station pressure (not ``007004``, the standard level of
               ``010009``), ``010051``; Pa -> hPa
PRE_<n>h       ``013011`` with the time period before it (``004024`` h or ``004025`` min)
               of 1, 3, 6, 12 or 24 h; other periods dropped. Fixed-period ``013019``-
               ``013023`` too. Trace (-0.1 kg m-2) -> 0.0 mm
WIN_D/WIN_S    ``011001``/``011002`` with the period ``004025`` before them: -10 min ->
               ``_Avg_10mi``, -2 min -> ``_Avg_2mi``, missing -> ``_Avg_10mi`` (SYNOP's
               mean wind); ``011011``/``011012`` (at 10 m) -> ``_Avg_10mi``; speeds in kt or
               km/h (``011083``-``011086``) converted
WIN_S_Inst_Max ``011041`` gust with the longest period up to 6 h that has a value (the
               past-weather-period gust, SYNOP ``911ff``, before the 10-min ``910ff``, as
               the SYNOP decoder does); gusts without a period are dropped
VIS CLO_Cov    ``020001`` m, ``020010`` % (113 sky obscured -> None), ``020003`` code
WEP_Now        (508 "nothing to report" kept; 509/510 -> None)
Snow_Depth     ``013013`` m -> cm (-0.01 trace -> 0, -0.02 not continuous -> None)
============== ==========================================================================

A value under a first-order statistic ``008023`` (a mean, max or standard deviation over a
period, as ``307091`` appends) is never taken as the observation. For each element the first
candidate in data order (after the preferences above) with a value wins. How candidates are
found by their place in the data is in :mod:`.bufrsurface`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import eccodes

from qixiang.science.codecs import bufrsurface, gts
from qixiang.science.observation import Message, Status, rejected

NAME = "bufr"

_MAGIC, _END = b"BUFR", b"7777"
_SNIFF_BYTES = 200
_ENVELOPE_ENDS = re.compile(rb"[\x01\x03]|NNNN|ZCZC")
# WMO file names carrying the abbreviated heading: A_ISMD01LIIB210600CCA_C_EDZW_....
_FILENAME_HEADING = re.compile(r"^A_([A-Z]{4}\d{2})([A-Z]{4})(\d{6})([A-Z]{3})?_")

# BUFR Table A data categories.
_CATEGORIES = {
    0: "surface land", 1: "surface sea", 2: "upper-air", 3: "satellite sounding",
    4: "single-level upper-air (aircraft)", 5: "single-level satellite", 6: "radar",
    7: "synoptic features", 8: "physical/chemical constituents", 9: "dispersal and transport",
    10: "radiological", 11: "table-update", 12: "satellite surface", 13: "forecast",
    14: "warning", 20: "status information", 21: "satellite radiance", 22: "satellite radar",
    23: "satellite lidar", 24: "satellite scatterometry", 25: "satellite altimetry",
    26: "satellite spectrometry", 27: "satellite gravity", 28: "satellite precision orbit",
    29: "space environment", 30: "satellite calibration", 31: "oceanographic",
    32: "ground-based lidar", 101: "satellite image",
}
# International data sub-categories of category 2 (Common Code Table C-13).
_UPPER_AIR = {1: "PILOT", 2: "PILOT SHIP", 3: "PILOT MOBIL", 4: "TEMP", 5: "TEMP SHIP",
              6: "TEMP MOBIL", 7: "TEMP DROP", 10: "wind profiler", 11: "RASS"}
_SURFACE = (0, 1)


def sniff(data: bytes, filename: str = "") -> bool:
    """``BUFR`` within the first bytes (after an optional GTS heading) with edition 2-4."""
    start = data.find(_MAGIC, 0, _SNIFF_BYTES)
    return start >= 0 and data[start + 7:start + 8] in (b"\x02", b"\x03", b"\x04")


def decode(data: bytes, filename: str = "", **options) -> Iterator[Message]:
    """One message per BUFR message in ``data``, in file order; never raises on bad input."""
    source = filename or "<payload>"
    found = False
    for frame in frames(data, filename):
        found = True
        yield decode_frame(frame, source)
    if not found:
        yield rejected(1, data, NAME, f"{source}: no BUFR message (no 'BUFR' indicator found)")


# --- framing -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Frame:
    """One BUFR message cut out of its input, ready to decode on its own (also in another process).

    ``index`` is its 1-based position in the input, ``raw`` exactly its bytes (``BUFR`` ..
    ``7777``), ``header`` the GTS heading in force before it; ``problem`` says why section 0
    cannot be trusted (then ``raw`` runs to the next message and the frame decodes as REJECTED).
    """

    index: int
    raw: bytes
    header: str
    problem: str = ""


def frames(data: bytes, filename: str = "") -> Iterator[Frame]:
    """Cut ``data`` into BUFR messages by their section 0 length, with the heading before each.

    Yields nothing when ``data`` holds no ``BUFR`` indicator. ``filename`` may carry the heading
    (WMO file names ``A_ISMD01LIIB210600CCA_C_...``).
    """
    heading = _heading_from_filename(filename)
    pos = 0
    index = 0
    while (start := data.find(_MAGIC, pos)) >= 0:
        index += 1
        heading = _heading_in(data[pos:start], heading)
        length = int.from_bytes(data[start + 4:start + 7], "big")
        edition = data[start + 7] if start + 7 < len(data) else None
        end = start + length
        if edition not in (2, 3, 4):
            problem = f"section 0: edition {edition} is not supported (BUFR editions 2-4)"
        elif end > len(data):
            problem = (f"section 0 declares {length} bytes but only {len(data) - start} remain "
                       "(truncated message)")
        elif length < 12 or data[end - 4:end] != _END:
            problem = f"section 0 declares {length} bytes, which do not end in '7777'"
        else:
            yield Frame(index, data[start:end], heading)
            pos = end
            continue
        # The message ends at the last '7777' before the next 'BUFR' (else at that 'BUFR'), so
        # the envelope in between still gives the next message its heading.
        following = data.find(_MAGIC, start + 4)
        following = len(data) if following < 0 else following
        last_end = data.rfind(_END, start + 8, following)
        pos = following if last_end < 0 else last_end + len(_END)
        yield Frame(index, data[start:pos], heading, problem)


def _heading_in(gap: bytes, current: str) -> str:
    """The last GTS heading in the bytes between two messages; a frame end drops ``current``."""
    ends = list(_ENVELOPE_ENDS.finditer(gap))
    if ends:
        current, gap = "", gap[ends[-1].end():]
    for line in re.split(rb"[\r\n]+", gap):
        if line.strip() and (heading := gts.parse_heading(line.decode("latin-1"))):
            current = heading
    return current


def _bbb(heading: str) -> str:
    """The BBB group of a heading (``CCA`` correction, ``RRB`` delayed, ``AAC`` amendment)."""
    parts = heading.split()
    return parts[3] if len(parts) == 4 else ""


def _heading_from_filename(filename: str) -> str:
    match = _FILENAME_HEADING.match(filename.replace("\\", "/").rsplit("/", 1)[-1])
    return " ".join(g for g in match.groups() if g) if match else ""


# --- one message -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Section1:
    edition: int
    centre: int
    subcentre: int
    category: int
    subcategory: int | None  # international data sub-category (edition 4)
    master: int
    local: int
    subsets: int
    compressed: bool
    descriptors: tuple[int, ...]

    def describe(self) -> str:
        template = " ".join(f"{d:06d}" for d in self.descriptors[:4])
        more = " ..." if len(self.descriptors) > 4 else ""
        return (f"category {self.category}, centre {self.centre}, master table "
                f"{self.master}, local table {self.local}, template {template}{more}")


def decode_frame(frame: Frame, filename: str = "") -> Message:
    """The message of one frame (see :func:`frames`); never raises on bad input."""
    where = f"{filename or '<payload>'}: message {frame.index}"
    index = frame.index
    if frame.problem:
        return rejected(index, frame.raw, NAME, f"{where}: {frame.problem}", frame.header)
    try:
        handle = eccodes.codes_new_from_message(frame.raw)
    except Exception as exc:  # ecCodes raises its own error classes for bad structure
        return rejected(index, frame.raw, NAME, f"{where}: ecCodes cannot read the sections "
                        f"({_error(exc)})", frame.header)
    try:
        return _decode_handle(handle, frame, where)
    except Exception as exc:  # a decoder never raises: the message becomes a dead letter
        return rejected(index, frame.raw, NAME, f"{where}: cannot map the data "
                        f"({_error(exc)})", frame.header)
    finally:
        eccodes.codes_release(handle)


def _decode_handle(handle: int, frame: Frame, where: str) -> Message:
    message = Message(index=frame.index, raw=frame.raw, codec=NAME, header=frame.header)
    try:
        info = _section1(handle, frame.raw)
    except Exception as exc:
        return rejected(frame.index, frame.raw, NAME, f"{where}: section 1/3 unreadable "
                        f"({_error(exc)})", frame.header)
    message.correction = _bbb(frame.header).startswith("CC")
    try:
        eccodes.codes_set(handle, "skipExtraKeyAttributes", 1)
        eccodes.codes_set(handle, "unpack", 1)
    except Exception as exc:
        message.status, message.reason = Status.REJECTED, _unpack_failure(where, info, exc)
        return message
    if info.category not in _SURFACE:
        message.status, message.reason = Status.UNDECODED, f"{where}: {_not_decoded(info)}"
        return message
    if info.subsets < 1:
        message.status = Status.REJECTED
        message.reason = f"{where}: section 3 declares no subsets ({info.describe()})"
        return message
    shape = (info.descriptors, info.master, info.local, info.centre, info.subcentre)
    message.reports, problems, undecoded = bufrsurface.reports(handle, info.compressed,
                                                               info.subsets, shape)
    if problems:
        message.reason = f"{where}: " + "; ".join(problems)
    if not message.reports:
        message.status = Status.UNDECODED if undecoded == len(problems) else Status.REJECTED
    return message


def _section1(handle: int, raw: bytes) -> _Section1:
    """What sections 1 and 3 say: read from the bytes for editions 3 and 4 (ten ecCodes calls
    cost as much as mapping a small message), else asked of ecCodes."""
    return _sections_from_bytes(raw) or _sections_from_eccodes(handle)


def _sections_from_bytes(raw: bytes) -> _Section1 | None:
    """Sections 1 and 3 of an edition 3 or 4 message (WMO-No. 306 Vol I.2 layouts), or None
    when the bytes do not hold them plainly (then ecCodes is asked and explains)."""
    edition = raw[7]
    if edition not in (3, 4) or len(raw) < 40:
        return None
    s1 = 8  # section 1 follows the 8 bytes of section 0; octet k of a section is at start + k - 1
    size1 = int.from_bytes(raw[s1:s1 + 3], "big")
    if edition == 3:
        if size1 < 17:
            return None
        subcentre, centre = raw[s1 + 4], raw[s1 + 5]
        optional, category, subcategory = raw[s1 + 7] & 0x80, raw[s1 + 8], None
        master, local = raw[s1 + 10], raw[s1 + 11]
    else:
        if size1 < 22:
            return None
        centre = int.from_bytes(raw[s1 + 4:s1 + 6], "big")
        subcentre = int.from_bytes(raw[s1 + 6:s1 + 8], "big")
        optional, category, subcategory = raw[s1 + 9] & 0x80, raw[s1 + 10], raw[s1 + 11]
        master, local = raw[s1 + 13], raw[s1 + 14]
    s3 = s1 + size1
    if optional:
        s3 += int.from_bytes(raw[s3:s3 + 3], "big")
    size3 = int.from_bytes(raw[s3:s3 + 3], "big")
    if size3 < 9 or s3 + size3 > len(raw) - 4:
        return None
    body = raw[s3 + 7:s3 + size3]  # descriptors, 2 octets each: F (2 bits) X (6) Y (8)
    descriptors = tuple((f >> 6) * 100000 + (f & 0x3F) * 1000 + y
                        for f, y in zip(body[0::2], body[1::2], strict=False))
    return _Section1(edition=edition, centre=centre, subcentre=subcentre, category=category,
                     subcategory=subcategory, master=master, local=local,
                     subsets=int.from_bytes(raw[s3 + 4:s3 + 6], "big"),
                     compressed=bool(raw[s3 + 6] & 0x40), descriptors=descriptors)


def _sections_from_eccodes(handle: int) -> _Section1:
    def get(key: str) -> int:
        return int(eccodes.codes_get_long(handle, key))

    edition = get("edition")
    return _Section1(
        edition=edition, centre=get("bufrHeaderCentre"), subcentre=get("bufrHeaderSubCentre"),
        category=get("dataCategory"),
        subcategory=get("internationalDataSubCategory") if edition >= 4 else None,
        master=get("masterTablesVersionNumber"), local=get("localTablesVersionNumber"),
        subsets=get("numberOfSubsets"), compressed=bool(get("compressedData")),
        descriptors=tuple(int(d) for d in
                          eccodes.codes_get_long_array(handle, "unexpandedDescriptors")))


def _not_decoded(info: _Section1) -> str:
    kind = _CATEGORIES.get(info.category, "unknown")
    if info.category == 2 and info.subcategory in _UPPER_AIR:
        kind = f"{kind} {_UPPER_AIR[info.subcategory]}"
    template = " ".join(f"{d:06d}" for d in info.descriptors[:4])
    more = " ..." if len(info.descriptors) > 4 else ""
    return (f"{kind} BUFR (category {info.category}, template {template}{more}) archived, "
            "not yet decoded")


def _unpack_failure(where: str, info: _Section1, exc: Exception) -> str:
    local = sorted({f"{d:06d}" for d in info.descriptors
                    if d // 100000 in (0, 3) and (d // 1000 % 100 >= 48 or d % 1000 >= 192)})
    hint = ""
    if local:
        hint = (f"; it uses local descriptors ({', '.join(local[:6])}) of centre {info.centre}"
                f" local table {info.local}, which ecCodes may not have")
    return (f"{where}: ecCodes cannot unpack the data section ({_error(exc)}; "
            f"{info.describe()}){hint}")


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".rstrip(": ")
