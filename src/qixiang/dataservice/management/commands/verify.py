"""``qixiang verify FILE [--record RECORD | --data-id ID] [--server URL] [--keys KEYS]``.

Checks a downloaded file against its signed provenance record: the record's signature (Ed25519,
by its ``kid``) with the published public keys, then the file's sha256 and size against the
record. The record is a compact JWS, given as a file, as the JSON ``/provenance/<id>`` serves, or
as text (the ``X-Qixiang-Provenance`` header); or fetched by data id from ``--server`` (or from
this installation's database when no server is named). Keys come from ``--keys`` (a JWK set file
or URL), else ``--server``/provenance/keys, else this installation's key folder.
Exit status 0 when the file is the data the record describes, 1 otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from django.core.management.base import BaseCommand, CommandError

from qixiang.dataservice import jws, provenance


def _fetch_json(url: str) -> dict:
    try:
        answer = httpx.get(url, timeout=30, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise CommandError(f"{url}: cannot fetch: {exc}") from None
    if answer.status_code == 202:
        raise CommandError(f"{url}: the response is still being streamed; try again shortly")
    if answer.status_code != 200:
        raise CommandError(f"{url}: HTTP {answer.status_code}: {answer.text[:200]}")
    return answer.json()


def _token_from(text: str, source: str) -> str:
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{source}: not JSON: {exc}") from None
        token = document.get("jws", "")
        if not token:
            raise CommandError(f"{source}: no 'jws' in the record (state "
                               f"{document.get('state', '?')})")
        return token
    if text.count(".") != 2:
        raise CommandError(f"{source}: neither a compact JWS nor a /provenance record")
    return text


class Command(BaseCommand):
    help = "Check a downloaded file against its signed provenance record."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the downloaded file")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--record", help="the record: a file, or the JWS text itself")
        which.add_argument("--data-id", help="the X-Qixiang-Data-Id of the download")
        parser.add_argument("--server", help="base URL of the qixiang that served the file, "
                                             "e.g. https://data.example.cn")
        parser.add_argument("--keys", help="JWK set of public keys: a file or a URL")

    def handle(self, *args, file: str, record: str | None, data_id: str | None,
               server: str | None, keys: str | None, **options) -> None:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read: {exc.strerror}") from None
        token = self._record(record, data_id, server)
        public = self._keys(keys, server)
        try:
            claims = provenance.verify(data, token, public)
        except provenance.InvalidRecord as exc:
            raise CommandError(f"{file}: FAILED: {exc}") from None
        who = claims.get("requester", {}).get("name", "?")
        kid = jws.header(token)["kid"]
        self.stdout.write(
            f"OK {file}: data {claims['data_id']} of {claims['dataset']}, {claims['size']} "
            f"bytes, sha256 {claims['sha256']}, served {claims['time']} to {who}, "
            f"QC {claims['qc_version']}, signed by {kid}")

    def _record(self, record: str | None, data_id: str | None, server: str | None) -> str:
        if record is not None:
            candidate = Path(record)
            if len(record) < 4096 and candidate.is_file():
                return _token_from(candidate.read_text(), record)
            return _token_from(record, "--record")
        if server:
            url = f"{server.rstrip('/')}/provenance/{data_id}"
            return _token_from(json.dumps(_fetch_json(url)), url)
        row = provenance.lookup(data_id)
        if row is None:
            raise CommandError(f"no data response with id {data_id} in this installation; "
                               "name the --server that served it")
        if not row.record:
            raise CommandError(f"data {data_id} has no record yet (state {row.state})")
        return row.record

    def _keys(self, keys: str | None, server: str | None) -> dict:
        if keys is None and server:
            keys = f"{server.rstrip('/')}/provenance/keys"
        if keys is None:
            return provenance.public_keys()
        if keys.startswith(("http://", "https://")):
            jwks = _fetch_json(keys)
        else:
            try:
                jwks = json.loads(Path(keys).read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"{keys}: not a readable JWK set: {exc}") from None
        try:
            return provenance.public_keys(jwks)
        except Exception as exc:  # a malformed key set: name it, whatever the library raised
            raise CommandError(f"{keys}: not a usable JWK set: {exc}") from None
