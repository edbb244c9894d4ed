"""Back-office pages of the chain map (产业链图谱), the target list (招商目标清单) and the
one-step lead from a gap. The app holds no table: the pages are mounted by `chains.urls`
under /admin/chains/ and drawn in the admin's layout."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.chains.apps import VIEW
from zoneops.chains.excel import gaps_title, gaps_workbook
from zoneops.chains.selectors import (
    chain_gaps,
    chain_map,
    chains_summary,
    chains_visible,
    nodes_with_strength,
)
from zoneops.chains.services import ADD_PROJECT, gap_start_lead
from zoneops.common.admin_base import standalone_host
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form, add_service_error
from zoneops.common.inputs import parse_id
from zoneops.common.scope import pickable_queryset
from zoneops.industry.models import ChainNode, IndustryChain
from zoneops.orgs.models import User
from zoneops.projects.models import Project


def node_links(node_id: int) -> dict[str, str]:
    """The registers a node links to, filtered by it."""
    enterprises = reverse("admin:enterprises_enterprise_changelist")
    projects = reverse("admin:projects_project_changelist")
    return {
        "enterprises": f"{enterprises}?chain_nodes__id__exact={node_id}",
        "projects": f"{projects}?chain_node__id__exact={node_id}",
        "lead": reverse("chains:start_lead", args=[node_id]),
    }


class ChainPage(UnfoldModelAdminViewMixin, TemplateView):
    permission_required = (VIEW,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=standalone_host(), **kwargs)


class ChainIndexView(ChainPage):
    """产业链图谱: the chains with their nodes and gaps; each opens its map."""

    title = gettext_lazy("产业链图谱")
    template_name = "chains/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(summaries=chains_summary(user=self.request.user), **kwargs)


class ChainMapView(ChainPage):
    """One chain: segments as columns, nodes under their parents, each with its strength."""

    template_name = "chains/map.html"

    @property
    def title(self) -> str:  # type: ignore[override]
        return _("产业链图谱：%(chain)s") % {"chain": self.chain.name}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.chain = get_object_or_404(chains_visible(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        chain_view = chain_map(chain=self.chain, on=today)
        for cell in chain_view.cells:
            cell.links = node_links(cell.node.pk)  # type: ignore[attr-defined]
        return super().get_context_data(
            map=chain_view,
            today=today,
            may_start_lead=self.request.user.has_perm(ADD_PROJECT),
            **kwargs,
        )


def _chosen_chain(request: HttpRequest) -> IndustryChain | None:
    raw = request.GET.get("chain", "")
    if not raw:
        return None
    chain_id = parse_id(raw)
    chain = chains_visible(user=request.user).filter(pk=chain_id).first() if chain_id else None
    if chain is None:
        raise Http404(_("没有这条产业链。"))
    return chain


class GapListView(ChainPage):
    """招商目标清单: every gap of every chain (or of one), with the projects in talks on it."""

    title = gettext_lazy("招商目标清单")
    template_name = "chains/gaps.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        chain = _chosen_chain(self.request)
        rows = chain_gaps(user=self.request.user, chain=chain)
        for row in rows:
            row.links = node_links(row.node.pk)  # type: ignore[attr-defined]
        return super().get_context_data(
            rows=rows,
            chosen=chain,
            heading=gaps_title(chain),
            chains=chains_visible(user=self.request.user),
            may_start_lead=self.request.user.has_perm(ADD_PROJECT),
            **kwargs,
        )


def gaps_export(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    chain = _chosen_chain(request)
    title = gaps_title(chain)
    subtitle = _("截至 %(day)s") % {"day": timezone.localdate().isoformat()}
    rows = chain_gaps(user=request.user, chain=chain)
    return xlsx_response(gaps_workbook(rows=rows, title=title, subtitle=subtitle), f"{title}.xlsx")


class StartLeadForm(Form):
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=200)
    investor_name = forms.CharField(label=gettext_lazy("投资方"), max_length=200, required=False)
    total_investment = Project._meta.get_field("total_investment").formfield(
        label=gettext_lazy("总投资（万元）"), required=False
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("招商负责人"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = pickable_queryset(  # type: ignore[attr-defined]
            User.objects.order_by("username"), user
        )
        self.fields["owner"].initial = user.pk


class StartLeadView(UnfoldModelAdminViewMixin, FormView):
    """发起招商: a short form on a node; the project starts at the first stage on the node."""

    permission_required = (VIEW, ADD_PROJECT)
    template_name = "chains/start_lead.html"
    form_class = StartLeadForm

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=standalone_host(), **kwargs)

    @property
    def title(self) -> str:  # type: ignore[override]
        return _("补链招商：%(node)s") % {"node": self.node.name}

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        nodes = ChainNode.objects.filter(chain__in=chains_visible(user=request.user))
        found = nodes_with_strength(nodes.filter(pk=kwargs["pk"]))
        if not found:
            raise Http404
        self.node = found[0]
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(node=self.node, **kwargs)

    def form_valid(self, form: StartLeadForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            project = gap_start_lead(
                node=self.node,
                name=data["name"],
                investor_name=data.get("investor_name") or "",
                total_investment=data.get("total_investment") or Decimal(0),
                owner=data.get("owner"),
                by=self.request.user,  # type: ignore[arg-type]
            )
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已登记招商线索“%(project)s”，填补“%(node)s”。")
            % {"project": project.name, "node": self.node.name},
        )
        return HttpResponseRedirect(reverse("admin:projects_project_change", args=[project.pk]))
