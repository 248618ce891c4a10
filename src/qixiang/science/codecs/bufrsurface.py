"""Surface observations out of an unpacked ecCodes BUFR handle: one Report per subset.

The element choices are stated in :mod:`qixiang.science.codecs.bufr`; this module is the
machinery. BUFR repeats descriptors (temperatures at several heights, precipitation over
several periods) and qualifies them with the descriptors before them (``004024``/``004025``
time period, ``007032`` sensor height, ``008023`` statistics), so an element is known only by
its place in the data. Three steps:

1. **Layout** (:func:`structure`): the ecCodes data keys of interest in data order, per
   subset, with their ranks (``#3#timePeriod``) and descriptor codes. It comes from the ecCodes
   keys iterator, the only authority on the order, and it depends only on the template, the
   table versions and the replication factors. So layouts are cached under those: one for a
   compressed or single-subset message (keyed by its expanded descriptors, one array read),
   one per subset of an uncompressed message (keyed by that subset's own factors), and the
   iterator (about 3 us a key) runs only for a shape not seen before.
2. **Plan** (:func:`plan`): per subset, the candidate keys of every CMA element, each with the
   keys that qualify it.
3. **Values** (:class:`Values`): each key read once (for a lone subset, all numbers in one
   ``numericValues`` array read where the layout says where each key sits in it, else one
   scalar each; an array over all subsets otherwise), then the rules pick, per subset, the
   candidate that holds the element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import eccodes

from qixiang.science import elements, units
from qixiang.science.observation import Report

MISSING = eccodes.CODES_MISSING_DOUBLE

# ecCodes key -> (selection rule, CMA element or family, WMO Table B unit) per descriptor.
# Rules: "screen" prefers sensor height 1.25-2 m; "first" first candidate; "period" reads the
# element from the time period before it (family + period); "fixed" names its own element.
_SOURCES: dict[int, tuple[str, str, str, str]] = {
    12101: ("airTemperature", "screen", "TEM", "K"),
    12001: ("airTemperature", "screen", "TEM", "K"),
    12004: ("airTemperatureAt2M", "screen", "TEM", "K"),
    12104: ("airTemperatureAt2M", "screen", "TEM", "K"),
    12103: ("dewpointTemperature", "screen", "DPT", "K"),
    12003: ("dewpointTemperature", "screen", "DPT", "K"),
    12024: ("dewpointTemperature", "screen", "DPT", "degC"),
    12006: ("dewpointTemperatureAt2M", "screen", "DPT", "K"),
    12106: ("dewpointTemperatureAt2M", "screen", "DPT", "K"),
    13003: ("relativeHumidity", "screen", "RHU", "%"),
    12111: ("maximumTemperatureAtHeightAndOverPeriodSpecified", "screen", "TEM_Max", "K"),
    12011: ("maximumTemperatureAtHeightAndOverPeriodSpecified", "screen", "TEM_Max", "K"),
    12014: ("maximumTemperatureAt2MPast12Hours", "screen", "TEM_Max", "K"),
    12016: ("maximumTemperatureAt2MPast24Hours", "screen", "TEM_Max", "K"),
    12021: ("maximumTemperatureAt2M", "screen", "TEM_Max", "K"),
    12112: ("minimumTemperatureAtHeightAndOverPeriodSpecified", "screen", "TEM_Min", "K"),
    12012: ("minimumTemperatureAtHeightAndOverPeriodSpecified", "screen", "TEM_Min", "K"),
    12015: ("minimumTemperatureAt2MPast12Hours", "screen", "TEM_Min", "K"),
    12017: ("minimumTemperatureAt2MPast24Hours", "screen", "TEM_Min", "K"),
    12022: ("minimumTemperatureAt2M", "screen", "TEM_Min", "K"),
    10004: ("nonCoordinatePressure", "first", "PRS", "Pa"),
    10051: ("pressureReducedToMeanSeaLevel", "first", "PRS_Sea", "Pa"),
    20001: ("horizontalVisibility", "first", "VIS", "m"),
    20010: ("cloudCoverTotal", "first", "CLO_Cov", "%"),
    20003: ("presentWeather", "first", "WEP_Now", "code"),
    13013: ("totalSnowDepth", "first", "Snow_Depth", "m"),
    13011: ("totalPrecipitationOrTotalWaterEquivalent", "period", "PRE", "mm"),
    13019: ("totalPrecipitationPast1Hour", "fixed", "PRE_1h", "mm"),
    13020: ("totalPrecipitationPast3Hours", "fixed", "PRE_3h", "mm"),
    13021: ("totalPrecipitationPast6Hours", "fixed", "PRE_6h", "mm"),
    13022: ("totalPrecipitationPast12Hours", "fixed", "PRE_12h", "mm"),
    13023: ("totalPrecipitationPast24Hours", "fixed", "PRE_24h", "mm"),
    11001: ("windDirection", "period", "WIN_D", "degree"),
    11002: ("windSpeed", "period", "WIN_S", "m/s"),
    11083: ("windSpeed", "period", "WIN_S", "km/h"),
    11084: ("windSpeed", "period", "WIN_S", "kt"),
    11011: ("windDirectionAt10M", "fixed", "WIN_D_Avg_10mi", "degree"),
    11012: ("windSpeedAt10M", "fixed", "WIN_S_Avg_10mi", "m/s"),
    11041: ("maximumWindGustSpeed", "gust", "WIN_S_Inst_Max", "m/s"),
    11085: ("maximumWindGustSpeed", "gust", "WIN_S_Inst_Max", "km/h"),
    11086: ("maximumWindGustSpeed", "gust", "WIN_S_Inst_Max", "kt"),
}
_TIME_PERIOD_MINUTES = {4023: 1440.0, 4024: 60.0, 4025: 1.0, 4026: 1 / 60, 4073: 1440.0,
                        4074: 60.0, 4075: 1.0, 4086: 1 / 60}
# Names ecCodes gives to several descriptors in different units: their code is asked per key.
_ASK_CODE = frozenset({"timePeriod", "dewpointTemperature", "windSpeed", "maximumWindGustSpeed"})
_CODE_OF = {name: code for code, (name, *_rest) in _SOURCES.items() if name not in _ASK_CODE}

_TIME_PERIOD = "timePeriod"
_SENSOR_HEIGHT = "heightOfSensorAboveLocalGroundOrDeckOfMarinePlatform"
_STATISTICS = "firstOrderStatistics"
_CONTEXT = frozenset({_TIME_PERIOD, _SENSOR_HEIGHT, _STATISTICS})
_STRINGS = frozenset({"stationOrSiteName", "shipOrMobileLandStationIdentifier",
                      "wigosLocalIdentifierCharacter"})
_IDENTITY = frozenset({
    "wigosIdentifierSeries", "wigosIssuerOfIdentifier", "wigosIssueNumber",
    "wigosLocalIdentifierCharacter", "blockNumber", "stationNumber",
    "shipOrMobileLandStationIdentifier", "marineObservingPlatformIdentifier",
    "buoyOrPlatformIdentifier", "stationOrSiteName", "year", "month", "day", "hour", "minute",
    "second", "latitude", "longitude", "heightOfStationGroundAboveMeanSeaLevel", "heightOfStation",
    "stateIdentifier", "nationalStationNumber",
})
_WANTED = _CONTEXT | _IDENTITY | {name for name, *_rest in _SOURCES.values()}
_REPLICATION_KEYS = ("delayedDescriptorReplicationFactor",
                     "shortDelayedDescriptorReplicationFactor",
                     "extendedDelayedDescriptorReplicationFactor",
                     "delayedDescriptorAndDataRepetitionFactor",
                     "extendedDelayedDescriptorAndDataRepetitionFactor")

SCREEN_HEIGHT = (1.25, 2.0)  # m, WMO-No. 8: thermometers at 1.25-2 m above ground
MAX_GUST_PERIOD = 360.0  # min: the longest gust period taken (the 6-h past-weather period)
ANONYMOUS = frozenset({"SHIP", "PLAT", "RIGG", "BUOY"})  # call signs that name no platform


# --- layout ------------------------------------------------------------------------------------

Key = tuple[str, int]  # (ecCodes name, rank): "#rank#name"


@dataclass(frozen=True, slots=True)
class _Occurrence:
    name: str
    rank: int
    code: int


Layout = list[list[_Occurrence]]  # per subset (one shared entry for compressed / single)


@dataclass(frozen=True, slots=True)
class _Structure:
    """The plans of a message's subsets (one shared plan when all subsets are alike)."""

    plans: tuple[_Plan, ...]
    wanted: frozenset[Key]  # every key the plans read
    # Lone subset: where each wanted number sits in ecCodes' ``numericValues`` (one value per
    # data key, in key order), and that array's length; None when it is not laid out so.
    positions: dict[Key, int] | None = None
    values_size: int = 0

    def plan_of(self, subset: int) -> _Plan:
        return self.plans[subset] if len(self.plans) > 1 else self.plans[0]


