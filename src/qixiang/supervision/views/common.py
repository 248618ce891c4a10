"""What the supervision pages share: taking a workflow step from a form, lists, role checks."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from qixiang.supervision import scoping
from qixiang.supervision.forms import StepForm, step_form
from qixiang.supervision.workflows import NotAllowed, TransitionError, available, transition
from qixiang.supervision.workflows.engine import machine_for, may

PAGE_SIZE = 50


def kind_of(request: HttpRequest) -> str:
    """The user's kind for the supervision pages; 403 for users with no part in them."""
    kind = scoping.actor_kind(request.user)
    if kind is None:
        raise PermissionDenied(_("These pages are for regulators, key units and inspection "
                                 "agencies."))
    return kind


def step_forms(obj, user, forms_by_action: dict) -> list[tuple]:
    """``(transition, form)`` for each step the user may take now, for the page to show."""
    return [(t, step_form(forms_by_action, t.action, obj, user)) for t in available(obj, user)]


def error_text(form: StepForm) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)


def take_step(request: HttpRequest, obj, action: str, forms_by_action: dict,
              after: Callable[[object, StepForm], None] | None = None) -> bool:
    """Validate the step's form and take the step; messages say what happened.

    :class:`~qixiang.supervision.workflows.NotAllowed` propagates (403); a refused step or bad
    data becomes an error message and ``False``. ``after`` runs in the same transaction (files
    kept with the step), so a refused step keeps nothing.
    """
    try:
        _machine, step_def = machine_for(obj, action)
    except TransitionError as exc:
        raise Http404(str(exc)) from exc
    if not may(step_def, request.user, obj):
        raise NotAllowed(_("You may not do this: %(action)s.") % {"action": step_def.label})
    form = step_form(forms_by_action, action, obj, request.user, request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return False
    try:
        with transaction.atomic():
            transition(obj, action, request.user, **form.step_data())
            if after is not None:
                after(obj, form)
    except TransitionError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        obj.refresh_from_db()
        messages.error(request, str(exc))
        return False
    messages.success(request, _("Done: %(step)s.") % {"step": step_def.label})
    return True


def paginate(request: HttpRequest, queryset) -> tuple[Page, str]:
    """The requested page of ``queryset`` and the query string without ``page``."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rest = urlencode([(k, v) for k, values in request.GET.lists() for v in values
                      if k != "page"])
    return page, rest


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback
