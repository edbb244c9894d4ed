"""Who may fill a role in the committee's records: a field naming a person who does the
committee's work (a project's officer or liaison leader, a host, an owner) takes staff only."""

from django.utils.translation import gettext_lazy as _

# `limit_choices_to` of such a field: pickers offer, and model validation accepts, no
# enterprise user.
STAFF_ONLY = {"enterprise__isnull": True}
STAFF_ONLY_MESSAGES = {"invalid": _("须为管委会工作人员，企业用户不能担任。")}
