"""The database connection's own options (config.settings)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_compiles_no_query_just_in_time():
    # The pages' mid-size queries paid 14-73 ms of JIT compilation for no faster execution.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's option")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
