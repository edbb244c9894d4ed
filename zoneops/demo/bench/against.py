"""`zoneops bench import --against django-import-export`: the same workbook imported by
django-import-export in its documented tuned mode, to compare with on the same machine.

The tuned mode is the one its documentation recommends for large imports
(https://django-import-export.readthedocs.io/en/latest/bulk_import.html): `use_bulk` with
`batch_size` 1000, `skip_diff` (no copy of each instance, no HTML diff), `CachedInstanceLoader`
(one query for every key of the file), and foreign keys looked up in a cache filled with one
query per column (a `ForeignKeyWidget` whose queryset is read once). It is timed with and
without `clean_model_instances` (full_clean on every row). It writes the Project rows only: no
history, no stage move, no placement — less than ZoneOps writes for the same rows. Everything
it writes is rolled back.

django-import-export is not a dependency of the product: it is in the `bench` dependency group
(`uv run --group bench zoneops bench import --against django-import-export`) and is never
added to INSTALLED_APPS.
"""

import io
import time
from collections.abc import Callable
from typing import Any

from django.db import models, transaction

PACKAGE = "django-import-export"


def available() -> bool:
    try:
        import import_export  # noqa: F401
        import tablib  # noqa: F401
    except ImportError:
        return False
    return True


def missing_message() -> str:
    return (
        f"没有安装 {PACKAGE}（基准测试专用，不是产品的依赖）：请用 "
        f"`uv run --group bench zoneops bench import --against {PACKAGE}` 运行。"
    )


def project_resource(*, full_clean: bool) -> Any:
    """A ModelResource for the bench workbook's Project columns, in the tuned mode."""
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from zoneops.industry.models import IndustryCategory
    from zoneops.orgs.models import Department
    from zoneops.parks.models import Park
    from zoneops.projects.enums import SourceChannel, Stage
    from zoneops.projects.models import Project

    class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
        """A foreign key by name, the related rows read once for the whole file."""

        def __init__(self, model: type[models.Model], field: str = "name") -> None:
            super().__init__(model, field=field)
            self._cache: dict[Any, Any] | None = None

        def get_instance_by_lookup_fields(self, value: Any, row: Any, **kwargs: Any) -> Any:
            if self._cache is None:
                self._cache = {getattr(o, self.field): o for o in self.get_queryset(value, row)}
            return self._cache[value]

    class ChoiceWidget(widgets.Widget):
        """A choice by its label, as the template writes it."""

        def __init__(self, choices: type[models.Choices]) -> None:
            super().__init__()
            self.values = {str(label): value for value, label in choices.choices}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            return self.values.get(value, value)

    def field(header: str, attribute: str, widget: Any = None) -> Any:
        return fields.Field(column_name=header, attribute=attribute, widget=widget)

    decimal: Callable[[], Any] = widgets.DecimalWidget

    class ProjectResource(resources.ModelResource):
        code = field("项目编号", "code")
        name = field("项目名称", "name")
        investor_name = field("投资方", "investor_name")
        source_channel = field("项目来源", "source_channel", ChoiceWidget(SourceChannel))
        industry = field("产业", "industry", CachedForeignKeyWidget(IndustryCategory))
        park = field("落地园区", "park", CachedForeignKeyWidget(Park))
        total_investment = field("总投资（万元）", "total_investment", decimal())
        fixed_asset_investment = field("固定资产投资（万元）", "fixed_asset_investment", decimal())
        land_mu = field("用地（亩）", "land_mu", decimal())
        responsible_department = field(
            "责任部门", "responsible_department", CachedForeignKeyWidget(Department)
        )
        contacts = field("联系人", "contacts")
        description = field("建设内容", "description")
        stage = field("阶段", "stage", ChoiceWidget(Stage))

        class Meta:
            model = Project
            fields = (
                "code",
                "name",
                "investor_name",
                "source_channel",
                "industry",
                "park",
                "total_investment",
                "fixed_asset_investment",
                "land_mu",
                "responsible_department",
                "contacts",
                "description",
                "stage",
            )
            import_id_fields = ("code",)
            instance_loader_class = CachedInstanceLoader
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_html_diff = True
            skip_unchanged = False
            report_skipped = False
            clean_model_instances = full_clean
            use_transactions = True

    return ProjectResource()


def time_import(data: bytes, *, full_clean: bool) -> tuple[float, int, int]:
    """(seconds, rows written, rows with errors) of django-import-export reading the workbook
    (tablib, as its admin does) and importing it; rolled back."""
    import tablib

    started = time.perf_counter()
    dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
    resource = project_resource(full_clean=full_clean)
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=False, raise_errors=False)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    errors = len(result.invalid_rows) + sum(len(row.errors) for row in result.rows)
    errors += len(result.base_errors)
    return seconds, result.totals.get("new", 0), errors