_CACHE_SIZE = 2048
_SHARED: dict[tuple, _Structure] = {}  # (shape, replications) -> plan of all subsets
_SUBSETS: dict[tuple, list[_Occurrence]] = {}  # (shape, replications of one subset) -> layout


def _remember(cache: dict, key: tuple, value) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value


def structure(handle: int, compressed: bool, subsets: int, shape: tuple) -> _Structure:
    """The plans of the message's subsets, from cached layouts where possible.

    ``shape`` is what fixes a layout besides the replication factors (template, table
    versions, centre). Compressed subsets, and a lone one, share one layout, keyed by the
    message's expanded descriptors. Uncompressed subsets are each expanded on their own: each layout is
    keyed by that subset's factors (with ranks counted inside the subset), so a bulletin is
    scanned only when one of its subsets has a shape not seen before.
    """
    if compressed or subsets == 1:
        # The expanded descriptors (replications applied) fix the keys: one array call, cheaper
        # than asking which replication factors exist and reading them.
        expanded = eccodes.codes_get_long_array(handle, "expandedDescriptors")
        signature = (shape, expanded.tobytes())
        found = _SHARED.get(signature)
        if found is None:
            layout, keys = _scan(handle, shape)
            if len(layout) != 1:
                raise ValueError(f"expected one data layout, ecCodes listed {len(layout)}")
            shared_plan = plan(layout[0])
            wanted = frozenset(shared_plan.wanted())
            found = _Structure((shared_plan,), wanted)
            if subsets == 1:
                found = _with_positions(handle, found, keys)
            _remember(_SHARED, signature, found)
        return found
    kinds = tuple(key for key in _REPLICATION_KEYS if eccodes.codes_is_defined(handle, key))
    signatures = [(shape, kinds, tuple(_replication(handle, key, f"/subsetNumber={number}/")
                                       for key in kinds))
                  for number in range(1, subsets + 1)]
    layouts = [_SUBSETS.get(signature) for signature in signatures]
    if any(layout is None for layout in layouts):
        scanned, _keys = _scan(handle, shape)
        if len(scanned) != subsets:
            raise ValueError(f"section 3 declares {subsets} subsets, ecCodes listed "
                             f"{len(scanned)}")
        layouts = [_ranked(layout) for layout in scanned]
        for signature, layout in zip(signatures, layouts, strict=True):
            _remember(_SUBSETS, signature, layout)
    plans = tuple(plan(occurrences) for occurrences in _ranked_globally(layouts))
    return _Structure(plans, frozenset(key for p in plans for key in p.wanted()))


