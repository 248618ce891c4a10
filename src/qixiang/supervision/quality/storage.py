"""Storage-stage rules: what is kept is consistent with itself.

One subject per organisation (the same organisation registered twice under two credit codes, or
the same name twice in one district), one code per record (a subject's supervision code follows
its credit code, a site's code starts with its subject's), sites with their component inventory
(measurements refer to components), and uploaded reports with their file's hash. Duplicates and
codes are the bureau's to resolve (it keeps the registry); inventories the key unit's; report
files the agency's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision import models as m
from qixiang.supervision.quality import rule
from qixiang.supervision.quality.interface import Finding


def _name_key(name: str) -> str:
    return "".join(name.split()).replace("（", "(").replace("）", ")").lower()


@rule("storage.duplicate_subject", m.Stage.STORAGE, m.IssueSeverity.ERROR,
      gettext_lazy("subject registered twice"))
def duplicate_subject() -> Iterator[Finding]:
    """Later registrations sharing an organisation code (USCC positions 9-17), or a name in a
    region, with an earlier one; the unique credit code alone cannot catch a mistyped code."""
    by_org: dict[str, list[m.Subject]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[m.Subject]] = defaultdict(list)
    for subject in m.Subject.objects.order_by("pk"):
        if len(subject.uscc) == 18:
            by_org[subject.uscc[8:17]].append(subject)
        by_name[(subject.region_code, _name_key(subject.name))].append(subject)
    for field, groups in (("uscc", by_org), ("name", by_name)):
        for group in groups.values():
            first = group[0]
            for later in group[1:]:
                message = (_("%(later)s has the same organisation code as %(first)s.")
                           if field == "uscc" else
                           _("%(later)s has the same name and region as %(first)s."))
                yield Finding(later, field, message % {"later": later, "first": first},
                              subject=later)


@rule("storage.code_mismatch", m.Stage.STORAGE, m.IssueSeverity.ERROR,
      gettext_lazy("supervision code does not match"))
def code_mismatch() -> Iterator[Finding]:
    for subject in m.Subject.objects.filter(kind=m.SubjectKind.ORGANISATION).exclude(uscc=""):
        if subject.subject_code != "U" + subject.uscc:
            yield Finding(subject, "subject_code",
                          _("Supervision code %(code)s does not follow the credit code %(uscc)s.")
                          % {"code": subject.subject_code, "uscc": subject.uscc},
                          subject=subject)
    for site in m.Site.objects.select_related("subject"):
        if not site.site_code.startswith(site.subject.subject_code + "-"):
            yield Finding(site, "site_code",
                          _("Site code %(code)s does not start with its subject's code %(subject)s.")
                          % {"code": site.site_code, "subject": site.subject.subject_code},
                          subject=site.subject)


@rule("storage.site_without_components", m.Stage.STORAGE, m.IssueSeverity.WARNING,
      gettext_lazy("site without component inventory"))
def site_without_components() -> Iterator[Finding]:
    for site in (m.Site.objects.filter(retired_on__isnull=True, components__isnull=True)
                 .select_related("subject")):
        yield Finding(site, "components",
                      _("%(site)s lists no lightning-protection components.") % {"site": site},
                      owner_subject=site.subject, subject=site.subject)


@rule("storage.report_file_missing", m.Stage.STORAGE, m.IssueSeverity.ERROR,
      gettext_lazy("uploaded report without its file"))
def report_file_missing() -> Iterator[Finding]:
    for report in (m.InspectionReport.objects.filter(uploaded_at__isnull=False, file_sha256="")
                   .select_related("task__agency__subject", "subject")):
        yield Finding(report, "file_sha256",
                      _("Report %(no)s was uploaded without a file hash.") % {"no": report},
                      owner_subject=report.task.agency.subject, subject=report.subject)
