"""A stage move keeps the day the project moved on from its stage (the next move's day).

Filled for the moves already written in one UPDATE: each move's next move of the same project,
in the pipeline's order (day, then id).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def fill_left_on(apps, schema_editor):
    StageMove = apps.get_model("projects", "StageMove")
    db = schema_editor.connection.alias
    following = StageMove.objects.using(db).filter(
        Q(moved_on__gt=OuterRef("moved_on")) | Q(moved_on=OuterRef("moved_on"), id__gt=OuterRef("id")),
        project_id=OuterRef("project_id"),
    )
    StageMove.objects.using(db).update(
        left_on=Subquery(following.order_by("moved_on", "id").values("moved_on")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_key_designation_year_idx")]

    operations = [
        migrations.AddField(
            model_name="stagemove",
            name="left_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="离开本阶段日期"
            ),
        ),
        migrations.RunPython(fill_left_on, migrations.RunPython.noop),
    ]
