"""The exchange page: partner platforms and every record sent to or received from them.

Regulators see the partners of their region and the exchanged records of their region's
subjects (:func:`qixiang.supervision.scoping.exchange_records`); key units and agencies see the
records about themselves. Filters: partner, direction, kind, status.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from qixiang.supervision import exchange, scoping
from qixiang.supervision import models as m

PAGE_SIZE = 50


@login_required
def exchange_list(request: HttpRequest) -> HttpResponse:
    if scoping.actor_kind(request.user) is None:
        raise PermissionDenied(_("Supervision pages are for regulators, key units and agencies."))
    get = request.GET
    chosen = {name: get.get(name, "") for name in ("partner", "direction", "kind", "status")}
    qs = scoping.exchange_records(request.user).select_related("partner", "subject")
    if chosen["partner"].isdigit():
        qs = qs.filter(partner_id=int(chosen["partner"]))
    for name, column in (("direction", "direction"), ("kind", "record_type"),
                         ("status", "status")):
        if chosen[name]:
            qs = qs.filter(**{column: chosen[name]})
    page = Paginator(qs.order_by("-exchanged_at", "-pk"), PAGE_SIZE).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    return render(request, "supervision/exchange/list.html", {
        "page": page, "chosen": chosen, "query": query.urlencode(),
        "partners": scoping.partners(request.user), "kinds": list(exchange.KINDS),
        "directions": m.Direction.choices, "statuses": m.ExchangeStatus.choices})
