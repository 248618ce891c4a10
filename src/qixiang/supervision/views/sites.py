"""Pages of the supervision app that the registry itself needs: a site's page and its QR code.

The site page is where a scanned QR code lands; everything on it is filtered by
:mod:`qixiang.supervision.scoping`, so a user sees a site only if it is theirs to see. The
workflow pages (inspections, hazards, the mobile page) build on the same scoping and on
:func:`qixiang.supervision.workflows.transition`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from qixiang.supervision import audit, scoping, sitecodes


@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(scoping.sites(request.user).select_related("key_unit__subject"),
                             pk=pk)
    context = {
        "site": site,
        "components": scoping.components(request.user, site.components.all()),
        "tasks": scoping.tasks(request.user, site.tasks.select_related("agency__subject"))[:20],
        "hazards": scoping.hazards(request.user, site.hazards.all())[:20],
    }
    return render(request, "supervision/site_detail.html", context)


@login_required
def site_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's QR code as a PNG, to print on its plate."""
    site = get_object_or_404(scoping.sites(request.user).select_related("subject"), pk=pk)
    url = request.build_absolute_uri(reverse("supervision:scan",
                                             args=[sitecodes.token_for(site)]))
    response = HttpResponse(sitecodes.qr_png(url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{site.site_code}.png"'
    return response


@login_required
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """A scanned site QR code: check the signature, keep the scan in the trail, open the site."""
    try:
        site_id = sitecodes.site_id_for(token)
    except sitecodes.TokenError as exc:
        raise Http404(_("This site code is not valid: %(reason)s") % {"reason": exc}) from exc
    site = get_object_or_404(scoping.sites(request.user), pk=site_id)
    audit.record("site.scan", site, request.user, {"token": token.rsplit(".", 1)[0]})
    return redirect("supervision:site", pk=site.pk)