def _replication(handle: int, key: str, prefix: str) -> tuple[int, ...]:
    try:
        return tuple(int(f) for f in eccodes.codes_get_long_array(handle, prefix + key))
    except eccodes.KeyValueNotFoundError:
        return ()


def _ranked(occurrences: list[_Occurrence]) -> list[_Occurrence]:
    """Ranks renumbered 1, 2, ... per name within one subset."""
    seen: dict[str, int] = {}
    result = []
    for occ in occurrences:
        seen[occ.name] = seen.get(occ.name, 0) + 1
        result.append(_Occurrence(occ.name, seen[occ.name], occ.code))
    return result


def _ranked_globally(subsets: list[list[_Occurrence]]) -> Iterable[list[_Occurrence]]:
    """Subset ranks turned into the message's ranks (ecCodes counts across subsets)."""
    before: dict[str, int] = {}
    for occurrences in subsets:
        yield [_Occurrence(o.name, before.get(o.name, 0) + o.rank, o.code) for o in occurrences]
        for o in occurrences:
            before[o.name] = before.get(o.name, 0) + 1


_CODES: dict[tuple, tuple[int, ...]] = {}  # (shape, names of a subset) -> their codes


def _scan(handle: int, shape: tuple) -> tuple[Layout, list[Key]]:
    """Walk the ecCodes keys; ``subsetNumber`` opens each subset of an uncompressed message.

    Returns the layout and every data key in order (wanted or not). Names that several
    descriptors share (``timePeriod`` in h or min...) need their code, one ecCodes call each;
    subsets with the same sequence of names have the same codes, so they are asked once per
    distinct sequence.
    """
    subsets: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] | None = None
    keys: list[Key] = []
    iterator = eccodes.codes_bufr_keys_iterator_new(handle)
    try:
        while eccodes.codes_bufr_keys_iterator_next(iterator):
            key = eccodes.codes_bufr_keys_iterator_get_name(iterator)
            if key == "subsetNumber":
                current = []
                subsets.append(current)
                continue
            if not key.startswith("#") or "->" in key:
                continue
            _, rank, name = key.split("#", 2)
            keys.append((name, int(rank)))
            if name in _WANTED:
                if current is None:
                    current = []
                    subsets.append(current)
                current.append((name, int(rank)))
    finally:
        eccodes.codes_bufr_keys_iterator_delete(iterator)
    return [_with_codes(handle, shape, occurrences) for occurrences in subsets], keys


