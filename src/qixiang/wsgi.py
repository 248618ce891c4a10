"""WSGI entry point: ``granian --interface wsgi qixiang.wsgi:application`` (and ``qixiang run``).

Measured in bench/dataservice.py: Django's request cycle under ASGI hops between the event loop
and a worker thread at each sync-only middleware (WhiteNoise), which caps a cached EDR answer at
~120 requests/s per process; the same process under granian's WSGI interface serves ~1,100.
Cached EDR answers are served by :class:`qixiang.dataservice.edr.fastpath.FastPath` before
Django's middleware and URL resolver. Each serving process runs the journal's loader
(:mod:`qixiang.dataservice.journal`), which moves access-log rows and quota charges into the
database and, on its first pass, what a killed process left.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
application = get_wsgi_application()

from qixiang.dataservice import journal  # noqa: E402  (needs Django set up)
from qixiang.dataservice.edr.fastpath import FastPath  # noqa: E402

application = FastPath(application)
journal.start()
