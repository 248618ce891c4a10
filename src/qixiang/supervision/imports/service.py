"""Importing one registry file: every row created, updated, accepted into review or rejected.

``read = created + updated + rejected`` (rows in review are created or updated too, and
counted again in ``review``). A rejected row's line, field and reason are reported and, with
its original cells, written to ``<file>.rejected.csv`` beside the input, so nothing is lost.
Each row is its own savepoint: a bad row never undoes the good ones.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction

from qixiang.supervision.imports import kinds, table
from qixiang.supervision.imports.fields import RowError


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    field: str
    reason: str
    cells: dict

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.reason}"


@dataclass(slots=True)
class ImportReport:
    kind: str
    source: str
    read: int = 0
    created: int = 0
    updated: int = 0
    review: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rejects_file: str = ""


def import_file(kind: str, path: str | Path, *, write_rejects: bool = True) -> ImportReport:
    """Import ``path`` (CSV or .xlsx) as registry ``kind`` (see :data:`kinds.KINDS`)."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(kinds.KINDS)}")
    spec, handler = kinds.KINDS[kind]
    path = Path(path)
    report = ImportReport(kind=kind, source=str(path))
    header, rows = table.rows(path)
    mapping = kinds.columns(header, spec)
    if not mapping:
        report.rejected.append(Rejected(1, "header", "none of the columns of "
                                        f"{kind} ({', '.join(spec)}) is present", {}))
        return report
    for line, cells in rows:
        report.read += 1
        row = {mapping[name]: value for name, value in cells.items() if name in mapping}
        try:
            with transaction.atomic():
                record, created, review = handler(row)
        except RowError as exc:
            report.rejected.append(Rejected(line, exc.field, str(exc), cells))
            continue
        except IntegrityError as exc:
            report.rejected.append(Rejected(line, "row", f"conflicts with a stored record: "
                                            f"{exc}", cells))
            continue
        if created:
            report.created += 1
        else:
            report.updated += 1
        if review:
            report.review.append(f"line {line}: {record} (identifier failed its check)")
    if report.rejected and write_rejects:
        report.rejects_file = _write_rejects(path, header, report.rejected)
    return report


def _write_rejects(path: Path, header: list[str], rejected: list[Rejected]) -> str:
    target = path.with_name(path.name + ".rejected.csv")
    with target.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "field", "reason", *header])
        for item in rejected:
            writer.writerow([item.line, item.field, item.reason,
                             *(item.cells.get(h, "") for h in header)])
    return str(target)
