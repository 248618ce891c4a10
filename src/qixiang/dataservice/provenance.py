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

The same record is stored in :class:`AccessLog` ("who downloaded what, when"; written at once,
or in batches with ``QIXIANG_ACCESS_LOG_BUFFER_SECONDS``, see :mod:`.accesslog`) and served at
``/provenance/<data id>``; the public keys are at ``/provenance/keys``. ``qixiang verify FILE``
checks a downloaded file against its record.

**Streamed responses** cannot carry a hash of bytes not yet sent: :func:`stamp_stream` sets the
data id and ``Link`` up front, hashes the chunks as they leave, and signs and stores the record
when the last chunk is out; until then ``/provenance/<id>`` answers 202 (state ``streaming``),
and a stream cut short is logged as ``aborted`` without a record.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlencode

import jwt
from asgiref.sync import sync_to_async
from django.http import HttpResponse, StreamingHttpResponse

from qixiang import __version__
from qixiang.dataservice import accesslog, provenance_keys
from qixiang.dataservice.access import Principal
from qixiang.dataservice.models import AccessLog

ISSUER = "qixiang"
HEADER_DATA_ID = "X-Qixiang-Data-Id"
HEADER_SHA256 = "X-Qixiang-SHA256"
HEADER_PROVENANCE = "X-Qixiang-Provenance"
MAX_HEADER_RECORD = 4096
JWS_TYPE = "qixiang-provenance+jwt"


class InvalidRecord(ValueError):
    """A provenance record that does not verify; the message says why."""


@cache
def qc_version() -> str:
    """The QC that flagged the values: qixiang's version and the hash of the packaged QC
    parameters (``science/qc/qc.toml``)."""
    from qixiang.science.qc.config import DEFAULT_PATH

    digest = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()[:12]
    return f"qixiang-{__version__}+qc.{digest}"


def new_data_id() -> str:
    return uuid.uuid4().hex


def query_text(query: Mapping | str) -> str:
    if isinstance(query, str):
        return query
    return urlencode(sorted((str(k), str(v)) for k, v in query.items()))


def _requester(principal: Principal) -> dict:
    return {"name": principal.name, "principal": principal.key, "via": principal.via}


def sign(claims: dict) -> tuple[str, str]:
    """``(compact JWS, kid)`` of ``claims`` signed with the current key."""
    key = provenance_keys.current()
    token = jwt.encode(claims, key.private, algorithm="EdDSA",
                       headers={"kid": key.kid, "typ": JWS_TYPE})
    return token, key.kid


def _claims(data_id: str, sha256: str, size: int, media_type: str, dataset: str,
            query: Mapping | str, principal: Principal, when: datetime) -> dict:
    return {
        "iss": ISSUER, "jti": data_id, "iat": int(when.timestamp()),
        "data_id": data_id, "sha256": sha256, "size": size, "media_type": media_type,
        "dataset": dataset,
        "query": dict(query) if isinstance(query, Mapping) else query,
        "qc_version": qc_version(),
        "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requester": _requester(principal),
    }


def _log_row(data_id: str, when: datetime, *, api: str, dataset: str, query: Mapping | str,
             principal: Principal, media_type: str) -> AccessLog:
    return AccessLog(data_id=data_id, time=when, user=principal.user, requester=principal.name,
                     client_ip=principal.client_ip, api=api, dataset=dataset,
                     query=query_text(query), media_type=media_type, cost=principal.cost)


def _link(response: HttpResponse, data_id: str) -> None:
    response[HEADER_DATA_ID] = data_id
    link = f'</provenance/{data_id}>; rel="describedby"'
    response["Link"] = f"{response['Link']}, {link}" if response.has_header("Link") else link
    exposed = f"{HEADER_DATA_ID}, {HEADER_SHA256}, {HEADER_PROVENANCE}, Link"
    response["Access-Control-Expose-Headers"] = exposed


