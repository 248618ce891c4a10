"""qixiang (气象): a self-hostable smart meteorology platform.

``qixiang.science`` is pure Python + numpy (codecs, QC, analysis); the Django apps beside it
(stations, observations, ingest, accounts, monitoring) are the platform. See docs/architecture.md.
"""

__version__ = "0.1.0"
