from zoneops.industry.enums import Segment
from zoneops.industry.models import ChainNode, IndustryChain
from zoneops.industry.services import chain_save, node_save


def make_chain(name: str = "汽车产业链", *, department=None, by=None) -> IndustryChain:
    return chain_save(chain=IndustryChain(name=name, managing_department=department), by=by)


def make_node(
    chain: IndustryChain, name: str, *, segment: str = Segment.MIDSTREAM, parent=None, by=None
) -> ChainNode:
    return node_save(
        node=ChainNode(
            chain=chain,
            name=name,
            segment=parent.segment if parent is not None else segment,
            parent=parent,
        ),
        by=by,
    )
