"""One file per enterprise / household (一企一档、一户一档, seed §2(3)).

:mod:`.timeline` gathers a subject's records as events for a viewer; :mod:`.pdf` renders them
with an embedded CJK font found by :mod:`.fonts`. The page is
:mod:`qixiang.supervision.views.files`.
"""

from qixiang.supervision.dossier.timeline import KINDS, Event, File

__all__ = ["KINDS", "Event", "File"]
