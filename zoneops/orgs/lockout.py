"""The lockout after failed logins: django-axes's database handler with a second limit.

Axes counts failures per user name at an address (AXES_LOCKOUT_PARAMETERS) against one limit
(AXES_FAILURE_LIMIT): someone at one address may then try that many passwords for every user
name. Here an address is also stopped once its failures over all user names reach
ZONEOPS_LOGIN_ADDRESS_FAILURE_LIMIT, a higher limit (an office shares one address) counted over
the same cool-off. Failures are never counted per user name alone, so nobody can lock a
colleague out of his account from another address.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        """The user name's failures at the address; the lock itself once the address is over
        its own limit (axes compares this number with AXES_FAILURE_LIMIT)."""
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if (
            failures < limit
            and address_failures(request) >= settings.ZONEOPS_LOGIN_ADDRESS_FAILURE_LIMIT
        ):
            return limit
        return failures


def address_failures(request: Any) -> int:
    """Failed logins from the request's address, over every user name, within the cool-off."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
