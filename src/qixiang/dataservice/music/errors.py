"""MUSIC answers errors in its own envelope: a negative ``returnCode`` and a message, with the
HTTP status that says the same to HTTP clients."""

from __future__ import annotations

# returnCode values (documented in docs/api.md). "-5004" is the code 天擎 itself gives when a
# user exceeds the access frequency; the others are qixiang's.
BAD_PARAMETER = "-1"
TOO_LARGE = "-2"
AUTH_FAILED = "-1001"
STALE_TIMESTAMP = "-1002"
REPLAYED_NONCE = "-1003"
FORBIDDEN = "-1004"
NOT_AUTHENTICATED = "-1005"
OVER_LIMIT = "-5004"


class MusicError(Exception):
    """A refused MUSIC request: ``code`` is the returnCode, ``status`` the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.headers = dict(headers or {})


def bad_parameter(name: str, message: str) -> MusicError:
    return MusicError(BAD_PARAMETER, f"{name}: {message}", 400)