def _with_positions(handle: int, found: _Structure, keys: list[Key]) -> _Structure:
    """``found`` with each wanted number's place in ``numericValues``, else unchanged (numbers
    are then read key by key).

    That array holds one value per data key in key order, or, where operators such as
    ``222000`` add entries, one per expanded descriptor; there the keys are matched to the
    descriptors by their codes. Either way every wanted number read from the array must equal
    its own key's value, or the places are not used.
    """
    try:
        numbers = eccodes.codes_get_double_array(handle, "numericValues")
        if len(numbers) == len(keys):
            where = {key: k for k, key in enumerate(keys)}
        else:
            where = _aligned(handle, keys, len(numbers))
        positions = {}
        for name, rank in found.wanted:
            if name in _STRINGS:
                continue
            k = where.get((name, rank))
            if k is None or numbers[k] != eccodes.codes_get_double(handle, f"#{rank}#{name}"):
                return found
            positions[(name, rank)] = k
    except eccodes.CodesInternalError:
        return found
    return _Structure(found.plans, found.wanted, positions, len(numbers))


def _aligned(handle: int, keys: list[Key], size: int) -> dict[Key, int]:
    """Each key's place among the expanded descriptors (empty when they do not number
    ``size``): the next descriptor with the key's code."""
    expanded = eccodes.codes_get_long_array(handle, "expandedDescriptors").tolist()
    if len(expanded) != size:
        return {}
    where: dict[Key, int] = {}
    k = 0
    for name, rank in keys:
        code = int(eccodes.codes_get_string(handle, f"#{rank}#{name}->code"))
        while k < size and expanded[k] != code:
            k += 1
        if k == size:
            return {}
        where[(name, rank)] = k
        k += 1
    return where


def _with_codes(handle: int, shape: tuple, occurrences: list[tuple[str, int]]
                ) -> list[_Occurrence]:
    signature = (shape, tuple(name for name, _ in occurrences))
    codes = _CODES.get(signature)
    if codes is None:
        codes = tuple(int(eccodes.codes_get_string(handle, f"#{rank}#{name}->code"))
                      if name in _ASK_CODE else _CODE_OF.get(name, 0)
                      for name, rank in occurrences)
        _remember(_CODES, signature, codes)
    return [_Occurrence(name, rank, code) for (name, rank), code in zip(occurrences, codes,
                                                                         strict=True)]


