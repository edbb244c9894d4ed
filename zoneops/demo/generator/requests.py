"""stub"""

from zoneops.demo.generator.base import Context


def generate(ctx: Context) -> None:
    return None
