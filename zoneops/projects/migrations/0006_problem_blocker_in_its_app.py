"""Problems point at the blocker in its own app: the same table, so only the state moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blockers', '0001_initial'),
        ('projects', '0005_staff_only_people'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='historicalproblem',
            name='blocker',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='blockers.systemicblocker', verbose_name='共性堵点'),
        ),
        migrations.AlterField(
            model_name='problem',
            name='blocker',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='problems', to='blockers.systemicblocker', verbose_name='共性堵点'),
        ),
            ]),
    ]
