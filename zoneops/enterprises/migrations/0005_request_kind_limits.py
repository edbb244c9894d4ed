from django.db import migrations

from zoneops.enterprises.enums import DEFAULT_REQUEST_LIMITS


def seed_limits(apps, schema_editor):
    RequestKindLimit = apps.get_model("enterprises", "RequestKindLimit")
    for kind, days in DEFAULT_REQUEST_LIMITS.items():
        RequestKindLimit.objects.get_or_create(kind=kind, defaults={"limit_days": days})


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0004_requests_blockers_plans")]

    operations = [migrations.RunPython(seed_limits, migrations.RunPython.noop)]
