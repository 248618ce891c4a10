"""Pages of the supervision app, one module per area.

``sites`` (a site's page, its QR code, a scanned code), ``dashboard`` (home pages per role),
``inspections`` (tasks, plans, reports), ``field`` (the inspector's phone page on site) and
``hazards`` (the hazard closed loop). Every view filters through
:mod:`qixiang.supervision.scoping` and changes state only through
:func:`qixiang.supervision.workflows.transition`.
"""

from qixiang.supervision.views.sites import scan, site_detail, site_qr

__all__ = ["scan", "site_detail", "site_qr"]
