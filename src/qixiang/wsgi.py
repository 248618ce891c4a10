"""WSGI entry point: ``granian --interface wsgi qixiang.wsgi:application``.

Measured in bench/dataservice.py: Django's request cycle under ASGI hops between the event loop
and a worker thread at each sync-only middleware (WhiteNoise), which caps a cached EDR answer at
~120 requests/s per process; the same process under granian's WSGI interface serves ~1,100.
Cached EDR answers are served by :class:`qixiang.dataservice.edr.fastpath.FastPath` before
Django's middleware and URL resolver.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
application = get_wsgi_application()

from qixiang.dataservice.edr.fastpath import FastPath  # noqa: E402  (needs Django set up)

application = FastPath(application)
