"""PostgreSQL's trigram extension, for the search indexes (`search.index`). The test database
is created from template1, which does not have it: this migration does. SQLite needs nothing."""

from django.db import migrations


def create_pg_trgm(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = []  # type: ignore[var-annotated]

    operations = [migrations.RunPython(create_pg_trgm, migrations.RunPython.noop, elidable=False)]
