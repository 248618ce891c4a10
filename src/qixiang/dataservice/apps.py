from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataserviceConfig(AppConfig):
    name = "qixiang.dataservice"
    verbose_name = _("Data-sharing service")

    def ready(self) -> None:
        # Signal receivers: the response cache follows new observations and station changes.
        from qixiang.dataservice import cache, query  # noqa: F401
