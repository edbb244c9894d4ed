from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The investment pipeline (招商项目阶段), in order.

    新开工 and 续建 are one stored stage, STARTED (在建): which of the two a project is follows
    from the year of its start and the year being looked at (DESIGN.md).
    """

    LEAD = "lead", _("线索")
    TALKS = "talks", _("洽谈")
    DEEP_TALKS = "deep_talks", _("深度在谈")
    SIGNED = "signed", _("签约")
    PLANNED_START = "planned_start", _("计划开工")
    STARTED = "started", _("在建")
    COMPLETED = "completed", _("竣工")
    IN_PRODUCTION = "in_production", _("投产")
    TERMINATED = "terminated", _("终止")


PIPELINE: tuple[Stage, ...] = (
    Stage.LEAD,
    Stage.TALKS,
    Stage.DEEP_TALKS,
    Stage.SIGNED,
    Stage.PLANNED_START,
    Stage.STARTED,
    Stage.COMPLETED,
    Stage.IN_PRODUCTION,
)
STAGE_ORDER = {stage: index for index, stage in enumerate(PIPELINE)}
# A project may be dropped from any stage before 竣工.
TERMINABLE = frozenset(PIPELINE[: STAGE_ORDER[Stage.COMPLETED]])


class ReportCategory(models.TextChoices):
    """The rows of the zone's yearly pipeline table (e.g. "竣工项目3个，总投资23亿元")."""

    COMPLETED = "completed", _("竣工")
    CONTINUING = "continuing", _("续建")
    NEWLY_STARTED = "newly_started", _("新开工")
    PLANNED_START = "planned_start", _("计划开工")
    DEEP_TALKS = "deep_talks", _("深度在谈")
    TALKS = "talks", _("洽谈")
    LEAD = "lead", _("线索")


class SourceChannel(models.TextChoices):
    VISIT = "visit", _("上门拜访/来电")
    EVENT = "event", _("招商活动")
    ONLINE_HALL = "online_hall", _("线上会客厅")
    REFERRAL = "referral", _("以商招商/中介推荐")
    ASSOCIATION = "association", _("商协会")
    HIGHER_LEVEL = "higher_level", _("上级推送")
    OTHER = "other", _("其他")


class KeyLevel(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    DISTRICT = "district", _("区重点")


class SummaryDimension(models.TextChoices):
    """What the pipeline table is grouped by."""

    STAGE = "stage", _("项目类别")
    INDUSTRY = "industry", _("产业")
    PARK = "park", _("落地园区")
    KEY_LEVEL = "key_level", _("重点项目级别")
    LEADER = "leader", _("包联领导")
    DEPARTMENT = "department", _("责任部门")


# Choices a model uses are named for what they are: the API publishes an enum by its class name,
# and three classes called `Status` published one another's values.
class ProblemStatus(models.TextChoices):
    ROUTED = "routed", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已解决")


class ProgressReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")


# The zone's words for what stands in a project's or an enterprise's way, first written in the
# problem list (问题清单): enterprise requests and systemic blockers classify with the same words
# (this is the lowest app that holds such records; enterprises and blockers stand above it).


class BlockerKind(models.TextChoices):
    """堵点/痛点/难点: how the zone classifies a problem or an enterprise's request."""

    BOTTLENECK = "bottleneck", _("堵点")
    PAIN_POINT = "pain_point", _("痛点")
    HARD_PROBLEM = "hard_problem", _("难点")


class BlockerTopic(models.TextChoices):
    LAND = "land", _("用地")
    FINANCE = "finance", _("融资")
    LABOUR = "labour", _("用工")
    APPROVALS = "approvals", _("审批手续")
    UTILITIES = "utilities", _("水电气暖")
    LOGISTICS = "logistics", _("物流")
    POLICY = "policy", _("政策")
    OTHER = "other", _("其他")
