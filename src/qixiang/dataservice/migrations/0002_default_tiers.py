"""The four service tiers a bureau starts with; administrators change them in the admin.

A weighted call is one station x up to 10 elements x up to 14 days (quotas.weighted_calls), so a
"latest values" query over 2,000 stations costs 2,000 calls: quotas are sized for that.
"""

from django.db import migrations

TIERS = [
    ("public", "公开 public", 10_000.0, 60),
    ("standard", "标准 standard", 100_000.0, 600),
    ("research", "科研 research", 1_000_000.0, 3_000),
    ("internal", "内部 internal", None, None),
]


def add_tiers(apps, schema_editor):
    Tier = apps.get_model("dataservice", "Tier")
    for code, name, quota, rate in TIERS:
        Tier.objects.get_or_create(code=code, defaults={
            "name": name, "daily_quota": quota, "rate_per_minute": rate})


class Migration(migrations.Migration):
    dependencies = [("dataservice", "0001_initial")]
    operations = [migrations.RunPython(add_tiers, migrations.RunPython.noop)]
