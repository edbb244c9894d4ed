"""REST API of the one search box: GET /api/v1/search/?q=... — the hits of every kind the
caller may read, grouped by kind, newest first, as the back office's 全局搜索 page shows them."""

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.search.kinds import search_kinds
from zoneops.search.selectors import search

router = Router(tags=["search"])


class HitOut(Schema):
    id: int
    title: str
    url: str | None = Field(description="记录在后台的页面")
    field: str = Field(description="匹配的字段")
    before: str
    match: str = Field(description="匹配的文字（其前后文为 before、after）")
    after: str


class KindOut(Schema):
    kind: str = Field(description="记录类型，如 enterprises.enterprise")
    label: str
    hits: list[HitOut]
    more: bool = Field(description="匹配的记录多于所列")
    more_url: str | None = Field(description="在该登记簿中搜索同一内容")


class SearchOut(Schema):
    q: str
    scanned: bool = Field(
        description="为 true 时，诉求、办件等记录只查了最新的若干条"
        "（数据库没有搜索索引，或一两个字的词只有标点）"
    )
    kinds: list[KindOut]


@router.get("/", response=SearchOut, summary="全局搜索")
def search_all(request, q: str = ""):  # type: ignore[no-untyped-def]
    user = request.user
    if not any(user.has_perm(kind.view_permission) for kind in search_kinds()):
        raise PermissionDeniedError()
    if not q.strip():
        raise ApplicationError(_("请输入要搜索的内容。"), field="q")
    results = search(user=user, text=q)
    return {
        "q": results.text,
        "scanned": results.scanned,
        "kinds": [
            {
                "kind": kind.key,
                "label": kind.label,
                "hits": [
                    {
                        "id": hit.pk,
                        "title": hit.title,
                        "url": hit.url,
                        "field": hit.field,
                        "before": hit.before,
                        "match": hit.match,
                        "after": hit.after,
                    }
                    for hit in kind.hits
                ],
                "more": kind.more,
                "more_url": kind.more_url,
            }
            for kind in results.kinds
        ],
    }
