"""Enterprises registered before each had a responsible department (服务责任部门) are given the
zone's request desk (the one active department that receives enterprise requests, e.g. 企业服务局),
so that after an upgrade its head may still arrange their liaison; with no such department, or
several, they stay unassigned for an administrator to hand over."""

from django.db import migrations


def to_the_desk(apps, schema_editor):
    Department = apps.get_model("orgs", "Department")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    desks = list(
        Department.objects.filter(receives_enterprise_requests=True, is_active=True).values_list(
            "pk", flat=True
        )[:2]
    )
    if len(desks) == 1:
        Enterprise.objects.filter(responsible_department__isnull=True).update(
            responsible_department_id=desks[0]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0009_figure_employees_bound"),
        ("orgs", "0003_department_receives_enterprise_requests"),
    ]

    operations = [migrations.RunPython(to_the_desk, migrations.RunPython.noop)]
