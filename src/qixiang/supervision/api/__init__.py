"""JSON API of the supervision app (django-ninja), mounted at ``/api/supervision/``.

One module per area adds its router here: :mod:`.exchange` (``/exchange/``, the data exchange
with partner platforms).
"""

from ninja import Router

from qixiang.supervision.api.exchange import router as exchange_router

router = Router(tags=["supervision"])
router.add_router("/exchange", exchange_router)

__all__ = ["router"]
