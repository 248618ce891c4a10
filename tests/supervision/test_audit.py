"""The audit trail: append-only, hash-chained, and any tampering is found by `qixiang audit verify`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from qixiang.supervision import audit
from qixiang.supervision import models as m

pytestmark = pytest.mark.django_db


def three_entries() -> list[m.AuditEntry]:
    return [audit.record("test.step", change={"n": n, "text": "隐患", "when": None})
            for n in range(3)]


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_entry_links_to_the_one_before():
    first, second, third = three_entries()
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert audit.verify().ok and audit.verify().checked == 3


def test_saving_a_supervision_record_adds_an_entry_with_its_columns(world):
    site = world.zj.site
    entry = m.AuditEntry.objects.filter(object_type="supervision.Site",
                                        object_id=str(site.pk)).get()
    assert entry.action == "create" and entry.change["name"] == site.name
    assert entry.subject_code == world.zj.subject.subject_code


def test_the_orm_refuses_to_change_or_delete_an_entry():
    entry = three_entries()[0]
    entry.action = "forged"
    with pytest.raises(m.AppendOnly):
        entry.save()
    with pytest.raises(m.AppendOnly):
        m.AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(m.AppendOnly):
        m.AuditEntry.objects.all().delete()


def test_a_row_changed_with_raw_sql_is_found(capsys):
    entries = three_entries()
    call_command("audit", "verify")
    assert "3" in capsys.readouterr().out
    raw("UPDATE supervision_auditentry SET change = %s WHERE seq = %s",
        ['{"n": 99, "text": "隐患", "when": null}', entries[1].seq])
    verdict = audit.verify()
    assert (verdict.bad_seq, verdict.checked) == (entries[1].seq, 1)
    with pytest.raises(CommandError, match=f"entry {entries[1].seq}"):
        call_command("audit", "verify")


def test_a_row_rehashed_after_tampering_breaks_the_next_link():
    first, second, third = three_entries()
    change = {"n": 99, "text": "隐患", "when": None}
    forged = audit.entry_hash(second.prev_hash, {**audit.payload_of(second), "change": change})
    raw("UPDATE supervision_auditentry SET change = %s, hash = %s WHERE seq = %s",
        [audit.canonical(change), forged, second.seq])
    assert audit.verify().bad_seq == third.seq


def test_a_deleted_row_or_a_cut_tail_is_found():
    first, second, third = three_entries()
    raw("DELETE FROM supervision_auditentry WHERE seq = %s", [third.seq])
    assert audit.verify().bad_seq == third.seq
    raw("DELETE FROM supervision_auditentry WHERE seq = %s", [first.seq])
    assert audit.verify().bad_seq == first.seq


def test_a_changed_actor_or_time_is_found():
    entries = three_entries()
    raw("UPDATE supervision_auditentry SET actor = %s WHERE seq = %s", ["someone", entries[0].seq])
    assert audit.verify().bad_seq == entries[0].seq
