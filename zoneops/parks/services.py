"""Writes of the parks and carriers: a park saved under the rule of who manages it."""

from django.db import transaction
from django.utils.translation import gettext as _

from zoneops.common.exceptions import PermissionDeniedError
from zoneops.common.scope import scope_for
from zoneops.common.services import acting_user, record_save
from zoneops.orgs.models import User
from zoneops.parks.models import Park


@transaction.atomic
def park_save(*, park: Park, by: User | None, expected_version: int | None = None) -> Park:
    """Save a new or edited park. Its managing department keeps it (and the figures of the
    enterprises in it), so who manages an existing park is decided zone-wide."""
    actor = acting_user(by)
    if actor is not None and park.pk is not None and not scope_for(actor).everything:
        stored = (
            Park._base_manager.filter(pk=park.pk)
            .values_list("managing_department_id", flat=True)
            .first()
        )
        if stored != park.managing_department_id:
            raise PermissionDeniedError(
                _("园区的管理部门只能由主要领导或系统管理员变更。"), field="managing_department"
            )
    return record_save(instance=park, by=by, expected_version=expected_version)
