from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Every staff role reads the chains (industry's registers): the map and the gap list follow.
VIEW = "industry.view_industrychain"


class ChainsConfig(AppConfig):
    """产业链图谱: the chains drawn with the strength of each node from the register and the
    pipeline, the gaps (缺链) as the attraction target list, and a lead started from a gap. It
    holds no table of its own: it reads industry, enterprises and projects."""

    name = "zoneops.chains"
    label = "chains"
    verbose_name = _("产业链图谱")
    nav_group = "parks"
    # (title, url name, icon, permission, order)
    nav_pages = [
        (_("产业链图谱"), "chains:index", "account_tree", VIEW, 20),
        (_("招商目标清单"), "chains:gaps", "crisis_alert", VIEW, 21),
    ]
