"""Problems grouped in a systemic blocker (zoneops.blockers): which they are, and how they are
resolved with it — declared in ProjectsConfig.blocker_members."""

from datetime import date
from typing import Any

from zoneops.common.exceptions import naming
from zoneops.orgs.models import User
from zoneops.projects.models import Problem
from zoneops.projects.models.problems import ProblemQuerySet
from zoneops.projects.services.problems import problem_resolve


def blocker_problems(*, blocker: Any) -> ProblemQuerySet:
    return Problem.objects.filter(blocker=blocker)


def blocker_problems_resolve(
    *, members: ProblemQuerySet, answer: str, by: User | None, on: date
) -> None:
    """Resolve every grouped open problem with the blocker's resolution."""
    for problem in members.open().order_by("pk"):
        with naming(problem):
            problem_resolve(problem=problem, resolution=answer, by=by, on=on)
