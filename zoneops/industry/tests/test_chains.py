"""Industry chains: the tree rules, deleting and moving nodes, who may change a chain and who
may put an enterprise or a project on a node, the pages, the Excel registers and the API."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.importing import import_confirm, import_preview
from zoneops.common.tests.queries import page_query_counts
from zoneops.common.tests.workbooks import read_first_sheet, write_sheet
from zoneops.enterprises.excel import EnterpriseRegister
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.services.chains import enterprises_put_on_node
from zoneops.enterprises.tests.factories import make_enterprise, valid_credit_code
from zoneops.industry.enums import Segment
from zoneops.industry.excel import chain_register, node_register
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain
from zoneops.industry.selectors import chain_tree
from zoneops.industry.services import (
    category_save,
    chain_delete,
    node_delete,
    node_move,
    node_save,
)
from zoneops.industry.tests.factories import make_chain, make_node
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.projects.excel import ProjectRegister
from zoneops.projects.services.chains import project_chain_node_set
from zoneops.projects.tests.factories import make_project

BIG = 2**70


@pytest.fixture
def zone(org):
    bureau = make_user(RoleCode.STAFF, departments=[org["investment"]])
    head = make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]])
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    chain = make_chain(department=org["investment"])
    whole = make_node(chain, "整车")
    nev = make_node(chain, "新能源汽车", parent=whole)
    parts = make_node(chain, "关键零部件", segment=Segment.UPSTREAM)
    chip = make_node(chain, "汽车芯片", parent=parts)
    return {
        **org,
        "bureau": bureau,
        "head": head,
        "other": other,
        "chain": chain,
        "whole": whole,
        "nev": nev,
        "parts": parts,
        "chip": chip,
    }


# --- the tree --------------------------------------------------------------------------------


def test_a_node_cannot_be_its_own_parent_or_under_its_descendant(zone):
    whole, nev = zone["whole"], zone["nev"]
    whole.parent = whole
    with pytest.raises(ApplicationError, match="不能是环节自身") as refused:
        node_save(node=whole, by=zone["bureau"])
    assert refused.value.field == "parent"
    whole.parent = nev
    with pytest.raises(ApplicationError, match=r"是本环节的下级.*循环"):
        node_save(node=whole, by=zone["bureau"])
    whole.refresh_from_db()
    assert whole.parent is None and whole.version == 1


def test_a_parent_is_on_the_same_chain_and_segment(zone):
    other_chain = make_chain("新材料产业链", department=zone["investment"])
    stranger = make_node(other_chain, "钛合金", segment=Segment.MIDSTREAM)
    with pytest.raises(ApplicationError, match="属于另一条产业链"):
        make_node(zone["chain"], "整车配套", parent=None, segment=Segment.MIDSTREAM) and node_save(
            node=ChainNode(
                chain=zone["chain"], name="错挂", segment=Segment.MIDSTREAM, parent=stranger
            ),
            by=zone["bureau"],
        )
    with pytest.raises(ApplicationError, match="上下级须在同一环节位置"):
        node_save(
            node=ChainNode(
                chain=zone["chain"], name="错位", segment=Segment.DOWNSTREAM, parent=zone["whole"]
            ),
            by=zone["bureau"],
        )
    assert not ChainNode.objects.filter(name__in=["错挂", "错位"]).exists()


def test_a_node_moved_to_another_segment_takes_its_subtree(zone):
    node_move(node=zone["parts"], parent=None, segment=Segment.MIDSTREAM, by=zone["bureau"])
    zone["chip"].refresh_from_db()
    assert zone["chip"].segment == Segment.MIDSTREAM and zone["chip"].parent == zone["parts"]
    node_move(node=zone["chip"], parent=zone["whole"], by=zone["bureau"])
    zone["chip"].refresh_from_db()
    assert zone["chip"].parent == zone["whole"]
    assert zone["chip"].history.count() == 3  # created, moved with its parent, moved


def test_a_node_with_enterprises_or_projects_is_not_deleted(zone):
    enterprise = make_enterprise("北京现代沧州工厂", responsible_department=zone["investment"])
    enterprises_put_on_node(enterprises=[enterprise], node=zone["nev"], by=zone["bureau"])
    project = make_project("新能源整车项目", responsible_department=zone["investment"])
    project_chain_node_set(project=project, node=zone["nev"], by=zone["bureau"])
    with pytest.raises(ApplicationError, match="还有 1 家企业、1 个项目") as refused:
        node_delete(node=zone["nev"], by=zone["head"])
    assert refused.value.code == "protected"
    with pytest.raises(ApplicationError, match="还有 1 家企业、1 个项目"):
        chain_delete(chain=zone["chain"], by=zone["head"])
    with pytest.raises(ApplicationError, match="下还有 1 个下级环节"):
        node_delete(node=zone["parts"], by=zone["head"])
    assert ChainNode.objects.count() == 4
    node_delete(node=zone["chip"], by=zone["head"])
    assert not ChainNode.objects.filter(name="汽车芯片").exists()


def test_tree_by_segment_with_counts(zone):
    enterprise = make_enterprise("现代摩比斯", responsible_department=zone["investment"])
    enterprises_put_on_node(enterprises=[enterprise], node=zone["chip"], by=zone["bureau"])
    segments = {s.segment: s for s in chain_tree(chain=zone["chain"])}
    assert [s.segment for s in chain_tree(chain=zone["chain"])] == ["up", "mid", "down", "support"]
    up = [(item.node.name, item.depth, item.enterprises) for item in segments["up"].nodes]
    assert up == [("关键零部件", 0, 0), ("汽车芯片", 1, 1)]
    assert segments["down"].nodes == []


# --- scope -----------------------------------------------------------------------------------


def test_another_bureau_reads_the_chain_but_cannot_change_it(zone):
    other = zone["other"]
    with pytest.raises(PermissionDeniedError, match="可以查看但不能修改"):
        node_save(node=ChainNode(chain=zone["chain"], name="新环节", segment="up"), by=other)
    client = signed_in(other)
    assert (
        client.get(
            reverse("admin:industry_industrychain_change", args=[zone["chain"].pk])
        ).status_code
        == 200
    )
    assert client.get(f"/api/v1/industry/chains/{zone['chain'].pk}").status_code == 200
    refused = client.patch(
        f"/api/v1/industry/nodes/{zone['whole'].pk}",
        {"name": "改名", "version": 1},
        content_type="application/json",
    )
    assert refused.status_code == 403
    zone["whole"].refresh_from_db()
    assert zone["whole"].name == "整车"


def test_an_enterprise_user_sees_nothing_of_the_chains(zone):
    enterprise = make_enterprise("企业用户所在企业")
    client = signed_in(make_user(RoleCode.ENTERPRISE, enterprise=enterprise))
    assert client.get("/api/v1/industry/chains").status_code == 403
    page = client.get(reverse("admin:industry_industrychain_changelist"))
    assert page.status_code in (302, 403)


def test_putting_enterprises_on_a_node_needs_write_scope_on_each(zone):
    ours = make_enterprise("招商局企业", responsible_department=zone["investment"])
    theirs = make_enterprise("审批局企业", responsible_department=zone["approvals"])
    with pytest.raises(PermissionDeniedError, match="审批局企业不由您或您的部门负责"):
        enterprises_put_on_node(enterprises=[ours, theirs], node=zone["whole"], by=zone["bureau"])
    assert not zone["whole"].enterprises.exists()
    assert enterprises_put_on_node(enterprises=[ours], node=zone["whole"], by=zone["bureau"]) == 1
    assert enterprises_put_on_node(enterprises=[ours], node=zone["whole"], by=zone["bureau"]) == 0
    last = ours.history.latest()
    assert last.history_user == zone["bureau"]
    assert [n.chainnode_id for n in last.chain_nodes.all()] == [zone["whole"].pk]
    project = make_project("审批局项目", responsible_department=zone["approvals"])
    with pytest.raises(PermissionDeniedError):
        project_chain_node_set(project=project, node=zone["whole"], by=zone["bureau"])


# --- pages -----------------------------------------------------------------------------------


def test_the_chain_page_shows_its_tree_with_links_to_the_members(zone):
    client = signed_in(zone["bureau"])
    page = client.get(reverse("admin:industry_industrychain_change", args=[zone["chain"].pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "上游" in html and "配套服务" in html and "汽车芯片" in html
    assert f"chain_nodes__id__exact={zone['chip'].pk}" in html
    assert f"chain_node__id__exact={zone['chip'].pk}" in html
    filtered = client.get(
        reverse("admin:enterprises_enterprise_changelist")
        + f"?chain_nodes__id__exact={zone['chip'].pk}"
    )
    assert filtered.status_code == 200
    member = client.get(reverse("admin:industry_chainnode_change", args=[zone["chip"].pk]))
    assert member.status_code == 200 and "暂无本地企业" in member.content.decode()
    nodes = client.get(reverse("admin:industry_chainnode_changelist") + "?segment=up")
    assert nodes.status_code == 200 and "汽车芯片" in nodes.content.decode()
    cycle = client.post(
        reverse("admin:industry_chainnode_change", args=[zone["whole"].pk]),
        {
            "chain": zone["chain"].pk,
            "segment": "mid",
            "parent": zone["nev"].pk,
            "name": "整车",
            "order": 0,
            "edit_version": 1,
        },
    )
    assert cycle.status_code == 200 and "循环" in cycle.content.decode()


def test_enterprise_list_action_puts_the_selected_on_a_node(zone):
    ours = make_enterprise("招商局企业", responsible_department=zone["investment"])
    client = signed_in(zone["bureau"])
    url = reverse("admin:enterprises_enterprise_changelist")
    body = {"action": "put_on_chain_node", helpers.ACTION_CHECKBOX_NAME: [ours.pk]}
    form = client.post(url, body)
    assert form.status_code == 200 and "归入产业链环节" in form.content.decode()
    done = client.post(url, {**body, "apply": "1", "node": zone["nev"].pk})
    assert done.status_code == 302
    assert list(ours.chain_nodes.all()) == [zone["nev"]]
    refused = client.post(url, {**body, "apply": "1", "node": BIG})
    assert refused.status_code == 200 and list(ours.chain_nodes.all()) == [zone["nev"]]
    form = client.get(reverse("admin:enterprises_enterprise_change", args=[ours.pk]))
    assert 'name="chain_nodes"' in form.content.decode()


# --- Excel -----------------------------------------------------------------------------------


def test_chains_export_and_import_back_and_another_bureau_changes_none(zone):
    user = zone["bureau"]
    data = chain_register.export(IndustryChain.objects.all(), user=user)
    rows = read_first_sheet(data)
    header = rows[0]
    assert header[:5] == ["产业链名称", "所属产业", "牵头部门", "简介", "排序"]
    assert rows[1][:3] == ["汽车产业链", "", "招商局"]
    assert import_preview(register=chain_register, data=data, user=user).counts["unchanged"] == 1
    changed = list(rows[1])
    changed[3] = "一体两翼：整车带动智能网联与新能源"
    added = ["新材料产业链", "", "", "航空航天、电子信息材料", 2, ""]
    bad = ["氢能产业链", "", "无此部门", "", 3, ""]
    plan = import_preview(
        register=chain_register,
        data=write_sheet("产业链", header, [changed, added, bad]),
        user=user,
    )
    assert [(e.row, e.column) for e in plan.errors] == [(4, "牵头部门")], plan.errors
    assert not IndustryChain.objects.filter(name="新材料产业链").exists()  # a preview writes none
    done = import_confirm(
        register=chain_register,
        data=write_sheet("产业链", header, [changed, added]),
        user=user,
    )
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    zone["chain"].refresh_from_db()
    assert zone["chain"].description.startswith("一体两翼")
    # A new chain without a leading department is led by the importer's own department.
    assert IndustryChain.objects.get(name="新材料产业链").managing_department == zone["investment"]
    changed[3] = "改写"
    refused = import_confirm(
        register=chain_register,
        data=write_sheet("产业链", header, [changed]),
        user=zone["other"],
    )
    assert refused.errors and "可以查看但不能修改" in refused.errors[0].message
    zone["chain"].refresh_from_db()
    assert zone["chain"].description.startswith("一体两翼")


def test_nodes_export_and_import_back_parents_first_bad_rows_named(zone):
    user = zone["bureau"]
    data = node_register.export(ChainNode.objects.all(), user=user)
    rows = read_first_sheet(data)
    header = rows[0]
    assert header[:4] == ["产业链", "环节位置", "上级环节", "环节名称"]
    assert import_preview(register=node_register, data=data, user=user).counts["unchanged"] == 4
    chip = next(row for row in rows[1:] if row[3] == "汽车芯片")
    moved = list(chip)
    moved[2] = "车规电子"  # a parent that a later row of the file adds
    added = ["汽车产业链", "上游", "关键零部件", "车规电子", "", 5]
    good = [moved, added]
    bad = [
        ["无此链", "上游", "", "环节甲", "", 1],
        ["汽车产业链", "下游", "整车", "售后", "", 1],
        ["汽车产业链", "上游", "不存在", "环节乙", "", 1],
    ]
    plan = import_preview(
        register=node_register,
        data=write_sheet("产业链环节", header, good + bad),
        user=user,
    )
    assert sorted((e.row, e.column) for e in plan.errors) == [
        (4, "产业链"),
        (5, "上级环节"),
        (6, "上级环节"),
    ], plan.errors
    done = import_confirm(
        register=node_register, data=write_sheet("产业链环节", header, good), user=user
    )
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    zone["chip"].refresh_from_db()
    assert zone["chip"].parent.name == "车规电子" and zone["chip"].parent.parent == zone["parts"]
    refused = import_preview(register=node_register, data=data, user=zone["other"])
    assert any("不由您的部门维护" in e.message for e in refused.errors)


def test_enterprise_register_carries_the_chain_nodes_and_imports_them_back(zone):
    user = zone["bureau"]
    enterprise = make_enterprise("招商局企业", responsible_department=zone["investment"])
    enterprises_put_on_node(enterprises=[enterprise], node=zone["whole"], by=user)
    register = EnterpriseRegister()
    data = register.export(Enterprise.objects.all(), user=user)
    rows = read_first_sheet(data)
    header = rows[0]
    column = header.index("产业链环节")
    assert rows[1][column] == "汽车产业链/整车"
    assert import_preview(register=register, data=data, user=user).counts["unchanged"] == 1
    changed = list(rows[1])
    changed[column] = "汽车产业链/整车；汽车芯片"
    done = import_confirm(
        register=register, data=write_sheet("企业名录", header, [changed]), user=user
    )
    assert done.errors == [] and done.written["updated"] == 1
    assert set(enterprise.chain_nodes.all()) == {zone["whole"], zone["chip"]}
    # A new enterprise with a code and no 产业 goes to the category of its longest code.
    category_save(
        category=IndustryCategory(code="parts", name="汽车零部件", gb_section="C", gb_codes="C367"),
        by=None,
    )
    new = [""] * len(header)
    new[header.index("统一社会信用代码")] = valid_credit_code()
    new[header.index("企业名称")] = "新登记零部件企业"
    new[header.index("国民经济行业代码")] = "c3670"
    new[header.index("服务责任部门")] = "招商局"
    new[column] = "整车"
    done = import_confirm(register=register, data=write_sheet("企业名录", header, [new]), user=user)
    assert done.errors == [], done.errors
    created = Enterprise.objects.get(name="新登记零部件企业")
    assert created.industry.code == "parts" and list(created.chain_nodes.all()) == [zone["whole"]]
    changed[column] = "汽车产业链/不存在的环节"
    bad = import_preview(
        register=register, data=write_sheet("企业名录", header, [changed]), user=user
    )
    assert [(e.row, e.column) for e in bad.errors] == [(2, "产业链环节")]
    assert "找不到产业链环节“汽车产业链/不存在的环节”" in bad.errors[0].message


def test_project_register_names_the_node_as_chain_and_name(zone):
    user = zone["bureau"]
    project = make_project("新能源整车项目", responsible_department=zone["investment"])
    project_chain_node_set(project=project, node=zone["nev"], by=user)
    register = ProjectRegister()
    from zoneops.projects.models import Project

    data = register.export(Project.objects.all(), user=user)
    rows = read_first_sheet(data)
    column = rows[0].index("产业链环节")
    assert rows[1][column] == "汽车产业链/新能源汽车"
    assert import_preview(register=register, data=data, user=user).counts["unchanged"] == 1
    changed = list(rows[1])
    changed[column] = "汽车产业链/不存在"
    bad = import_preview(
        register=register, data=write_sheet("招商项目", rows[0], [changed]), user=user
    )
    assert [(e.row, e.column) for e in bad.errors] == [(2, "产业链环节")]


# --- API -------------------------------------------------------------------------------------


def test_api_chain_tree_nodes_and_mapping(zone):
    client = signed_in(zone["bureau"])
    chains = client.get("/api/v1/industry/chains").json()["items"]
    assert chains[0]["node_count"] == 4
    detail = client.get(f"/api/v1/industry/chains/{zone['chain'].pk}").json()
    up = next(s for s in detail["segments"] if s["segment"] == "up")
    assert [(n["name"], n["depth"]) for n in up["nodes"]] == [("关键零部件", 0), ("汽车芯片", 1)]
    made = client.post(
        "/api/v1/industry/nodes",
        {"chain_id": zone["chain"].pk, "segment": "support", "name": "汽车金融"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    largest = {"chain_id": zone["chain"].pk, "segment": "support", "name": "服务贸易"}
    too_far = client.post(
        "/api/v1/industry/nodes", {**largest, "order": 2**31}, content_type="application/json"
    )
    assert too_far.status_code == 422
    kept = client.post(
        "/api/v1/industry/nodes", {**largest, "order": 2**31 - 1}, content_type="application/json"
    )
    assert kept.status_code == 201 and kept.json()["order"] == 2**31 - 1
    blank = client.patch(
        f"/api/v1/industry/nodes/{kept.json()['id']}",
        {"name": "", "version": 1},
        content_type="application/json",
    )
    assert blank.status_code == 422
    cycle = client.post(
        f"/api/v1/industry/nodes/{zone['whole'].pk}/move",
        {"parent_id": zone["nev"].pk, "version": 1},
        content_type="application/json",
    )
    assert cycle.status_code == 400 and cycle.json()["errors"][0]["field"] == "parent_id"
    assert client.get(f"/api/v1/industry/nodes/{BIG}").status_code in (404, 422)
    assert client.get(f"/api/v1/industry/chains/{BIG}").status_code in (404, 422)
    missing = client.post(
        "/api/v1/industry/nodes",
        {"chain_id": BIG, "segment": "up", "name": "x"},
        content_type="application/json",
    )
    assert missing.status_code in (400, 422)
    nul = client.post(
        "/api/v1/industry/nodes",
        {"chain_id": zone["chain"].pk, "segment": "up", "name": "坏\x00名"},
        content_type="application/json",
    )
    assert nul.status_code in (400, 422)
    assert client.post(
        "/api/v1/industry/nodes", "", content_type="application/json"
    ).status_code in (400, 422)
    ours = make_enterprise("招商局企业", responsible_department=zone["investment"])
    added = client.post(
        "/api/v1/enterprises/chain-node/add",
        {"node_id": zone["chip"].pk, "enterprise_ids": [ours.pk]},
        content_type="application/json",
    )
    assert added.status_code == 200 and added.json()["changed"] == 1
    listed = client.get("/api/v1/enterprises/", {"chain_node_id": zone["chip"].pk}).json()
    assert [e["chain_node_ids"] for e in listed["items"]] == [[zone["chip"].pk]]
    patched = client.patch(
        f"/api/v1/enterprises/{ours.pk}",
        {"chain_node_ids": [], "version": ours.version},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["chain_node_ids"] == []
    refused = signed_in(zone["other"]).post(
        "/api/v1/enterprises/chain-node/add",
        {"node_id": zone["chip"].pk, "enterprise_ids": [ours.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 403
    project = make_project("招商局项目", responsible_department=zone["investment"])
    url = f"/api/v1/projects/{project.pk}"
    json = "application/json"
    unknown = client.patch(url, {"chain_node_id": 999_999, "version": 1}, content_type=json)
    assert unknown.status_code == 400
    too_big = client.patch(url, {"chain_node_id": BIG, "version": 1}, content_type=json)
    assert too_big.status_code == 422
    put = client.patch(url, {"chain_node_id": zone["nev"].pk, "version": 1}, content_type=json)
    assert put.status_code == 200 and put.json()["chain_node_id"] == zone["nev"].pk
    deleted = signed_in(zone["head"]).delete(f"/api/v1/industry/nodes/{made.json()['id']}")
    assert deleted.status_code == 204
    assert IndustryChain.objects.count() == 1


def test_the_chain_page_and_list_read_in_the_same_number_of_queries_however_large(zone):
    client = signed_in(zone["bureau"])
    urls = [
        reverse("admin:industry_industrychain_change", args=[zone["chain"].pk]),
        reverse("admin:industry_industrychain_changelist"),
        reverse("admin:industry_chainnode_changelist"),
    ]
    page_query_counts(client, urls)  # the session, the permissions and the sidebar are cached

    few = page_query_counts(client, urls)
    for index in range(5):
        node = make_node(zone["chain"], f"新环节{index}", parent=zone["parts"])
        make_node(zone["chain"], f"新下级{index}", parent=node)
        make_enterprise(f"链上企业{index}").chain_nodes.add(node)
        make_project(f"链上项目{index}", chain_node=node)
    make_chain("新材料产业链", department=zone["investment"])
    assert page_query_counts(client, urls) == few
