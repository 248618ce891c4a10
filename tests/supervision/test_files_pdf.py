"""The subject's file as a PDF: Chinese set in an embedded font, masked IDs, the export logged."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import translation

from qixiang.supervision import identity
from qixiang.supervision import models as m
from qixiang.supervision.dossier.fonts import NoCjkFont, cjk_font

CLEAR_ID = "11010519491231002X"


@pytest.fixture(autouse=True)
def font():
    try:
        return cjk_font()
    except NoCjkFont as exc:
        pytest.skip(f"no CJK font on this machine ({exc})")


def export(user, subject, query: str = "") -> bytes:
    client = Client()
    client.force_login(user)
    with translation.override("zh-hans"):
        response = client.get(f"/supervision/subjects/{subject.pk}/file.pdf{query}",
                              HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def text_of(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_pdf_embeds_the_font_and_sets_the_chinese_name_and_records(world, tmp_path):
    world.zj.subject.name = "西湖加油站"
    world.zj.subject.save()
    pdf = export(world.users["zj_county"], world.zj.subject)
    assert pdf.startswith(b"%PDF-") and b"/FontFile" in pdf
    text = text_of(pdf, tmp_path)
    assert "西湖加油站" in text
    assert world.zj.site.site_code in text.replace(" ", "")
    assert "一企一档" in text


def test_the_pdf_masks_id_numbers_and_the_export_is_in_the_trail_with_its_purpose(
        world, tmp_path):
    person, _ = identity.register_subject("张三", "330106", id_no=CLEAR_ID)
    text = text_of(export(world.users["zj_county"], person, "?purpose=enforcement"), tmp_path)
    assert person.id_no_masked in text and CLEAR_ID not in text
    entry = m.AuditEntry.objects.filter(action="subject.file_export").get()
    assert entry.subject_code == person.subject_code
    assert entry.change["purpose"] == "enforcement" and entry.change["format"] == "pdf"


def test_the_pdf_follows_the_kind_filter_and_the_viewers_scope(world, tmp_path):
    m.CreditRecord.objects.create(subject=world.zj.subject, event="warning", delta=-8,
                                  occurred_on="2026-01-05", valid_to="2028-01-05",
                                  source="manual", source_ref="ZJ-WARN-1")
    only_sites = text_of(export(world.users["zj_county"], world.zj.subject, "?kind=site"),
                         tmp_path)
    assert world.zj.site.site_code in only_sites and "ZJ-WARN-1" not in only_sites
    agency_view = text_of(export(world.zj.agency_user, world.zj.subject), tmp_path)
    assert "ZJ-WARN-1" not in agency_view


def test_another_provinces_file_is_not_exported(world):
    client = Client()
    client.force_login(world.gd.unit_user)
    assert client.get(f"/supervision/subjects/{world.zj.subject.pk}/file.pdf").status_code == 404
    assert not m.AuditEntry.objects.filter(action="subject.file_export").exists()

