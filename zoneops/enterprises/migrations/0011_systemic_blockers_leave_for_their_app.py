"""Systemic blockers leave the enterprises app for their own (zoneops.blockers, which keeps the
table): requests point at it there, and the model leaves this app's state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blockers', '0001_initial'),
        ('enterprises', '0010_responsible_department_of_existing_enterprises'),
        ('projects', '0006_problem_blocker_in_its_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.RemoveField(
            model_name='systemicblocker',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='systemicblocker',
            name='department',
        ),
        migrations.RemoveField(
            model_name='systemicblocker',
            name='owner',
        ),
        migrations.RemoveField(
            model_name='systemicblocker',
            name='updated_by',
        ),
        migrations.AlterField(
            model_name='enterpriserequest',
            name='blocker',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='requests', to='blockers.systemicblocker', verbose_name='共性堵点'),
        ),
        migrations.AlterField(
            model_name='historicalenterpriserequest',
            name='blocker',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='blockers.systemicblocker', verbose_name='共性堵点'),
        ),
        migrations.DeleteModel(
            name='HistoricalSystemicBlocker',
        ),
        migrations.DeleteModel(
            name='SystemicBlocker',
        ),
            ]),
    ]
