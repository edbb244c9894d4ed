import pytest

from zoneops.meetings import followers


@pytest.fixture
def unfollowed(monkeypatch):
    """Meetings on its own: no other app's record follows the decisions (a supervised task
    made when the meeting is held would finish them itself; supervision tests that)."""
    monkeypatch.setattr(followers, "_followers", lambda: ())