# --- plan --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    key: Key
    rule: str
    target: str  # CMA element, or family ("PRE", "WIN_D", "WIN_S") for period rules
    unit: str
    period: tuple[Key, float] | None  # the time period in force and its minutes per unit
    height: Key | None  # the sensor height in force
    statistic: Key | None  # the first-order statistic in force (a statistic is not a sample)


@dataclass(slots=True)
class _Plan:
    identity: dict[str, Key] = field(default_factory=dict)  # first occurrence of each name
    candidates: list[_Candidate] = field(default_factory=list)

    def wanted(self) -> Iterable[Key]:
        yield from self.identity.values()
        for c in self.candidates:
            yield c.key
            for qualifier in (c.period[0] if c.period else None, c.height, c.statistic):
                if qualifier is not None:
                    yield qualifier


def plan(occurrences: list[_Occurrence]) -> _Plan:
    """Candidates of one subset with the qualifiers in force where each stands."""
    result = _Plan()
    period: tuple[Key, float] | None = None
    height: Key | None = None
    statistic: Key | None = None
    for occ in occurrences:
        key = (occ.name, occ.rank)
        if occ.name == _TIME_PERIOD:
            factor = _TIME_PERIOD_MINUTES.get(occ.code)
            period = (key, factor) if factor else None
        elif occ.name == _SENSOR_HEIGHT:
            height = key
        elif occ.name == _STATISTICS:
            statistic = key
        elif occ.code in _SOURCES:
            _, rule, target, unit = _SOURCES[occ.code]
            result.candidates.append(_Candidate(key, rule, target, unit, period, height,
                                                statistic))
        if occ.name in _IDENTITY:
            result.identity.setdefault(occ.name, key)
    return result


# --- values ------------------------------------------------------------------------------------


class Values:
    """The values of the wanted keys, each read once: ``get(key, subset)`` -> float or str.

    One subset: the numbers in one ``numericValues`` call where the structure knows their
    places, else each key one scalar call, made when the rules first ask for it (a rule that
    has found its value asks no further). Compressed: one array call per ranked key holds all
    subsets (one element when all are equal). Uncompressed: one array call per name holds every
    rank of every subset, in order.
    """

    def __init__(self, handle: int, compressed: bool, subsets: int, keys: Iterable[Key],
                 positions: dict[Key, int] | None = None, values_size: int = 0):
        self.handle = handle
        self.mode = "scalar" if subsets == 1 else "ranked" if compressed else "named"
        self.data: dict = {}
        if self.mode == "scalar" and positions:
            numbers = eccodes.codes_get_double_array(handle, "numericValues")
            if len(numbers) == values_size:  # as laid out (the layout is keyed by the template)
                numbers = numbers.tolist()
                self.data = {key: numbers[k] for key, k in positions.items()}
        elif self.mode == "ranked":
            for name, rank in keys:
                self.data[(name, rank)] = _array(handle, f"#{rank}#{name}", name)
        elif self.mode == "named":
            for name in {name for name, _ in keys}:
                self.data[name] = _array(handle, name, name)

    def get(self, key: Key, subset: int):
        if self.mode == "scalar":
            value = self.data.get(key)
            if value is None:
                name, rank = key
                getter = (eccodes.codes_get_string if name in _STRINGS
                          else eccodes.codes_get_double)
                value = self.data[key] = getter(self.handle, f"#{rank}#{name}")
            return value
        if self.mode == "ranked":
            array = self.data[key]
            return array[subset] if len(array) > 1 else array[0]
        return self.data[key[0]][key[1] - 1]

    def number(self, key: Key | None, subset: int) -> float | None:
        if key is None:
            return None
        value = float(self.get(key, subset))
        return None if value == MISSING else value

    def text(self, key: Key | None, subset: int) -> str | None:
        if key is None:
            return None
        value = "".join(c for c in str(self.get(key, subset)) if c.isprintable()).strip()
        return value or None


