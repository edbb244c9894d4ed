"""Policies: written in the department's name, reviewed by another colleague, published,
withdrawn; each step by whoever holds its permission."""

from datetime import date

import pytest
from django.urls import reverse

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.orgs.tests.factories import signed_in
from zoneops.portal.enums import PolicyStatus
from zoneops.portal.models import Policy
from zoneops.portal.services import policy_publish, policy_review, policy_save, policy_withdraw


def draft(hall, **changes):
    fields = {
        "title": "人才公寓申请办法",
        "body": "符合条件的企业人才可申请。",
        "department": hall["investment"],
        "valid_from": date(2026, 6, 1),
    }
    fields.update(changes)
    return policy_save(policy=Policy(**fields), by=hall["writer"])


def test_a_policy_goes_from_draft_through_review_to_published(db, hall):
    policy = draft(hall)
    assert policy.status == PolicyStatus.DRAFT
    policy_review(policy=policy, by=hall["head"])
    assert policy.status == PolicyStatus.REVIEWED and policy.reviewed_by == hall["head"]
    policy_publish(policy=policy, by=hall["head"])
    assert policy.status == PolicyStatus.PUBLISHED and policy.published_at is not None
    policy_withdraw(policy=policy, by=hall["head"])
    assert policy.status == PolicyStatus.WITHDRAWN


def test_the_writer_does_not_review_his_own_policy(db, hall):
    policy = draft(hall)
    hall["writer"].user_permissions.add(*_perms("review_policy"))
    writer = type(hall["writer"]).objects.get(pk=hall["writer"].pk)
    with pytest.raises(PermissionDeniedError, match="起草或修改人以外"):
        policy_review(policy=policy, by=writer)


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)


def test_staff_may_neither_review_nor_publish(db, hall):
    policy = draft(hall)
    with pytest.raises(PermissionDeniedError):
        policy_review(policy=policy, by=hall["busy"])
    policy_review(policy=policy, by=hall["head"])
    with pytest.raises(PermissionDeniedError):
        policy_publish(policy=policy, by=hall["busy"])


def test_steps_out_of_order_are_refused(db, hall):
    policy = draft(hall)
    with pytest.raises(ApplicationError, match="只有已审核的政策可以发布"):
        policy_publish(policy=policy, by=hall["head"])
    with pytest.raises(ApplicationError, match="只有已发布的政策可以撤回"):
        policy_withdraw(policy=policy, by=hall["head"])


def test_an_edit_sends_a_reviewed_policy_back_to_draft_and_a_published_one_is_kept(db, hall):
    policy = draft(hall)
    policy_review(policy=policy, by=hall["head"])
    policy.body = "修改后的正文。"
    policy_save(policy=policy, by=hall["writer"])
    assert policy.status == PolicyStatus.DRAFT and policy.reviewed_by is None
    published = hall["policy"]
    published.title = "改名"
    with pytest.raises(ApplicationError, match="请先撤回"):
        policy_save(policy=published, by=hall["writer"])


def test_a_policy_is_written_in_ones_own_department_only(db, hall):
    with pytest.raises(PermissionDeniedError) as refused:
        draft(hall, department=hall["approvals"])
    assert refused.value.field == "department"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"body": ""}, "body"),
        ({"title": "政策\x00"}, "title"),
        ({"valid_to": date(2026, 1, 1)}, "valid_to"),
    ],
)
def test_a_bad_policy_is_refused_at_its_field(db, hall, changes, field):
    from django.core.exceptions import ValidationError

    with pytest.raises((ApplicationError, ValidationError)) as refused:
        draft(hall, **changes)
    error = refused.value
    named = error.field if isinstance(error, ApplicationError) else next(iter(error.message_dict))
    assert named == field


def test_the_back_office_reviews_and_publishes_on_a_confirmed_post(db, hall):
    policy = draft(hall)
    head = signed_in(hall["head"])
    assert head.get(reverse("admin:portal_policy_change", args=[policy.pk])).status_code == 200
    review = reverse("admin:portal_policy_review", args=[policy.pk])
    assert "审核通过" in head.get(review).content.decode()
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT  # a GET only asks
    head.post(review, {"edit_version": policy.version})
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.REVIEWED
    publish = reverse("admin:portal_policy_publish", args=[policy.pk])
    head.post(publish, {"edit_version": policy.version})
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
    stale = head.post(
        reverse("admin:portal_policy_withdraw", args=[policy.pk]),
        {"edit_version": policy.version - 1},
    )
    assert stale.status_code == 200  # refused on the form: someone saved it since
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
    staff = signed_in(hall["busy"])
    assert staff.get(reverse("admin:portal_policy_changelist")).status_code == 200
    staff.post(
        reverse("admin:portal_policy_withdraw", args=[policy.pk]),
        {"edit_version": policy.version},
    )
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
