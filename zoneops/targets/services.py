"""Writes of targets: one save (with its checks and history) and one delete."""

from django.db import transaction

from zoneops.common.services import record_delete, record_save
from zoneops.orgs.models import User
from zoneops.targets.models import Target


@transaction.atomic
def target_save(*, target: Target, by: User | None, expected_version: int | None = None) -> Target:
    """Add or change a target; its progress is never typed in, it follows from the records."""
    return record_save(instance=target, by=by, expected_version=expected_version)


@transaction.atomic
def target_delete(*, target: Target, by: User | None) -> None:
    record_delete(instance=target, by=by)
