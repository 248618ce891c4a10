"""ASGI entry point: ``uvicorn qixiang.asgi:application``. Each serving process runs the
journal's loader (:mod:`qixiang.dataservice.journal`), as :mod:`qixiang.wsgi` does."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
application = get_asgi_application()

from qixiang.dataservice import journal  # noqa: E402  (needs Django set up)

journal.start()
