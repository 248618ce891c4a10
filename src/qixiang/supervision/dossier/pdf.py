"""The subject's file as a PDF (fpdf2, with an embedded subset of a CJK font).

The PDF holds what the page shows for the same viewer, kinds and purpose: the subject's facts,
then one table row per event (Beijing time, kind, record, what happened, status), with the
header row repeated on every page and "page n / N" at the foot. ID numbers are whatever
:class:`~qixiang.supervision.dossier.timeline.File` shows the viewer: masked unless a purpose
allowed more. Who exported it, when and for what purpose is printed on the first page and kept
in the audit trail by the view.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from qixiang.supervision.dossier.fonts import cjk_font
from qixiang.supervision.dossier.timeline import Event, File

FAMILY = "cjk"
COLUMNS = (24, 20, 41, 85, 20)  # mm: time, kind, record, event, status (A4 less margins)


class FilePdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        font = cjk_font()
        self.add_font(FAMILY, fname=str(font.path), collection_font_number=font.index)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(10, 12, 10)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FAMILY, size=7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text}    {self.page_no()} / {{nb}}", align="C")


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def render(file: File, events: list[Event], kinds_label: str, viewer_name: str) -> bytes:
    """The PDF bytes of ``events`` of ``file``."""
    now = timezone.now()
    title = _("File of %(name)s") % {"name": file.subject.name}
    pdf = FilePdf(f"{file.subject.subject_code} · {title}")
    pdf.set_title(title)
    pdf.set_author("qixiang")
    pdf.set_creation_date(now)
    pdf.add_page()
    pdf.set_font(FAMILY, size=15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=8)
    pdf.set_text_color(90)
    pdf.multi_cell(0, 4.5, _("One file per enterprise / household (一企一档、一户一档). Generated "
                             "%(time)s Beijing time (UTC+8) for %(user)s; purpose: %(purpose)s; "
                             "records shown: %(kinds)s; %(n)d events.")
                   % {"time": _local(now), "user": viewer_name,
                      "purpose": file.purpose or _("none given"), "kinds": kinds_label,
                      "n": len(events)}, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_text_color(0)
    pdf.set_font(FAMILY, size=9)
    with pdf.table(col_widths=(45, 145), first_row_as_headings=False, line_height=5,
                   text_align="LEFT",
                   borders_layout="HORIZONTAL_LINES") as table:
        for label, value in file.facts():
            row = table.row()
            row.cell(label, style=FontFace(color=90))
            row.cell(value)
    pdf.ln(4)
    pdf.set_font(FAMILY, size=7.5)
    headings = (_("time (Beijing)"), _("kind"), _("record"), _("event"), _("status"))
    with pdf.table(col_widths=COLUMNS, line_height=4, repeat_headings=1, text_align="LEFT",
                   headings_style=FontFace(fill_color=(232, 238, 245)),
                   borders_layout="HORIZONTAL_LINES") as table:
        row = table.row()
        for heading in headings:
            row.cell(heading)
        for event in events:
            row = table.row()
            row.cell(_local(event.at))
            row.cell(event.kind_label)
            row.cell(event.ref)
            row.cell(event.title + (f"\n{event.detail}" if event.detail else ""))
            row.cell(event.status)
    return bytes(pdf.output())