def _array(handle: int, key: str, name: str):
    if name in _STRINGS:
        return eccodes.codes_get_string_array(handle, key)
    return eccodes.codes_get_double_array(handle, key)


# --- reports -----------------------------------------------------------------------------------


class SubsetError(ValueError):
    """A subset that gives no report; ``undecoded`` when it is recognised but not supported."""

    def __init__(self, message: str, undecoded: bool = False):
        super().__init__(message)
        self.undecoded = undecoded


def reports(handle: int, compressed: bool, subsets: int, shape: tuple
            ) -> tuple[list[Report], list[str], int]:
    """The reports of every subset; the problems of subsets that gave none; how many undecoded."""
    plans = structure(handle, compressed, subsets, shape)
    values = Values(handle, compressed, subsets, plans.wanted, plans.positions,
                    plans.values_size)
    found: list[Report] = []
    problems: list[str] = []
    undecoded = 0
    for subset in range(subsets):
        try:
            found.append(_report(plans.plan_of(subset), values, subset))
        except SubsetError as exc:
            problems.append(f"subset {subset + 1}: {exc}")
            undecoded += exc.undecoded
    return found, problems, undecoded


def _report(p: _Plan, values: Values, subset: int) -> Report:
    ident = p.identity

    def number(name: str) -> float | None:
        return values.number(ident.get(name), subset)

    def text(name: str) -> str | None:
        return values.text(ident.get(name), subset)

    station, wigos = _station(number, text)
    try:
        time = _time(number)
    except SubsetError as exc:
        raise SubsetError(f"station {station}: {exc}") from None
    return Report(station=station, time=time, values=_elements(p, values, subset),
                  lat=number("latitude"), lon=number("longitude"),
                  elevation=_first(number("heightOfStationGroundAboveMeanSeaLevel"),
                                   number("heightOfStation")),
                  wigos_id=wigos, name=text("stationOrSiteName"))


def _first(*values):
    return next((v for v in values if v is not None), None)


def _station(number: Callable[[str], float | None], text: Callable[[str], str | None]
             ) -> tuple[str, str | None]:
    """(station, WIGOS id): WMO index, else WIGOS id, call sign, platform or buoy number."""
    wigos = None
    series, issuer, issue = (number(n) for n in ("wigosIdentifierSeries",
                                                 "wigosIssuerOfIdentifier", "wigosIssueNumber"))
    local = text("wigosLocalIdentifierCharacter")
    if None not in (series, issuer, issue) and local:
        wigos = f"{int(series)}-{int(issuer)}-{int(issue)}-{local}"
    block, number_ = number("blockNumber"), number("stationNumber")
    if block is not None and number_ is not None and 1 <= block <= 99:  # block 00 is unallocated
        return f"{int(block) * 1000 + int(number_):05d}", wigos
    if wigos:
        return wigos, wigos
    call_sign = text("shipOrMobileLandStationIdentifier")
    if call_sign and call_sign.upper() in ANONYMOUS:
        raise SubsetError(f"anonymous platform (call sign {call_sign!r})", undecoded=True)
    if call_sign:
        return call_sign, None
    for name in ("marineObservingPlatformIdentifier", "buoyOrPlatformIdentifier"):
        if (platform := number(name)) is not None:
            return str(int(platform)), None
    state, national = number("stateIdentifier"), number("nationalStationNumber")
    if state is not None and national is not None:
        raise SubsetError(f"national station {int(state)}/{int(national)} has no WMO index or "
                          "WIGOS id", undecoded=True)
    raise SubsetError("field station: no WIGOS id, block/station number, call sign or "
                      "platform number")


def _time(number: Callable[[str], float | None]) -> datetime:
    parts = {n: number(n) for n in ("year", "month", "day", "hour", "minute", "second")}
    missing = [n for n in ("year", "month", "day", "hour") if parts[n] is None]
    if missing:
        raise SubsetError(f"field time: {', '.join(missing)} missing")
    try:
        return datetime(*(int(parts[n] or 0) for n in ("year", "month", "day", "hour", "minute",
                                                        "second")), tzinfo=UTC)
    except ValueError as exc:
        raise SubsetError(f"field time: {exc}") from None


