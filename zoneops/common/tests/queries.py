"""How many SQL queries a page takes: for tests that a page's count does not grow with rows."""

from collections.abc import Sequence

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def page_query_counts(client: Client, urls: Sequence[str]) -> list[int]:
    """The number of queries each URL took, in order; each must answer 200.

    Ask once before the count you compare with: the first request caches the session, the
    permissions and the sidebar.
    """
    found = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        found.append(len(queries))
    return found
