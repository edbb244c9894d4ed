"""The demo zone's industry chains: the auto chain and the new-materials chain with their nodes,
the enterprises and projects the article names on their nodes, and the generated sample
records on the node their industry points to. Some nodes keep no local enterprise and no
project at 签约 or later — the gaps the article's 补链 aims at (汽车芯片, 动力电池, 航空航天材料).

Idempotent: a chain or node found by its name is kept as it is; a project already on a node
and an enterprise already on a node stay; only what is missing is added (in bulk)."""

from dataclasses import dataclass

from zoneops.common.services import record_save, records_bulk_update
from zoneops.demo.results import DemoResult
from zoneops.enterprises.models import Enterprise
from zoneops.industry.enums import Segment
from zoneops.industry.models import ChainNode, IndustryCategory, IndustryChain
from zoneops.orgs.models import Department
from zoneops.projects.models import Project

UP, MID, DOWN, SUPPORT = Segment.UPSTREAM, Segment.MIDSTREAM, Segment.DOWNSTREAM, Segment.SUPPORT
MANAGING_DEPARTMENT = "zsj"  # 招商局 keeps the chains


@dataclass(frozen=True)
class NodeSpec:
    name: str
    segment: str
    parent: str = ""
    description: str = ""


AUTO_CHAIN = "汽车产业链"
MATERIALS_CHAIN = "新材料产业链"

CHAINS: tuple[tuple[str, str, str, tuple[NodeSpec, ...]], ...] = (
    (
        AUTO_CHAIN,
        "auto",
        "以北京现代沧州工厂为龙头，“一体两翼”：整车为体，智能网联汽车和新能源汽车为两翼，"
        "关键零部件、研发检测、孵化和汽车后市场配套，物流仓储、服务贸易、汽车金融环绕。",
        (
            NodeSpec("研发检测", UP, description="汽车研发、试验和检测认证"),
            NodeSpec("孵化", UP, description="汽车科技企业孵化（沧州清华汽车科技园等）"),
            NodeSpec("关键零部件", UP, description="模块及核心零部件配套"),
            NodeSpec("动力系统", UP, "关键零部件", "发动机、变速器、电驱"),
            NodeSpec("动力电池", UP, "动力系统", "新能源汽车动力电池及电池管理"),
            NodeSpec("车身内饰", UP, "关键零部件", "座椅、内饰件、车身件"),
            NodeSpec("汽车电子", UP, "关键零部件", "车载电子、传感器"),
            NodeSpec("汽车芯片", UP, "汽车电子", "车规级芯片"),
            NodeSpec("底盘系统", UP, "关键零部件"),
            NodeSpec("整车", MID, description="整车制造"),
            NodeSpec("新能源汽车", MID, "整车"),
            NodeSpec("智能网联汽车", MID, "整车"),
            NodeSpec("汽车后市场", DOWN, description="售后配件、维修和再制造"),
            NodeSpec("售后配件", DOWN, "汽车后市场"),
            NodeSpec("汽车零部件再制造", DOWN, "汽车后市场"),
            NodeSpec("物流仓储", SUPPORT, description="整车和零部件物流、仓储分拨"),
            NodeSpec("服务贸易", SUPPORT, description="整车进出口、平行进口等服务贸易"),
            NodeSpec("汽车金融", SUPPORT, description="汽车消费信贷、融资租赁"),
        ),
    ),
    (
        MATERIALS_CHAIN,
        "new-materials",
        "金属新材料、电子信息材料和航空航天材料，以新材料产业园为载体。",
        (
            NodeSpec("金属新材料", UP, description="有色金属合金、复合材料"),
            NodeSpec("钛合金", UP, "金属新材料"),
            NodeSpec("铜合金", UP, "金属新材料", "高强高导铜合金引线框架材料"),
            NodeSpec("铝基复合材料", UP, "金属新材料"),
            NodeSpec("特种焊接材料", UP, "金属新材料", "国防军工特种焊材"),
            NodeSpec("电子信息材料", MID),
            NodeSpec("5G微波陶瓷介电材料", MID, "电子信息材料"),
            NodeSpec("氟化锂晶体", MID, "电子信息材料"),
            NodeSpec("第三代半导体材料", MID, "电子信息材料", "宽禁带化合物半导体"),
            NodeSpec("航空航天材料", DOWN, description="航空航天结构和功能材料"),
            NodeSpec("新材料检测", SUPPORT, description="新材料检测、中试和认证"),
        ),
    ),
)

