"""Back office of the industry catalogue and the chains: the catalogue with its GB/T 4754-2017
and 战略性新兴产业 mapping, the chains (each page shows its tree by segment, see panels.py) and
their nodes, every list in and out of Excel."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.common.admin_base import BusinessAdmin, VersionedForm
from zoneops.common.admin_excel import ExcelAdminMixin
from zoneops.industry.excel import category_register, chain_register, node_register
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain
from zoneops.industry.selectors import chains_counted, nodes_counted
from zoneops.industry.services import (
    category_delete,
    category_save,
    chain_delete,
    chain_save,
    node_delete,
    node_problem,
    node_save,
)


class ChainNodeForm(VersionedForm):
    """The tree rules said on the field at fault, before the save (the service checks again)."""

    def _post_clean(self) -> None:
        super()._post_clean()
        node = self.instance
        if node.chain_id is not None and node.segment and "parent" not in self.errors:
            problem = node_problem(node)
            if problem is not None:
                self.add_error(problem[0], problem[1])


@admin.register(IndustryCategory)
class IndustryCategoryAdmin(ExcelAdminMixin, BusinessAdmin):
    excel_register = category_register
    list_display = ["name", "code", "gb_section", "gb_codes", "sei_category", "is_lead", "order"]
    list_filter = ["gb_section", "sei_category", "is_lead"]
    search_fields = ["name", "code", "gb_codes"]
    fields = ["name", "code", "gb_section", "gb_codes", "sei_category", "is_lead", "order"]
    nav_order = 20

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        category_save(category=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        category_delete(category=obj, by=request.user)


@admin.register(IndustryChain)
class IndustryChainAdmin(ExcelAdminMixin, BusinessAdmin):
    excel_register = chain_register
    list_display = [
        "name",
        "industry",
        "managing_department",
        "show_nodes",
        "show_enterprises",
        "show_projects",
        "order",
    ]
    list_select_related = ["industry", "managing_department"]
    search_fields = ["name"]
    autocomplete_fields = ["industry", "managing_department"]
    fields = ["name", "industry", "managing_department", "description", "order"]
    nav_order = 21

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return chains_counted(super().get_queryset(request))

    @admin.display(description=pgettext_lazy("industry chain", "环节"), ordering="node_count")
    def show_nodes(self, obj: Any) -> int:
        return obj.node_count

    @admin.display(description=_("企业"), ordering="enterprise_count")
    def show_enterprises(self, obj: Any) -> int:
        return obj.enterprise_count

    @admin.display(description=_("项目"), ordering="project_count")
    def show_projects(self, obj: Any) -> int:
        return obj.project_count

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        chain_save(chain=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        chain_delete(chain=obj, by=request.user)


@admin.register(ChainNode)
class ChainNodeAdmin(ExcelAdminMixin, BusinessAdmin):
    form = ChainNodeForm
    excel_register = node_register
    list_display = [
        "name",
        "chain",
        "segment",
        "parent",
        "order",
        "show_enterprises",
        "show_projects",
    ]
    list_filter = ["chain", "segment"]
    list_select_related = ["chain", "parent__chain"]  # a parent reads as "链 · 环节"
    search_fields = ["name", "chain__name"]
    autocomplete_fields = ["parent"]
    fields = ["chain", "segment", "parent", "name", "description", "order"]
    nav_order = 22

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return nodes_counted(super().get_queryset(request))

    @admin.display(description=_("企业"), ordering="enterprise_count")
    def show_enterprises(self, obj: Any) -> int:
        return obj.enterprise_count

    @admin.display(description=_("项目"), ordering="project_count")
    def show_projects(self, obj: Any) -> int:
        return obj.project_count

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        node_save(node=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        node_delete(node=obj, by=request.user)