def stamp(response: HttpResponse, body: bytes, *, dataset: str, query: Mapping | str,
          principal: Principal, api: str = AccessLog.Api.EDR) -> AccessLog:
    """Give ``response`` (whose content is ``body``) its data id, sha256 and signed record,
    and log it; returns the log row."""
    when = datetime.now(UTC)
    data_id = new_data_id()
    media_type = response.get("Content-Type", "application/octet-stream")
    sha256 = hashlib.sha256(body).hexdigest()
    token, kid = sign(_claims(data_id, sha256, len(body), media_type, dataset, query,
                              principal, when))
    row = _log_row(data_id, when, api=api, dataset=dataset, query=query, principal=principal,
                   media_type=media_type)
    row.size, row.sha256, row.kid, row.record = len(body), sha256, kid, token
    accesslog.writer.write(row)
    _link(response, data_id)
    response[HEADER_SHA256] = sha256
    if len(token) <= MAX_HEADER_RECORD:
        response[HEADER_PROVENANCE] = token
    return row


def stamp_stream(response: StreamingHttpResponse, *, dataset: str, query: Mapping | str,
                 principal: Principal, api: str = AccessLog.Api.EDR) -> AccessLog:
    """Stamp a streamed response: data id now, record when the last chunk has been sent."""
    when = datetime.now(UTC)
    data_id = new_data_id()
    media_type = response.get("Content-Type", "application/octet-stream")
    row = _log_row(data_id, when, api=api, dataset=dataset, query=query, principal=principal,
                   media_type=media_type)
    row.state = AccessLog.State.STREAMING
    accesslog.insert(row)  # at once: it is updated when the stream ends
    _link(response, data_id)
    digest = hashlib.sha256()
    size = 0

    def finish(complete: bool) -> None:
        if not complete:
            AccessLog.objects.filter(pk=row.pk).update(state=AccessLog.State.ABORTED, size=size)
            return
        sha256 = digest.hexdigest()
        token, kid = sign(_claims(data_id, sha256, size, media_type, dataset, query,
                                  principal, when))
        AccessLog.objects.filter(pk=row.pk).update(
            state=AccessLog.State.COMPLETE, size=size, sha256=sha256, kid=kid, record=token)

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
                await sync_to_async(finish)(complete)

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
    return row


def lookup(data_id: str) -> AccessLog | None:
    """The log row of ``data_id``: queued in this process, or in the database."""
    return accesslog.writer.queued(data_id) or AccessLog.objects.filter(data_id=data_id).first()


def public_keys(jwks: Mapping | None = None) -> dict[str, object]:
    """Public keys by kid, from a JWK set (as ``/provenance/keys`` serves) or our key folder."""
    if jwks is None:
        return {key.kid: key.public for key in provenance_keys.all_keys()}
    keys = {}
    for entry in jwks.get("keys", []):
        keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="EdDSA").key
    return keys


def decode(token: str, keys: Mapping[str, object]) -> dict:
    """The claims of a record after checking its signature against ``keys`` (by kid)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidRecord(f"not a compact JWS: {exc}") from None
    kid = header.get("kid", "")
    if header.get("alg") != "EdDSA":
        raise InvalidRecord(f"algorithm {header.get('alg')!r} is not EdDSA")
    if kid not in keys:
        raise InvalidRecord(f"signed with key {kid!r}, which is not among the published keys")
    try:
        return jwt.decode(token, keys[kid], algorithms=["EdDSA"],
                          options={"verify_iat": False, "verify_aud": False}, issuer=ISSUER)
    except jwt.PyJWTError as exc:
        raise InvalidRecord(f"signature does not verify with key {kid}: {exc}") from None


def verify(data: bytes, token: str, keys: Mapping[str, object]) -> dict:
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
        document["record"] = json.loads(
            jwt.utils.base64url_decode(row.record.split(".")[1]).decode())
        document["kid"] = row.kid
    return document