# The article's enterprises and projects on their nodes: (chain, node) → names / project codes.
NAMED_ENTERPRISES: dict[tuple[str, str], tuple[str, ...]] = {
    (AUTO_CHAIN, "整车"): ("北京现代沧州工厂", "瑞荣汽车"),
    (AUTO_CHAIN, "动力系统"): ("北京现代沧州工厂",),  # 发动机20万台
    (AUTO_CHAIN, "关键零部件"): ("现代摩比斯", "海纳川", "北汽倍摩斯", "韩国株山", "龙山汽车配件"),
    (AUTO_CHAIN, "车身内饰"): ("北汽韩一", "嘉诚汽车内饰"),
    (MATERIALS_CHAIN, "铝基复合材料"): ("亚超特铝",),
    (MATERIALS_CHAIN, "铜合金"): ("国工恒昌",),
    (MATERIALS_CHAIN, "特种焊接材料"): ("联之捷",),
}
NAMED_PROJECTS: dict[tuple[str, str], tuple[str, ...]] = {
    (AUTO_CHAIN, "整车"): ("DEMO-BHCZ", "DEMO-RRCKD"),
    (AUTO_CHAIN, "关键零部件"): ("DEMO-MOBIS", "DEMO-BMS", "DEMO-HGZS", "DEMO-HNC", "DEMO-LSPJ"),
    (AUTO_CHAIN, "车身内饰"): ("DEMO-BQHY", "DEMO-JCNS"),
    (AUTO_CHAIN, "汽车后市场"): ("DEMO-MBSHF",),
    (AUTO_CHAIN, "汽车零部件再制造"): ("DEMO-BMZZ",),
    (AUTO_CHAIN, "物流仓储"): ("DEMO-JJJWL",),
    (MATERIALS_CHAIN, "5G微波陶瓷介电材料"): ("DEMO-ZXWB",),
    (MATERIALS_CHAIN, "铝基复合材料"): ("DEMO-YCTL",),
    (MATERIALS_CHAIN, "铜合金"): ("DEMO-GGHC",),
    (MATERIALS_CHAIN, "特种焊接材料"): ("DEMO-LZJ",),
    (MATERIALS_CHAIN, "钛合金"): ("DEMO-TAHJ",),
    (MATERIALS_CHAIN, "氟化锂晶体"): ("DEMO-FHLJT",),
    (MATERIALS_CHAIN, "第三代半导体材料"): ("DEMO-ZXXP",),
    (MATERIALS_CHAIN, "航空航天材料"): ("DEMO-JMHT",),  # in talks: still a gap
}
# Generated sample records by their industry (never onto the gaps the article implies).
SAMPLE_NODES: dict[str, tuple[str, str]] = {
    "auto": (AUTO_CHAIN, "关键零部件"),
    "nev": (AUTO_CHAIN, "新能源汽车"),
    "icv": (AUTO_CHAIN, "智能网联汽车"),
    "logistics": (AUTO_CHAIN, "物流仓储"),
    "new-materials": (MATERIALS_CHAIN, "金属新材料"),
}
GAPS = ((AUTO_CHAIN, "汽车芯片"), (AUTO_CHAIN, "动力电池"), (MATERIALS_CHAIN, "航空航天材料"))


def load_chains(*, result: DemoResult) -> dict[tuple[str, str], ChainNode]:
    """The chains, their nodes and who is on them; returns the nodes by (chain, node name)."""
    nodes = _load_nodes(result=result)
    _put_enterprises(nodes=nodes, result=result)
    _put_projects(nodes=nodes, result=result)
    return nodes


