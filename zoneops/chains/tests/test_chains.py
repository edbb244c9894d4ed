"""The chain map: the gap rule, each node's strength, the pages, the target list and its
workbook, a lead started from a gap, and the API."""

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zoneops.chains.selectors import chain_gaps, chain_map
from zoneops.chains.services import gap_start_lead
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.enterprises.services.register import enterprise_figure_save
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.industry.enums import Segment
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project
from zoneops.projects.tests.factories import make_project
from zoneops.pytest_clock import frozen_on

TODAY = date(2026, 3, 2)


_frozen = frozen_on(TODAY)


def _node(chain, name, segment, parent=None, order=0):
    return ChainNode.objects.create(
        chain=chain, name=name, segment=segment, parent=parent, order=order
    )


@pytest.fixture
def world(org):
    auto = IndustryCategory.objects.create(name="汽车", code="auto", gb_section="C")
    chain = IndustryChain.objects.create(
        name="汽车产业链", industry=auto, managing_department=org["investment"]
    )
    parts = _node(chain, "关键零部件", Segment.UPSTREAM, order=1)
    battery = _node(chain, "动力电池", Segment.UPSTREAM, parent=parts, order=2)
    vehicle = _node(chain, "整车", Segment.MIDSTREAM, order=3)
    aftermarket = _node(chain, "汽车后市场", Segment.DOWNSTREAM, order=4)
    finance = _node(chain, "汽车金融", Segment.SUPPORT, order=5)
    maker = make_enterprise("长安汽车（示例）", is_above_scale_industry=True)
    dealer = make_enterprise("汽车销售（示例）")
    maker.chain_nodes.add(vehicle)
    dealer.chain_nodes.add(vehicle)
    # 2025 is the latest complete year on 2026-03-02: its own report, else December's 1-12月.
    enterprise_figure_save(
        enterprise=maker, year=2025, month=None, values={"revenue": Decimal(120000)}, by=None
    )
    enterprise_figure_save(
        enterprise=dealer, year=2025, month=12, values={"revenue": Decimal("3000.5")}, by=None
    )
    enterprise_figure_save(
        enterprise=maker, year=2026, month=1, values={"revenue": Decimal(9999)}, by=None
    )
    lead = (Stage.LEAD, date(2025, 3, 1))
    make_project("电池洽谈", chain_node=battery, moves=[lead, (Stage.TALKS, date(2025, 5, 1))])
    make_project(
        "后市场签约", chain_node=aftermarket, moves=[lead, (Stage.SIGNED, date(2025, 6, 1))]
    )
    make_project(
        "金融终止",
        chain_node=finance,
        moves=[lead, (Stage.SIGNED, date(2025, 6, 1)), (Stage.TERMINATED, date(2025, 9, 1))],
    )
    staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    inspector = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    company = make_user(RoleCode.ENTERPRISE, enterprise=maker)
    return SimpleNamespace(
        chain=chain,
        parts=parts,
        battery=battery,
        vehicle=vehicle,
        aftermarket=aftermarket,
        finance=finance,
        staff=staff,
        other=other,
        inspector=inspector,
        company=company,
        **org,
    )


def _cells(world):
    return {cell.node.name: cell for cell in chain_map(chain=world.chain, on=TODAY).cells}


# --- the gap rule and the strength -----------------------------------------------------------


def test_a_node_with_an_enterprise_is_no_gap(world):
    assert _cells(world)["整车"].is_gap is False


def test_a_node_with_only_talks_is_a_gap_with_its_talks(world):
    battery = _cells(world)["动力电池"]
    assert battery.is_gap is True and battery.talks == 1 and battery.talks_only
    assert [(s.stage, s.count) for s in battery.stages] == [(Stage.TALKS, 1)]


def test_a_signed_project_fills_the_node(world):
    aftermarket = _cells(world)["汽车后市场"]
    assert aftermarket.is_gap is False and aftermarket.landed == 1 and aftermarket.level == 1


