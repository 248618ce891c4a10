from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "qixiang.supervision"
    verbose_name = _("Lightning-protection safety supervision")

    def ready(self) -> None:
        from qixiang.supervision import signals

        signals.connect()