def _load_nodes(*, result: DemoResult) -> dict[tuple[str, str], ChainNode]:
    department = Department.objects.filter(code=MANAGING_DEPARTMENT).first()
    industries = {
        c.code: c for c in IndustryCategory.objects.filter(code__in=["auto", "new-materials"])
    }
    stored_chains = {
        c.name: c for c in IndustryChain.objects.filter(name__in=[c[0] for c in CHAINS])
    }
    nodes = {
        (node.chain.name, node.name): node
        for node in ChainNode.objects.filter(chain__name__in=stored_chains).select_related("chain")
    }
    for order, (name, industry, description, specs) in enumerate(CHAINS, start=1):
        chain = stored_chains.get(name)
        if chain is None:
            chain = IndustryChain(
                name=name,
                industry=industries.get(industry),
                description=description,
                managing_department=department,
                order=order * 10,
            )
            record_save(instance=chain, by=None)
            result.created["industry chains"] += 1
        for index, spec in enumerate(specs, start=1):
            if (name, spec.name) in nodes:
                continue
            parent = nodes.get((name, spec.parent)) if spec.parent else None
            node = ChainNode(
                chain=chain,
                segment=spec.segment if parent is None else parent.segment,
                parent=parent,
                name=spec.name,
                description=spec.description,
                order=index * 10,
            )
            record_save(instance=node, by=None)
            nodes[(name, spec.name)] = node
            result.created["chain nodes"] += 1
    return nodes


def _put_enterprises(*, nodes: dict[tuple[str, str], ChainNode], result: DemoResult) -> None:
    """The named enterprises on their nodes, the sample ones by industry: the missing links
    only, in one insert."""
    through = Enterprise.chain_nodes.through
    wanted: set[tuple[int, int]] = set()
    names = {name for group in NAMED_ENTERPRISES.values() for name in group}
    by_name = dict(Enterprise.objects.filter(name__in=names).values_list("name", "pk"))
    for key, group in NAMED_ENTERPRISES.items():
        for name in group:
            if name in by_name and key in nodes:
                wanted.add((by_name[name], nodes[key].pk))
    samples = Enterprise.objects.filter(
        is_sample=True, industry__code__in=list(SAMPLE_NODES)
    ).values_list("pk", "industry__code")
    for pk, industry in samples:
        node = nodes.get(SAMPLE_NODES[industry])
        if node is not None:
            wanted.add((pk, node.pk))
    stored = set(
        through.objects.filter(enterprise_id__in={pk for pk, _n in wanted}).values_list(
            "enterprise_id", "chainnode_id"
        )
    )
    # An enterprise somebody took off its node since is not put back by a second load.
    placed = {pk for pk, _node in stored}
    missing = [
        through(enterprise_id=pk, chainnode_id=node)
        for pk, node in sorted(wanted - stored)
        if pk not in placed
    ]
    through.objects.bulk_create(missing, ignore_conflicts=True)
    result.created["enterprises on chain nodes"] += len(missing)


def _put_projects(*, nodes: dict[tuple[str, str], ChainNode], result: DemoResult) -> None:
    """The named projects on their nodes, the sample ones by industry; a project already on a
    node stays there. One bulk update, with history rows."""
    codes = {code: key for key, group in NAMED_PROJECTS.items() for code in group}
    projects = list(Project.objects.filter(code__in=codes, chain_node__isnull=True))
    projects += list(
        Project.objects.filter(
            is_sample=True, chain_node__isnull=True, industry__code__in=list(SAMPLE_NODES)
        )
        .exclude(code__in=codes)
        .select_related("industry")
    )
    changed = []
    for project in projects:
        key = codes.get(project.code) or SAMPLE_NODES.get(
            project.industry.code if project.industry else ""
        )
        node = nodes.get(key) if key else None
        if node is not None:
            project.chain_node = node
            changed.append(project)
    if changed:
        records_bulk_update(model=Project, instances=changed, fields=["chain_node"], by=None)
    result.created["projects on chain nodes"] += len(changed)
