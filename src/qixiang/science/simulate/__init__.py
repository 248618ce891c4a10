"""A simulated national observing network, so a fresh install shows live data.

The demo is deterministic: the network comes from a seed, and every minute's values are a pure
function of the seed and the time, so re-publishing a minute after a restart produces identical
messages (which the ingest then recognises as duplicates by their sha256).

- :mod:`.provinces` — the 31 mainland provinces as rough lon/lat boxes, with GB/T 2260 codes
- :mod:`.terrain` — a synthetic elevation surface (plateau in the west, plains in the east)
- :mod:`.network` — about 2,000 stations with CMA-style ids, elevations and provinces
- :mod:`.front`, :mod:`.showers` — the weather systems: a cold front and convective showers
- :mod:`.weather` — each minute's true values for every station
- :mod:`.faults` — about 1 % planted sensor faults and their manifest, for scoring QC
- :mod:`.messages` — the minute as JSON observation messages (docs/ingest.md format)
"""
