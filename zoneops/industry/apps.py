from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustryConfig(AppConfig):
    name = "zoneops.industry"
    label = "industry"
    verbose_name = _("产业")
    nav_group = "parks"
    nav_icons = {
        "industrycategory": "category",
        "industrychain": "account_tree",
        "chainnode": "device_hub",
    }
    # The chain's page shows its nodes as a tree by segment; a node's page who is on it.
    record_panels = {
        "industry.industrychain": ("zoneops.industry.panels.chain_nodes_tree",),
        "industry.chainnode": ("zoneops.industry.panels.node_members",),
    }
