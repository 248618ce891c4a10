"""Signed provenance for every data response, and the access log that keeps it.

A data view builds its body, then calls::

    provenance.stamp(response, body, dataset=..., query=..., principal=principal)

which gives the response a fresh **data id**, the **sha256** of the body and a **signed
provenance record** — a compact JWS (EdDSA / Ed25519, ``kid`` in its header) whose payload says
which bytes (sha256, size, media type) of which dataset, for which query, under which QC version,
when, and for whom::

    X-Qixiang-Data-Id: 5c1f...        X-Qixiang-SHA256: 9f86...
    X-Qixiang-Provenance: eyJhbGciOiJFZERTQSIs...   (omitted when longer than 4 KiB)
    Link: </provenance/5c1f...>; rel="describedby"

The same record goes to :class:`AccessLog` ("who downloaded what, when") through the journal
(:mod:`.accesslog`: a line appended before the answer leaves, in the database within
``QIXIANG_JOURNAL_SECONDS``) and is served at ``/provenance/<data id>``; the public keys are at
``/provenance/keys``. ``qixiang verify FILE`` checks a downloaded file against its record.

**Streamed responses** cannot carry a hash of bytes not yet sent: :func:`stamp_stream` sets the
data id and ``Link`` up front, hashes the chunks as they leave, and signs and stores the record
when the last chunk is out; until then ``/provenance/<id>`` answers 202 (state ``streaming``),
and a stream cut short is logged as ``aborted`` without a record.

The record is signed with ``cryptography``'s Ed25519 (:mod:`.jws`) and its claims serialised
with orjson: per answer that is one signature, one hash of the body and one journal line.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlencode

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.http import HttpResponse, StreamingHttpResponse

from qixiang import __version__
from qixiang.dataservice import accesslog, jws, provenance_keys
from qixiang.dataservice.access import Principal
from qixiang.dataservice.models import AccessLog

ISSUER = "qixiang"
HEADER_DATA_ID = "X-Qixiang-Data-Id"
HEADER_SHA256 = "X-Qixiang-SHA256"
HEADER_PROVENANCE = "X-Qixiang-Provenance"
MAX_HEADER_RECORD = 4096
JWS_TYPE = "qixiang-provenance+jwt"
_EXPOSED = f"{HEADER_DATA_ID}, {HEADER_SHA256}, {HEADER_PROVENANCE}, Link"


class InvalidRecord(ValueError):
    """A provenance record that does not verify; the message says why."""


@dataclass(frozen=True, slots=True)
class Stamp:
    """What :func:`stamp` gave a response (a streamed one gets its hash and record later)."""

    data_id: str
    sha256: str = ""
    size: int | None = None
    kid: str = ""
    record: str = ""


@cache
def qc_version() -> str:
    """The QC that flagged the values: qixiang's version and the hash of the packaged QC
    parameters (``science/qc/qc.toml``)."""
    from qixiang.science.qc.config import DEFAULT_PATH

    digest = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()[:12]
    return f"qixiang-{__version__}+qc.{digest}"


def new_data_id() -> str:
    """128 random bits as 32 hex digits (the form of a uuid4's hex, 8x cheaper)."""
    return os.urandom(16).hex()


def query_text(query: Mapping | str) -> str:
    if isinstance(query, str):
        return query
    return urlencode(sorted((str(k), str(v)) for k, v in query.items()))


def sign(claims: dict) -> tuple[str, str]:
    """``(compact JWS, kid)`` of ``claims`` signed with the current key."""
    key = provenance_keys.current()
    return jws.sign(orjson.dumps(claims), key.private, {"kid": key.kid, "typ": JWS_TYPE}), key.kid


def _claims(data_id: str, sha256: str, size: int, media_type: str, dataset: str,
            query: Mapping | str, principal: Principal, when: datetime) -> dict:
    return {
        "iss": ISSUER, "jti": data_id, "iat": int(when.timestamp()),
        "data_id": data_id, "sha256": sha256, "size": size, "media_type": media_type,
        "dataset": dataset,
        "query": dict(query) if isinstance(query, Mapping) else query,
        "qc_version": qc_version(),
        "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requester": {"name": principal.name, "principal": principal.key, "via": principal.via},
    }


def _log_fields(data_id: str, when: datetime, *, api: str, dataset: str, query: Mapping | str,
                principal: Principal, media_type: str) -> dict:
    """The access-log fields known before the body is (see :data:`accesslog.FIELDS`)."""
    return {"data_id": data_id, "time": when,
            "user_id": principal.user.pk if principal.user is not None else None,
            "requester": principal.name, "client_ip": principal.client_ip, "api": str(api),
            "dataset": dataset, "query": query_text(query), "media_type": media_type,
            "cost": principal.cost}


def _link(response: HttpResponse | dict[str, str], data_id: str) -> None:
    response[HEADER_DATA_ID] = data_id
    link = f'</provenance/{data_id}>; rel="describedby"'
    response["Link"] = f"{response['Link']}, {link}" if "Link" in response else link
    response["Access-Control-Expose-Headers"] = _EXPOSED


def stamp(response: HttpResponse | dict[str, str], body: bytes, *, dataset: str,
          query: Mapping | str, principal: Principal, api: str = AccessLog.Api.EDR,
          sha256: str | None = None) -> Stamp:
    """Give ``response`` (whose content is ``body``; or a dict of its headers) its data id,
    sha256 and signed record, and log it (a journal line, before the response leaves).
    ``sha256``: the body's, when the caller already has it (a cached answer's)."""
    when = datetime.now(UTC)
    data_id = new_data_id()
    media_type = response.get("Content-Type", "application/octet-stream")
    sha256 = sha256 or hashlib.sha256(body).hexdigest()
    token, kid = sign(_claims(data_id, sha256, len(body), media_type, dataset, query,
                              principal, when))
    accesslog.record(**_log_fields(data_id, when, api=api, dataset=dataset, query=query,
                                   principal=principal, media_type=media_type),
                     size=len(body), sha256=sha256, state=AccessLog.State.COMPLETE.value,
                     kid=kid, record=token)
    _link(response, data_id)
    response[HEADER_SHA256] = sha256
    if len(token) <= MAX_HEADER_RECORD:
        response[HEADER_PROVENANCE] = token
    return Stamp(data_id, sha256, len(body), kid, token)


def stamp_stream(response: StreamingHttpResponse, *, dataset: str, query: Mapping | str,
                 principal: Principal, api: str = AccessLog.Api.EDR) -> Stamp:
    """Stamp a streamed response: data id now, record when the last chunk has been sent."""
    when = datetime.now(UTC)
    data_id = new_data_id()
    media_type = response.get("Content-Type", "application/octet-stream")
    fields = _log_fields(data_id, when, api=api, dataset=dataset, query=query,
                         principal=principal, media_type=media_type)
    accesslog.record(**fields, size=None, sha256="", state=AccessLog.State.STREAMING.value,
                     kid="", record="")
    _link(response, data_id)
    digest = hashlib.sha256()
    size = 0

    def finish(complete: bool) -> None:
        if not complete:
            accesslog.record(**fields, size=size, sha256="",
                             state=AccessLog.State.ABORTED.value, kid="", record="")
            return
        sha256 = digest.hexdigest()
        token, kid = sign(_claims(data_id, sha256, size, media_type, dataset, query,
                                  principal, when))
        accesslog.record(**fields, size=size, sha256=sha256,
                         state=AccessLog.State.COMPLETE.value, kid=kid, record=token)

    def as_bytes(chunk) -> bytes:
        return chunk if isinstance(chunk, bytes) else str(chunk).encode(response.charset)

    if response.is_async:
        source_async: AsyncIterator = response.streaming_content

        async def hashed_async():
            nonlocal size
            complete = False
            try:
                async for chunk in source_async:
                    data = as_bytes(chunk)
                    digest.update(data)
                    size += len(data)
                    yield data
                complete = True
            finally:
                finish(complete)  # a journal line: no database call to leave the loop for

        response.streaming_content = hashed_async()
    else:
        source: Iterator = response.streaming_content

        def hashed():
            nonlocal size
            complete = False
            try:
                for chunk in source:
                    data = as_bytes(chunk)
                    digest.update(data)
                    size += len(data)
                    yield data
                complete = True
            finally:
                finish(complete)

        response.streaming_content = hashed()
    return Stamp(data_id)


def lookup(data_id: str) -> AccessLog | None:
    """The log row of ``data_id``: from the database, or from a journal not loaded yet (which
    also holds the newer state of a stream that has ended since)."""
    row = AccessLog.objects.filter(data_id=data_id).first()
    if row is not None and row.state != AccessLog.State.STREAMING:
        return row
    waiting = accesslog.pending(data_id)
    if waiting is not None:
        return waiting
    return row or AccessLog.objects.filter(data_id=data_id).first()  # loaded meanwhile


def public_keys(jwks: Mapping | None = None) -> dict[str, Ed25519PublicKey]:
    """Public keys by kid, from a JWK set (as ``/provenance/keys`` serves) or our key folder."""
    if jwks is None:
        return {key.kid: key.public for key in provenance_keys.all_keys()}
    return {entry["kid"]: jws.public_key(entry) for entry in jwks.get("keys", [])}


def decode(token: str, keys: Mapping[str, Ed25519PublicKey]) -> dict:
    """The claims of a record after checking its signature against ``keys`` (by kid)."""
    try:
        _header, payload = jws.verify(token, keys)
        claims = orjson.loads(payload)
    except jws.InvalidToken as exc:
        raise InvalidRecord(str(exc)) from None
    except orjson.JSONDecodeError as exc:
        raise InvalidRecord(f"the record's payload is not JSON: {exc}") from None
    if not isinstance(claims, dict) or claims.get("iss") != ISSUER:
        raise InvalidRecord(f"not a {ISSUER} provenance record (issuer "
                            f"{claims.get('iss') if isinstance(claims, dict) else None!r})")
    return claims


def verify(data: bytes, token: str, keys: Mapping[str, Ed25519PublicKey]) -> dict:
    """The record's claims when ``data`` is exactly the bytes it describes; raises
    :class:`InvalidRecord` naming what differs."""
    claims = decode(token, keys)
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 != claims.get("sha256"):
        raise InvalidRecord(f"sha256 of the file is {sha256}, the record says "
                            f"{claims.get('sha256')}: the file is not the data it describes")
    if len(data) != claims.get("size"):
        raise InvalidRecord(f"the file has {len(data)} bytes, the record says {claims['size']}")
    return claims


def record_document(row: AccessLog) -> dict:
    """What ``/provenance/<id>`` serves for a log row."""
    document = {"data_id": row.data_id, "state": row.state}
    if row.record:
        document["jws"] = row.record
        document["record"] = orjson.loads(jws.payload(row.record))
        document["kid"] = row.kid
    return document
