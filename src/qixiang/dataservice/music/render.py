"""The MUSIC answer, in the shape 天擎 documents: ``returnCode`` ("0" is success),
``returnMessage``, ``rowCount`` and ``colCount`` (strings), ``requestParams`` (the data
parameters, lower-cased, without credentials), ``requestTime``/``responseTime`` (Beijing time,
as the 天擎 servers stamp them), ``takeTime`` (seconds), ``fieldNames``/``fieldUnits`` (Chinese,
space-separated) and ``DS``, a list of records whose values are all strings.

``dataFormat`` json (default) gives that object; xml gives ``<DS ...envelope attributes>`` with
one ``<R field="value" .../>`` per record; csv and tabText give a header line of field names and
one line per record (the envelope then travels in ``X-Music-*`` headers).
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode
from xml.sax.saxutils import quoteattr

import orjson

from qixiang.dataservice.music.fields import Field
from qixiang.dataservice.music.table import Table
from qixiang.dataservice.quotas import BEIJING

SUCCESS_MESSAGE = "Query Succeed"
MEDIA_TYPES = {"json": "application/json; charset=utf-8",
               "xml": "application/xml; charset=utf-8",
               "csv": "text/csv; charset=utf-8",
               "tabText": "text/plain; charset=utf-8"}


@dataclass
class Answer:
    code: str = "0"
    message: str = SUCCESS_MESSAGE
    fields: list[Field] = field(default_factory=list)
    table: Table | None = None
    echo: dict[str, str] = field(default_factory=dict)
    received: datetime = field(default_factory=lambda: datetime.now(BEIJING))
    started: float = field(default_factory=time.perf_counter)

    def columns(self) -> list[list[str]]:
        if self.table is None:
            return []
        return [self.table.text(f) for f in self.fields]

    def envelope(self, rows: int) -> dict[str, str]:
        names = [f.name for f in self.fields] if rows else []
        return {
            "returnCode": self.code,
            "returnMessage": self.message,
            "rowCount": str(rows),
            "colCount": str(len(names)),
            "requestParams": urlencode(self.echo, safe=",[]():;"),
            "requestTime": self.received.strftime("%Y-%m-%d %H:%M:%S"),
            "responseTime": datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
            "takeTime": f"{time.perf_counter() - self.started:.3f}",
            "fieldNames": " ".join(f.label for f in self.fields) if rows else "",
            "fieldUnits": " ".join(f.unit for f in self.fields) if rows else "",
        }


def render(answer: Answer, data_format: str = "json") -> tuple[bytes, str, dict[str, str]]:
    """``(body, content type, extra headers)`` of ``answer`` in ``data_format``."""
    columns = answer.columns()
    rows = len(columns[0]) if columns else 0
    envelope = answer.envelope(rows)
    names = [f.name for f in answer.fields]
    headers: dict[str, str] = {}
    if data_format == "xml":
        out = io.StringIO()
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<DS')
        for key, value in envelope.items():
            out.write(f" {key}={quoteattr(value)}")
        out.write(">\n")
        for record in zip(*columns, strict=True):
            out.write("<R")
            for name, value in zip(names, record, strict=True):
                out.write(f" {name}={quoteattr(value)}")
            out.write("/>\n")
        out.write("</DS>\n")
        body = out.getvalue().encode()
    elif data_format in ("csv", "tabText"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if data_format == "csv" else "\t",
                            lineterminator="\n")
        if answer.code == "0":
            writer.writerow(names)
            writer.writerows(zip(*columns, strict=True))
        else:
            out.write(f"{answer.code} {answer.message}\n")
        body = out.getvalue().encode()
        headers = {"X-Music-Return-Code": answer.code, "X-Music-Row-Count": str(rows)}
    else:
        document = dict(envelope)
        document["DS"] = [dict(zip(names, record, strict=True))
                          for record in zip(*columns, strict=True)]
        body = orjson.dumps(document)
    return body, MEDIA_TYPES.get(data_format, MEDIA_TYPES["json"]), headers
