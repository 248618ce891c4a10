"""Raising and closing data quality issues (:class:`~qixiang.supervision.models.DataQualityIssue`).

A rule calls :func:`raise_issue` each time it finds a problem; the fingerprint (rule, record,
field) keeps one open issue however often the rule runs. :func:`resolve_issues` closes the open
issues of a rule on a record once the data are right.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone

from qixiang.supervision.models import DataQualityIssue, IssueStatus, Subject

OPEN = (IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED)
DEFAULT_DAYS = 15  # days given to correct data [Prop]


def fingerprint(rule: str, obj: Model | None, field: str) -> str:
    key = f"{rule}|{obj._meta.label if obj else ''}|{obj.pk if obj else ''}|{field}"
    return hashlib.sha256(key.encode()).hexdigest()


def _subject_of(obj: Model | None) -> Subject | None:
    from qixiang.supervision.audit import subject_code_of

    code = subject_code_of(obj)
    return Subject.objects.filter(subject_code=code).first() if code else None


def raise_issue(rule: str, stage: str, obj: Model | None, field: str, message: str, *,
                severity: str = "warning", owner_subject: Subject | None = None,
                owner_user=None, due_days: int = DEFAULT_DAYS) -> DataQualityIssue:
    """The open issue for (rule, record, field), created if there is none."""
    print_ = fingerprint(rule, obj, field)
    existing = DataQualityIssue.objects.filter(fingerprint=print_, status__in=OPEN).first()
    if existing is not None:
        return existing
    subject = _subject_of(obj)
    return DataQualityIssue.objects.create(
        rule=rule, stage=stage, severity=severity, field=field, message=message,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "", record_label=str(obj)[:200] if obj else "",
        subject=subject, owner_subject=owner_subject or subject, owner_user=owner_user,
        due=timezone.localdate() + dt.timedelta(days=due_days), fingerprint=print_)


def resolve_issues(rule: str, obj: Model, field: str, resolution: str) -> int:
    """Close the open issue of (rule, record, field); returns how many were closed."""
    count = 0
    for issue in DataQualityIssue.objects.filter(fingerprint=fingerprint(rule, obj, field),
                                                 status__in=OPEN):
        issue.status, issue.resolution = IssueStatus.RESOLVED, resolution
        issue.resolved_at = timezone.now()
        issue.save()
        count += 1
    return count
