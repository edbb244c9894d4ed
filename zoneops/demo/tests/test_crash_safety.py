"""`zoneops demo` killed (SIGKILL) in the middle of loading the zone leaves the database as it
was before, and the next run loads again from the start (zoneops.common.tests.crashes)."""

import pytest

from zoneops.common.tests.crashes import (
    changed_tables,
    database_for_child,
    run_child,
    run_killed,
    tables,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.date_free]

DEMO = """
pause_after("zoneops.demo.loader", "{after}")
from django.core.management import call_command
call_command("demo", "--no-serve", "--no-input")
"""


def test_a_demo_load_killed_halfway_leaves_nothing_and_loads_again(tmp_path):
    with database_for_child(tmp_path) as env:
        # What `zoneops demo` writes before the load (the migration's seeds) is in place.
        run_child(env, "from django.core.management import call_command\ncall_command('migrate')")
        before = tables(env)

        # Killed with the departments and the parks written, the accounts not yet.
        run_killed(env, DEMO.format(after="load_parks"))

        assert changed_tables(before, tables(env)) == {}
        # Loaded again, the zone gets past where the first run died (the departments, parks,
        # enterprises, accounts and industries are created, none twice), and killed again,
        # leaves nothing either.
        output = run_killed(env, DEMO.format(after="load_industries"))
        assert "Traceback" not in output, output
        assert changed_tables(before, tables(env)) == {}
