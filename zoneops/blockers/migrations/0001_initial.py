"""Systemic blockers get an app of their own, born in the enterprises app: the blocker keeps its
table (Meta.db_table), its history moves to this app's table name with its rows, and its
content types (so its permissions, the roles holding them and the admin's log) follow it."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = ("systemicblocker", "historicalsystemicblocker")
HISTORY_TABLE = "enterprises_historicalsystemicblocker"


def move_in(apps, schema_editor):
    history = apps.get_model("blockers", "HistoricalSystemicBlocker")
    schema_editor.alter_db_table(history, HISTORY_TABLE, history._meta.db_table)
    _relabel(apps, schema_editor, source="enterprises", target="blockers")


def move_out(apps, schema_editor):
    history = apps.get_model("blockers", "HistoricalSystemicBlocker")
    schema_editor.alter_db_table(history, history._meta.db_table, HISTORY_TABLE)
    _relabel(apps, schema_editor, source="blockers", target="enterprises")


def _relabel(apps, schema_editor, *, source, target):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for model in MODELS:
        if not content_types.filter(app_label=target, model=model).exists():
            content_types.filter(app_label=source, model=model).update(app_label=target)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('enterprises', '0010_responsible_department_of_existing_enterprises'),
        ('orgs', '0003_department_receives_enterprise_requests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='HistoricalSystemicBlocker',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, db_index=True, editable=False, verbose_name='创建时间')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('title', models.CharField(max_length=200, verbose_name='共性问题')),
                ('description', models.TextField(blank=True, verbose_name='问题描述')),
                ('category', models.CharField(choices=[('bottleneck', '堵点'), ('pain_point', '痛点'), ('hard_problem', '难点')], max_length=20, verbose_name='类别')),
                ('topic', models.CharField(choices=[('land', '用地'), ('finance', '融资'), ('labour', '用工'), ('approvals', '审批手续'), ('utilities', '水电气暖'), ('logistics', '物流'), ('policy', '政策'), ('other', '其他')], max_length=20, verbose_name='领域')),
                ('opened_on', models.DateField(verbose_name='立项日期')),
                ('status', models.CharField(choices=[('open', '协调中'), ('resolved', '已解决')], default='open', editable=False, max_length=12, verbose_name='状态')),
                ('resolved_on', models.DateField(blank=True, editable=False, null=True, verbose_name='解决日期')),
                ('resolution', models.TextField(blank=True, editable=False, verbose_name='解决措施')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('department', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.department', verbose_name='牵头部门')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, error_messages={'invalid': '须为管委会工作人员，企业用户不能担任。'}, limit_choices_to={'enterprise__isnull': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='牵头人')),
                ('updated_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='修改人')),
            ],
            options={
                'verbose_name': 'historical 共性堵点',
                'verbose_name_plural': 'historical 共性堵点',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='SystemicBlocker',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='版本')),
                ('title', models.CharField(max_length=200, verbose_name='共性问题')),
                ('description', models.TextField(blank=True, verbose_name='问题描述')),
                ('category', models.CharField(choices=[('bottleneck', '堵点'), ('pain_point', '痛点'), ('hard_problem', '难点')], max_length=20, verbose_name='类别')),
                ('topic', models.CharField(choices=[('land', '用地'), ('finance', '融资'), ('labour', '用工'), ('approvals', '审批手续'), ('utilities', '水电气暖'), ('logistics', '物流'), ('policy', '政策'), ('other', '其他')], max_length=20, verbose_name='领域')),
                ('opened_on', models.DateField(verbose_name='立项日期')),
                ('status', models.CharField(choices=[('open', '协调中'), ('resolved', '已解决')], default='open', editable=False, max_length=12, verbose_name='状态')),
                ('resolved_on', models.DateField(blank=True, editable=False, null=True, verbose_name='解决日期')),
                ('resolution', models.TextField(blank=True, editable=False, verbose_name='解决措施')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='systemic_blockers', to='orgs.department', verbose_name='牵头部门')),
                ('owner', models.ForeignKey(error_messages={'invalid': '须为管委会工作人员，企业用户不能担任。'}, limit_choices_to={'enterprise__isnull': True}, on_delete=django.db.models.deletion.PROTECT, related_name='owned_blockers', to=settings.AUTH_USER_MODEL, verbose_name='牵头人')),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='修改人')),
            ],
            options={
                'verbose_name': '共性堵点',
                'verbose_name_plural': '共性堵点',
                'db_table': 'enterprises_systemicblocker',
                'ordering': ['-opened_on', '-id'],
            },
        ),
            ]),
        migrations.RunPython(move_in, move_out),
    ]
