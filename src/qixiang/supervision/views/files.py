"""One file per subject (一企一档、一户一档): the list of subjects, a subject's file, its PDF.

The file is :class:`qixiang.supervision.dossier.File` for the signed-in user: a subject outside
what they may see is a 404, and inside it each kind of record is scoped again. ``?kind=`` (one
or more) filters the kinds of record, ``?order=asc`` turns the time order, ``?purpose=`` names
a recorded purpose that may unmask ID numbers (only with a live grant; the read is logged).
Opening a household's (person's) file and exporting any file are kept in the audit trail, with
the purpose given.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from qixiang.supervision import audit, scoping
from qixiang.supervision import models as m
from qixiang.supervision.dossier import KINDS, File
from qixiang.supervision.dossier.fonts import NoCjkFont

PAGE_SIZE = 100
SUBJECTS_PAGE = 50


def _require_supervision_user(request: HttpRequest) -> None:
    if scoping.actor_kind(request.user) is None:
        raise PermissionDenied(_("Supervision pages are for regulators, key units and agencies."))


@login_required
def subject_list(request: HttpRequest) -> HttpResponse:
    """The subjects the user may see, searchable by name, code or credit code."""
    _require_supervision_user(request)
    qs = scoping.subjects(request.user).select_related("key_unit", "agency")
    text = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(subject_code__icontains=text)
                       | Q(uscc__icontains=text))
    if role == "key_unit":
        qs = qs.filter(key_unit__isnull=False)
    elif role == "agency":
        qs = qs.filter(agency__isnull=False)
    page = Paginator(qs.order_by("region_code", "name"), SUBJECTS_PAGE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "supervision/files/subjects.html",
                  {"page": page, "q": text, "role": role, "query": query.urlencode()})


def _file_for(request: HttpRequest, pk: int) -> tuple[File, list[str], bool]:
    _require_supervision_user(request)
    subject = get_object_or_404(scoping.subjects(request.user), pk=pk)
    purpose = request.GET.get("purpose", "")
    if purpose not in m.Purpose.values:
        purpose = ""
    kinds = [k for k in request.GET.getlist("kind") if k in KINDS] or list(KINDS)
    return File(subject, request.user, purpose), kinds, request.GET.get("order") != "asc"


@login_required
def subject_file(request: HttpRequest, pk: int) -> HttpResponse:
    file, kinds, newest_first = _file_for(request, pk)
    events = file.events(kinds, newest_first)
    if file.subject.kind == m.SubjectKind.PERSON:
        audit.record("subject.file_read", file.subject, request.user,
                     {"purpose": file.purpose, "kinds": kinds})
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "supervision/files/file.html", {
        "file": file, "subject": file.subject, "facts": file.facts(), "page": page,
        "kinds": [(k, label, k in kinds) for k, label in KINDS.items()],
        "all_kinds": len(kinds) == len(KINDS), "newest_first": newest_first,
        "purposes": m.Purpose.choices, "purpose": file.purpose, "query": query.urlencode(),
        "total": len(events)})


@login_required
def subject_file_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same file as a PDF download; the export is recorded in the audit trail."""
    from qixiang.supervision.dossier import pdf

    file, kinds, newest_first = _file_for(request, pk)
    events = file.events(kinds, newest_first)
    label = (_("all") if len(kinds) == len(KINDS)
             else ", ".join(str(KINDS[k]) for k in kinds))
    try:
        content = pdf.render(file, events, label, request.user.get_username())
    except NoCjkFont as exc:
        return HttpResponse(_("The PDF cannot be made on this server: %(reason)s")
                            % {"reason": exc}, status=503, content_type="text/plain")
    audit.record("subject.file_export", file.subject, request.user,
                 {"purpose": file.purpose, "kinds": kinds, "events": len(events),
                  "format": "pdf"})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="{file.subject.subject_code}'
                                       f'-file.pdf"')
    return response
