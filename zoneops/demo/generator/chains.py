"""The demo's industry chains on the generated zone, by the demo loader's own function: the
chains and their nodes, and the generated enterprises and projects put on the nodes of their
industries, so that the chain map and the target list are measured on a full zone."""

from zoneops.demo.chains import load_chains
from zoneops.demo.generator.base import Context
from zoneops.demo.results import DemoResult


def generate(ctx: Context) -> None:
    result = DemoResult(password=ctx.shared["password"])
    load_chains(result=result)
    for label, count in result.created.items():
        ctx.counts[label] += count