def test_a_terminated_project_counts_for_nothing(world):
    finance = _cells(world)["汽车金融"]
    assert finance.is_gap is True and finance.talks == 0 and finance.landed == 0
    assert finance.stages == []


def test_a_node_with_nothing_is_a_gap(world):
    assert _cells(world)["关键零部件"].is_gap is True


def test_strength_counts_enterprises_above_scale_and_last_years_revenue(world):
    vehicle = _cells(world)["整车"]
    assert (vehicle.enterprises, vehicle.above_scale) == (2, 1)
    # 2025's report of one, December's cumulative of the other; January 2026 does not count.
    assert vehicle.revenue == Decimal("123000.50")
    assert vehicle.level == 2


def test_revenue_is_the_latest_year_whose_figures_are_in(world):
    # On 2027-03-02 the register holds no 2026 year figures yet: the map shows 2025's, and
    # says so, rather than an empty 2026.
    view = chain_map(chain=world.chain, on=date(2027, 3, 2))
    assert view.year == 2025
    vehicle = {cell.node.name: cell for cell in view.cells}["整车"]
    assert vehicle.revenue == Decimal("123000.50")


def test_segments_are_columns_and_children_sit_under_their_parent(world):
    view = chain_map(chain=world.chain, on=TODAY)
    assert [c.segment for c in view.columns] == ["up", "mid", "down", "support"]
    upstream = [(cell.node.name, cell.depth) for cell in view.columns[0].cells]
    assert upstream == [("关键零部件", 0), ("动力电池", 1)]
    assert view.gaps == 3 and view.nodes == 5


def test_the_map_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for index in range(15):
        node = _node(world.chain, f"新环节{index}", Segment.MIDSTREAM, parent=world.vehicle)
        make_project(f"项目{index}", chain_node=node)
    # The nodes, their enterprises by node, their projects by node and stage, the year, revenue.
    with django_assert_max_num_queries(5):
        view = chain_map(chain=world.chain, on=TODAY)
        assert view.nodes == 20


def test_the_gap_list_holds_every_gap_in_chain_order(world):
    rows = chain_gaps(user=world.staff)
    assert [(r.node.name, r.segment_label, r.parent_name, r.talks) for r in rows] == [
        ("关键零部件", "上游", "", 0),
        ("动力电池", "上游", "关键零部件", 1),
        ("汽车金融", "配套服务", "", 0),
    ]


def test_the_gap_list_names_only_the_talks_a_user_may_see(world):
    seen = {r.node.name: r for r in chain_gaps(user=world.inspector)}
    assert [p.name for p in seen["动力电池"].talks_projects] == ["电池洽谈"]
    hidden = {r.node.name: r for r in chain_gaps(user=world.other)}
    # The count is the zone's; the names follow the user's scope.
    assert hidden["动力电池"].talks == 1 and hidden["动力电池"].talks_projects == []


# --- the pages -------------------------------------------------------------------------------


