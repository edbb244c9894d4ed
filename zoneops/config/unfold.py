"""The back office's look (django-unfold) and its sidebar, grouped by business area."""

from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

# The sidebar's business areas in order (key, title); an app joins one by `nav_group` on its
# AppConfig (see common.navigation). Areas whose apps are still to come show when they arrive.
NAV_GROUPS = (
    ("projects", _("招商项目")),
    ("enterprises", _("企业服务")),
    ("approvals", _("政务服务")),
    ("supervision", _("督查督办")),
    ("indicators", _("经济运行")),
    ("parks", _("园区与产业链")),
    ("system", _("系统管理")),
)

# Third-party apps whose registers belong to an area (their AppConfig is not ours to declare
# in): label -> (area, model name -> icon).
NAV_THIRD_PARTY = {
    "axes": (
        "system",
        {"accessattempt": "lock_person", "accessfailurelog": "gpp_bad", "accesslog": "login"},
    ),
}

UNFOLD = {
    "SITE_TITLE": _("ZoneOps 开发区运营服务平台"),
    "SITE_HEADER": _("开发区运营服务平台"),
    "SITE_SUBHEADER": _("管委会工作台"),
    "SITE_SYMBOL": "apartment",
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "sizes": "any",
            "type": "image/svg+xml",
            "href": lambda request: static("zoneops/favicon.svg"),
        },
    ],
    "SITE_URL": "/",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SHOW_LANGUAGES": True,
    "ENVIRONMENT": "zoneops.common.navigation.environment",
    "STYLES": [lambda request: static("zoneops/admin.css")],
    "COLORS": {
        "primary": {
            "50": "oklch(97.1% .013 17.38)",
            "100": "oklch(93.6% .032 17.717)",
            "200": "oklch(88.5% .062 18.334)",
            "300": "oklch(80.8% .114 19.571)",
            "400": "oklch(70.4% .191 22.216)",
            "500": "oklch(63.7% .237 25.331)",
            "600": "oklch(57.7% .245 27.325)",
            "700": "oklch(50.5% .213 27.518)",
            "800": "oklch(44.4% .177 26.899)",
            "900": "oklch(39.6% .141 25.723)",
            "950": "oklch(25.8% .092 26.042)",
        },
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "zoneops.common.navigation.sidebar",
    },
    "ACCOUNT": {
        "navigation": [
            {"title": _("修改密码"), "link": reverse_lazy("admin:password_change")},
            # Every user's own background jobs (imports, exports, briefings): the account menu,
            # as no role needs a permission for his own jobs.
            {"title": _("我的后台任务"), "link": reverse_lazy("jobs:index")},
        ],
    },
}
