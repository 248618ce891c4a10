from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Quality control in the ingest flow, quality indicators and the review of flagged values."""

    name = "qixiang.quality"
    verbose_name = _("Quality control")

    def ready(self) -> None:
        from qixiang.observations import flags
        from qixiang.quality import stage, summary  # noqa: F401  (connects its signal receivers)

        flags.ASSIGN = stage.assign  # every batch the ingest stores goes through QC