def test_the_map_page_shows_the_gap_and_prints(world):
    page = signed_in(world.other).get(reverse("chains:map", args=[world.chain.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    battery = html.split(f'id="node-{world.battery.pk}"')[1].split('id="node-')[0]
    assert "cm-gap" in html.split(f'id="node-{world.battery.pk}"')[0][-200:]
    assert "缺链" in battery and "在谈 1" in battery
    vehicle = html.split(f'id="node-{world.vehicle.pk}"')[1].split('id="node-')[0]
    assert "缺链" not in vehicle and "企业 2 家（规上 1）" in vehicle and "12.3亿元" in vehicle
    assert f"chain_nodes__id__exact={world.vehicle.pk}" in vehicle
    assert "@page { size: A4 landscape" in html and "@media print" in html
    # The inspector may not add projects: no button for him.
    inspected = signed_in(world.inspector).get(reverse("chains:map", args=[world.chain.pk]))
    assert "cm-gap" in inspected.content.decode()
    assert "发起招商" not in inspected.content.decode()


def test_the_button_shows_to_who_may_add_projects(world):
    html = signed_in(world.staff).get(reverse("chains:map", args=[world.chain.pk])).content
    assert reverse("chains:start_lead", args=[world.battery.pk]) in html.decode()
    assert reverse("chains:start_lead", args=[world.vehicle.pk]) not in html.decode()


def test_a_node_links_to_its_filtered_registers(world):
    client = signed_in(world.inspector)
    enterprises = client.get(
        reverse("admin:enterprises_enterprise_changelist")
        + f"?chain_nodes__id__exact={world.vehicle.pk}"
    )
    assert enterprises.status_code == 200
    body = enterprises.content.decode()
    assert "长安汽车（示例）" in body and "汽车销售（示例）" in body
    projects = client.get(
        reverse("admin:projects_project_changelist") + f"?chain_node__id__exact={world.battery.pk}"
    )
    assert projects.status_code == 200
    assert "电池洽谈" in projects.content.decode()
    assert "后市场签约" not in projects.content.decode()


def test_the_index_and_gap_pages(world):
    client = signed_in(world.other)
    index = client.get(reverse("chains:index")).content.decode()
    assert "汽车产业链" in index and reverse("chains:map", args=[world.chain.pk]) in index
    gaps = client.get(reverse("chains:gaps"), {"chain": world.chain.pk})
    assert gaps.status_code == 200
    table = gaps.content.decode().split('id="gap-list"')[1]
    assert "关键零部件" in table and "动力电池" in table and "整车" not in table


@pytest.mark.parametrize("value", ["99999999999999999999999", "0", "abc", "-1"])
def test_unknown_chains_are_not_found(world, value):
    client = signed_in(world.staff)
    assert client.get(reverse("chains:gaps"), {"chain": value}).status_code == 404
    assert client.get(f"/admin/chains/{value}/").status_code == 404


def test_the_enterprise_user_sees_none_of_it(world):
    client = signed_in(world.company)
    for url in (
        reverse("chains:index"),
        reverse("chains:map", args=[world.chain.pk]),
        reverse("chains:gaps"),
        reverse("chains:gaps_export"),
        reverse("chains:start_lead", args=[world.battery.pk]),
    ):
        assert client.get(url).status_code in (302, 403), url
    assert client.get("/api/v1/chains/").status_code in (401, 403)
    assert client.get(f"/api/v1/chains/{world.chain.pk}/map").status_code in (401, 403)


def test_the_target_list_exports_a_real_workbook(world):
    response = signed_in(world.other).get(reverse("chains:gaps_export"))
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert rows[0][0] == "招商目标清单（产业链缺链环节）"
    header = next(row for row in rows if row and row[0] == "产业链")
    assert header == ["产业链", "环节位置", "上级环节", "缺链环节", "在谈项目数", "在谈项目"]
    body = rows[rows.index(header) + 1 :]
    assert [row[3] for row in body] == ["关键零部件", "动力电池", "汽车金融"]
    battery = body[1]
    # Talks are counted zone-wide; their names only for who may read them.
    assert battery[2] == "关键零部件" and battery[4] == 1 and battery[5] == ""


# --- a gap starts a lead -----------------------------------------------------------------------


def test_a_gap_starts_a_lead_on_its_node(world):
    project = gap_start_lead(
        node=world.parts,
        name="某零部件项目",
        investor_name="某集团",
        total_investment=Decimal(50000),
        by=world.staff,
    )
    assert project.stage == Stage.LEAD and project.chain_node == world.parts
    assert project.owner == world.staff and project.industry == world.chain.industry
    assert project.stage_moves.count() == 1
    parts = _cells(world)["关键零部件"]
    assert parts.is_gap is True and parts.talks == 1


def test_who_may_not_add_projects_starts_no_lead(world):
    with pytest.raises(PermissionDeniedError):
        gap_start_lead(node=world.parts, name="某项目", by=world.inspector)
    assert not Project.objects.filter(name="某项目").exists()


@pytest.mark.parametrize(
    ("name", "field"), [("", "name"), ("   ", "name"), ("项目\x00", "name"), ("a\nb", "name")]
)
def test_a_bad_name_starts_no_lead(world, name, field):
    with pytest.raises(ApplicationError) as caught:
        gap_start_lead(node=world.parts, name=name, by=world.staff)
    assert caught.value.field == field
    assert Project.objects.count() == 3


def test_the_form_starts_the_lead_and_the_project_shows_its_node(world):
    client = signed_in(world.staff)
    url = reverse("chains:start_lead", args=[world.parts.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "零部件招商", "investor_name": "某集团", "total_investment": "30000"}
    )
    project = Project.objects.get(name="零部件招商")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:projects_project_change", args=[project.pk])
    page = client.get(response["Location"]).content.decode()
    assert "汽车产业链 · 关键零部件" in page
    html = client.get(reverse("chains:map", args=[world.chain.pk])).content.decode()
    parts = html.split(f'id="node-{world.parts.pk}"')[1].split('id="node-')[0]
    assert "缺链" in parts and "在谈 1" in parts


@pytest.mark.parametrize(
    "data",
    [
        {"name": ""},
        {"name": "项目\x00"},
        {"name": "项目", "total_investment": "10000001"},
        {"name": "项目", "total_investment": "1e40"},
        {"name": "项目", "total_investment": "-1"},
        {"name": "项目", "owner": "99999999999999999999999"},
        {"name": "x" * 201},
    ],
)
def test_the_form_refuses_bad_input_and_creates_nothing(world, data):
    client = signed_in(world.staff)
    response = client.post(reverse("chains:start_lead", args=[world.parts.pk]), data)
    assert response.status_code == 200
    assert 'class="text-red-600' in response.content.decode() or "bg-red-50" in (
        response.content.decode()
    )
    assert Project.objects.count() == 3


def test_the_form_is_refused_without_the_add_permission(world):
    response = signed_in(world.inspector).post(
        reverse("chains:start_lead", args=[world.parts.pk]), {"name": "某项目"}
    )
    assert response.status_code == 403
    assert Project.objects.count() == 3


def test_the_form_of_an_unknown_node_is_not_found(world):
    client = signed_in(world.staff)
    assert client.get("/admin/chains/nodes/99999999999999999999999/lead/").status_code == 404
    assert client.get("/admin/chains/nodes/987654/lead/").status_code == 404


# --- API -------------------------------------------------------------------------------------


def test_api_map_lists_nodes_with_strength_and_gap(world):
    client = signed_in(world.other)
    chains = client.get("/api/v1/chains/").json()
    assert chains == [{"id": world.chain.pk, "name": "汽车产业链", "nodes": 5, "gaps": 3}]
    data = client.get(f"/api/v1/chains/{world.chain.pk}/map").json()
    nodes = {node["name"]: node for node in data["nodes"]}
    assert data["year"] == 2025 and data["gaps"] == 3
    assert nodes["整车"]["is_gap"] is False and nodes["整车"]["enterprises"] == 2
    assert Decimal(str(nodes["整车"]["revenue"])) == Decimal("123000.5")
    assert nodes["动力电池"]["is_gap"] is True and nodes["动力电池"]["talks"] == 1
    assert nodes["动力电池"]["projects_by_stage"] == [
        {"stage": "talks", "label": "洽谈", "count": 1}
    ]
    gaps = client.get("/api/v1/chains/gaps", {"chain": world.chain.pk}).json()
    assert [gap["node"] for gap in gaps] == ["关键零部件", "动力电池", "汽车金融"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/chains/99999999999999999999999/map", 422),
        ("/api/v1/chains/987654/map", 404),
        ("/api/v1/chains/gaps?chain=99999999999999999999999", 422),
        ("/api/v1/chains/gaps?chain=987654", 404),
    ],
)
def test_api_unknown_chains(world, url, status):
    assert signed_in(world.staff).get(url).status_code == status


def test_api_export_is_a_workbook(world):
    response = signed_in(world.staff).get("/api/v1/chains/gaps/export")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    assert any(row and row[3] == "动力电池" for row in rows.to_python())


def test_api_starts_a_lead(world):
    client = signed_in(world.staff)
    response = client.post(
        f"/api/v1/chains/nodes/{world.finance.pk}/lead",
        {"name": "金融招商", "total_investment": 2000},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["chain_node_id"] == world.finance.pk and body["stage"] == "lead"
    assert body["owner_id"] == world.staff.pk


@pytest.mark.parametrize(
    ("url_node", "payload", "status"),
    [
        (None, {"name": ""}, 422),
        (None, {"name": "项目\x00"}, 422),
        (None, {"name": "项目", "total_investment": 10000001}, 422),
        (None, {"name": "项目", "owner_id": 99999999999999999999999}, 422),
        (None, {"name": "项目", "owner_id": 987654}, 400),
        ("99999999999999999999999", {"name": "项目"}, 422),
        ("987654", {"name": "项目"}, 404),
    ],
)
def test_api_refuses_bad_leads(world, url_node, payload, status):
    node = url_node or world.parts.pk
    response = signed_in(world.staff).post(
        f"/api/v1/chains/nodes/{node}/lead", payload, content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert Project.objects.count() == 3


def test_api_refuses_a_lead_without_the_permission(world):
    response = signed_in(world.inspector).post(
        f"/api/v1/chains/nodes/{world.parts.pk}/lead",
        {"name": "某项目"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Project.objects.count() == 3


def test_the_gap_list_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for index in range(12):
        node = _node(world.chain, f"缺口{index}", Segment.UPSTREAM, parent=world.parts)
        make_project(f"在谈{index}", chain_node=node, by=world.staff)
    chain_gaps(user=world.staff)  # the user's scope is worked out once, then kept
    # The nodes, their enterprises by node, their projects by node and stage, the talks.
    with django_assert_max_num_queries(4):
        rows = chain_gaps(user=world.staff)
        names = [project.name for row in rows for project in row.talks_projects]
    assert len(rows) == 15 and "在谈11" in names


def test_each_kind_of_relation_is_counted_as_a_join_would_count_it(world):
    """related_count reads a one-step relation from the related rows (or their links) and a
    longer path through a join: the counts are the same as walking the records."""
    from django.db.models import Q

    from zoneops.common.selectors import related_count
    from zoneops.projects.models import CommandHQ

    nodes = ChainNode.objects.annotate(
        enterprises_n=related_count(ChainNode, "enterprises"),
        above_n=related_count(
            ChainNode, "enterprises", condition=Q(enterprises__is_above_scale_industry=True)
        ),
        signed_n=related_count(
            ChainNode,
            "projects",
            condition=Q(projects__stage=Stage.SIGNED) | ~Q(projects__stage__in=[Stage.LEAD]),
        ),
    )
    for node in nodes:
        projects = list(node.projects.all())
        assert node.enterprises_n == node.enterprises.count()
        assert node.above_n == node.enterprises.filter(is_above_scale_industry=True).count()
        assert node.signed_n == sum(project.stage != Stage.LEAD for project in projects)
    assert any(node.enterprises_n for node in nodes) and any(node.signed_n for node in nodes)

    chains = IndustryChain.objects.annotate(n=related_count(IndustryChain, "nodes__enterprises"))
    for chain in chains:
        reached = {e.pk for node in chain.nodes.all() for e in node.enterprises.all()}
        assert chain.n == len(reached)

    hq = CommandHQ.objects.create(name="测试指挥部", commander=world.staff)
    hq.members.add(world.staff)
    hq.projects.add(*Project.objects.all()[:2])
    counted = CommandHQ.objects.annotate(
        members_n=related_count(CommandHQ, "members"),
        projects_n=related_count(CommandHQ, "projects"),
    ).get(pk=hq.pk)
    assert (counted.members_n, counted.projects_n) == (1, min(2, Project.objects.count()))
