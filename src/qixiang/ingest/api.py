"""JSON API routes of the ingest app."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from qixiang.accounts.auth import key_or_session, require_role
from qixiang.accounts.models import Role
from qixiang.ingest.channels import http

router = Router(tags=["ingest"])

INGEST_ROLES = (Role.OPERATOR, Role.ADMINISTRATOR)


class IngestResultOut(Schema):
    """What became of one input: ``messages = stored + duplicates + rejected + undecoded``."""

    origin: str
    messages: int
    reports: int
    values: int
    stored: int
    duplicates: int
    rejected: int
    undecoded: int
    reasons: list[str]
    errors: list[str]


class FilesOut(Schema):
    files: list[IngestResultOut]


@router.post("/files", auth=key_or_session, response={200: FilesOut, 422: FilesOut},
             summary="Upload observation files (BUFR, SYNOP, METAR, CSV, JSON)")
def upload_files(request: HttpRequest, codec: str | None = None):
    """Multipart upload of one or many files (any field name, e.g. ``-F files=@a.bin``).

    Each file is decoded (format detected unless ``codec`` names it), archived and stored; the
    answer lists one result per file with the reason for every rejected message. 422 when
    messages were rejected and none could be used; the input is archived either way.
    """
    require_role(request, *INGEST_ROLES)
    files = [f for name in request.FILES for f in request.FILES.getlist(name)]
    if not files:
        raise HttpError(400, _("No file in the request: send multipart/form-data with one or "
                               "more files."))
    results = http.ingest_uploads(files, codec=codec)
    return Status(422 if http.nothing_usable(results) else 200, {"files": results})


@router.post("/messages", auth=key_or_session, response={200: IngestResultOut,
                                                          422: IngestResultOut},
             summary="Post JSON observation messages")
def post_messages(request: HttpRequest):
    """The body is one JSON sensor message, an array of them, or ``{"observations": [...]}``
    (docs/ingest.md). 422 when every message was rejected; the reasons name object and field."""
    user = require_role(request, *INGEST_ROLES)
    result = http.ingest_message_body(request.body, origin=f"http:{user.username}")
    return Status(422 if http.nothing_usable([result]) else 200, result)