# --- element rules -----------------------------------------------------------------------------

_PERIOD_ELEMENTS = {("PRE", 60): "PRE_1h", ("PRE", 180): "PRE_3h", ("PRE", 360): "PRE_6h",
                    ("PRE", 720): "PRE_12h", ("PRE", 1440): "PRE_24h",
                    ("WIN_D", 10): "WIN_D_Avg_10mi", ("WIN_S", 10): "WIN_S_Avg_10mi",
                    ("WIN_D", 2): "WIN_D_Avg_2mi", ("WIN_S", 2): "WIN_S_Avg_2mi"}
_WIND_DEFAULT_PERIOD = 10  # min: a SYNOP wind without a period is the 10-minute mean


def _elements(p: _Plan, values: Values, subset: int) -> dict[str, float | None]:
    """Each CMA element from its candidates (see the rules in :mod:`.bufr`)."""
    groups: dict[str, list[tuple[_Candidate, float]]] = {}  # element -> (candidate, order)
    screen: dict[str, bool] = {}
    for candidate in p.candidates:
        if values.number(candidate.statistic, subset) is not None:
            continue  # a mean/max/min over a period, not the observation itself
        element, order = _element_of(candidate, values, subset)
        if element is None:
            continue
        if candidate.rule == "screen":
            height = values.number(candidate.height, subset)
            on_screen = height is not None and SCREEN_HEIGHT[0] <= height <= SCREEN_HEIGHT[1]
            if screen.get(element) and not on_screen:
                continue
            if on_screen and not screen.get(element):
                groups.pop(element, None)  # screen-level candidates replace the others
                screen[element] = True
        groups.setdefault(element, []).append((candidate, order))
    result: dict[str, float | None] = {}
    for element, candidates in groups.items():
        candidates.sort(key=lambda item: item[1])
        result[element] = None
        for candidate, _ in candidates:
            value = _canonical(element, values.number(candidate.key, subset), candidate.unit)
            if value is not None:
                result[element] = value
                break
    return result


def _element_of(c: _Candidate, values: Values, subset: int) -> tuple[str | None, float]:
    """The element a candidate would give and its order of preference (lower first)."""
    if c.rule in ("screen", "first", "fixed"):
        return c.target, 0.0
    minutes = _period_minutes(c, values, subset)
    if c.rule == "gust":  # the longest period up to 6 h, as the SYNOP 911ff before 910ff
        if minutes is None or not 0 < minutes <= MAX_GUST_PERIOD:
            return None, 0.0
        return c.target, -minutes
    if c.target in ("WIN_D", "WIN_S") and minutes is None:
        minutes = _WIND_DEFAULT_PERIOD
    if minutes is None:
        return None, 0.0
    return _PERIOD_ELEMENTS.get((c.target, round(minutes))), 0.0


def _period_minutes(c: _Candidate, values: Values, subset: int) -> float | None:
    if c.period is None:
        return None
    value = values.number(c.period[0], subset)
    return None if value is None else abs(value) * c.period[1]


def _canonical(element: str, value: float | None, unit: str) -> float | None:
    """``value`` in the element's canonical unit; BUFR special values resolved."""
    if value is None:
        return None
    if element.startswith("PRE_") and -0.11 < value < 0:
        value = 0.0  # -0.1 kg m-2: trace
    elif element == "Snow_Depth" and value < 0:
        if value > -0.015:
            value = 0.0  # -0.01 m: a little snow, less than 0.5 cm
        else:
            return None  # -0.02 m: snow cover not continuous (no depth)
    elif element == "CLO_Cov" and value > 100:
        return None  # 113: sky obscured
    elif element == "WEP_Now" and value > 508:
        return None  # 509 not observed, 510 expected but missing
    scale, offset = _factors(unit, elements.get(element).unit)
    return round(value * scale + offset, 6)


_FACTORS: dict[tuple[str, str], tuple[float, float]] = {}


def _factors(source: str, target: str) -> tuple[float, float]:
    found = _FACTORS.get((source, target))
    if found is None:
        found = _FACTORS[(source, target)] = units.factors(source, target)
    return found

