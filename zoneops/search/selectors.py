"""The search box's read: what the user may see of each declared kind, matching every word.

A query is split at spaces into terms; a record matches when its declared fields hold every
term (each within one field). Terms of three characters or more are found by the kind's trigram
index (`index`), and the shorter ones then filter the rows it found. When every term is one or
two characters long, the kind's gram index (its characters and pairs of characters) finds
them, in the whole register. Only without an index (an old SQLite), or for a short term of
punctuation alone, a bounded scan matches the terms with LIKE over the newest `SCAN_ROWS` rows
of the kind, newest first, stopping at the page's count. The ids come from the index as a
subquery of the scoped queryset (`visible_to`), so each kind costs one query whatever it finds.
"""

import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any
from urllib.parse import urlencode

from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import parse_id, text_error
from zoneops.common.scope import scope_queryset
from zoneops.search.index import gram_condition, index_match, indexed_tables
from zoneops.search.kinds import SearchKind, search_kinds

MAX_LENGTH = 100  # characters: longer than any name one types, far below a pasted page
MAX_TERMS = 5
MIN_INDEXED = 3  # a trigram index finds terms of this many characters and more
PER_KIND = 20
# Without an index (or for short terms of punctuation alone) the terms are matched by scanning
# the newest rows of a kind only, bounded on the large zone (500,000 cases); a register declared
# `scan_whole` (enterprises, projects: found by two-character short names) is scanned whole.
SCAN_ROWS = 20_000
# The index gives the newest CANDIDATES ids of each kind that match; the user's scope is applied
# to those. A zone-wide user sees exactly the newest matches; one with a narrow scope may miss a
# match older than that many others (the "more" link searches the whole register).
CANDIDATES = 2_000
SNIPPET = 24  # characters shown each side of the match


@dataclass(frozen=True)
class Hit:
    pk: int
    title: str
    url: str | None  # its record page in the back office
    field: str  # the field that matched, in words
    before: str  # the matching text: before, match, after (the page marks the match)
    match: str
    after: str


@dataclass(frozen=True)
class KindHits:
    key: str
    label: str
    hits: list[Hit]
    more: bool  # more records match than shown
    more_url: str | None  # the kind's register, searched for the same text


@dataclass(frozen=True)
class SearchResults:
    text: str
    terms: list[str] = field(default_factory=list)
    kinds: list[KindHits] = field(default_factory=list)
    # The kinds (their names) matched by the bounded scan of their newest rows only.
    scanned_kinds: list[str] = field(default_factory=list)

    @property
    def scanned(self) -> bool:
        return bool(self.scanned_kinds)

    @property
    def count(self) -> int:
        return sum(len(kind.hits) for kind in self.kinds)


def search_terms(text: str) -> list[str]:
    """The words of a query, or ApplicationError (field q) saying what is wrong with it.
    An empty or blank query has no words."""
    if len(text) > MAX_LENGTH:
        raise ApplicationError(
            _("搜索内容过长：最多 %(limit)s 个字，请只输入名称、编号或其中一段。")
            % {"limit": MAX_LENGTH},
            field="q",
        )
    error = text_error(text)
    if error and text.strip():
        raise ApplicationError(_("搜索内容%(error)s") % {"error": error}, field="q")
    terms = list(dict.fromkeys(text.split()))
    if len(terms) > MAX_TERMS:
        raise ApplicationError(
            _("搜索词过多：最多 %(limit)s 个，用空格分开。") % {"limit": MAX_TERMS}, field="q"
        )
    return terms


def search(*, user: Any, text: str, per_kind: int = PER_KIND) -> SearchResults:
    """The records of every declared kind the user may read that hold every word of `text`,
    newest first, `per_kind` of each at most. Raises ApplicationError for a bad query."""
    terms = search_terms(text)
    if not terms:
        return SearchResults(text=text)
    kinds = [kind for kind in search_kinds() if user.has_perm(kind.view_permission)]
    if not kinds:
        return SearchResults(text=text, terms=terms)
    indexed = indexed_tables()
    number = parse_id(terms[0]) if len(terms) == 1 else None
    found, scanned = [], []
    for kind in kinds:
        condition, bounded = _condition(
            kind,
            terms,
            indexed=kind.table in indexed,
            number=number if kind.by_number else None,
        )
        if bounded:
            scanned.append(str(kind.label))
        rows = list(
            scope_queryset(kind.model._default_manager.all(), user, inline_small_sets=True)
            .filter(condition)
            .select_related(*kind.related)
            .order_by("-pk")[: per_kind + 1]
        )
        if rows:
            found.append(_kind_hits(kind, rows[:per_kind], terms, text, more=len(rows) > per_kind))
    return SearchResults(text=text, terms=terms, kinds=found, scanned_kinds=scanned)


def _condition(
    kind: SearchKind, terms: list[str], *, indexed: bool, number: int | None
) -> tuple[Q, bool]:
    """What a row of `kind` must hold (or be the record `number`), and whether it is the
    bounded scan."""
    long_terms = [term for term in terms if len(term) >= MIN_INDEXED]
    short_terms = [term for term in terms if len(term) < MIN_INDEXED]
    # A register searched whole (scan_whole: enterprises, projects) takes every row the grams
    # find, so a narrow scope still finds its old records; the others the newest CANDIDATES.
    by_grams = (
        gram_condition(kind, short_terms, limit=0 if kind.scan_whole else CANDIDATES)
        if indexed and not long_terms
        else None
    )
    condition = Q()
    if indexed and long_terms:
        sql, params = index_match(kind, long_terms, limit=CANDIDATES)
        if number is not None:
            # The record of that number joins the ids found, in the one subquery: beside it as
            # an OR, PostgreSQL would walk the whole table to test each row against both.
            sql = f"SELECT * FROM ({sql}) AS found UNION ALL SELECT %s"  # nosec B608 # noqa: S608  no input in it
            params, number = [*params, number], None
        condition &= Q(pk__in=RawSQL(sql, params))  # nosec B611 # noqa: S611  names from the models, input bound
        scan_terms, bounded = short_terms, False
    elif by_grams is not None:
        sql, params, exact = by_grams
        condition &= Q(RawSQL(sql, params, output_field=BooleanField()))  # nosec B611 # noqa: S611  names from the models, input bound
        # Not exact (SQLite): each term matched on the rows found. Exact (PostgreSQL): a LIKE
        # beside it would only mislead the planner's count of the rows.
        scan_terms, bounded = ([] if exact else short_terms), False
    else:
        scan_terms, bounded = terms, True
    for term in scan_terms:
        condition &= reduce(
            operator.or_, (Q(**{f"{name}__icontains": term}) for name in kind.fields)
        )
    if bounded and kind.scan_whole:
        bounded = False
    if bounded:
        # No index narrows the rows: read the newest SCAN_ROWS only (a range on the key).
        pk = kind.pk_column
        newest = RawSQL(  # nosec B611 # noqa: S611  names from the model, the number bound
            f"SELECT COALESCE(MAX({pk}), 0) - %s FROM {kind.table}",  # nosec B608 # noqa: S608  names from the model
            [SCAN_ROWS],
        )
        condition &= Q(pk__gt=newest)
    if number is not None:
        condition |= Q(pk=number)
    return condition, bounded


def _kind_hits(
    kind: SearchKind, rows: list[Any], terms: list[str], text: str, *, more: bool
) -> KindHits:
    meta = kind.model._meta
    more_url = None
    if more:
        try:
            changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        except NoReverseMatch:
            pass
        else:
            more_url = f"{changelist}?{urlencode({'q': text})}"
    return KindHits(
        key=kind.key,
        label=str(kind.label),
        hits=[_hit(kind, row, terms) for row in rows],
        more=more,
        more_url=more_url,
    )


def _hit(kind: SearchKind, row: Any, terms: list[str]) -> Hit:
    meta = kind.model._meta
    try:
        url: str | None = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
    except NoReverseMatch:
        url = None
    for name in kind.fields:
        value = getattr(row, name) or ""
        for line in str(value).splitlines():
            folded = line.casefold()
            for term in terms:
                at = folded.find(term.casefold())
                if at >= 0:
                    end = at + len(term)
                    return Hit(
                        pk=row.pk,
                        title=str(row),
                        url=url,
                        field=str(kind.field_label(name)),
                        before=("…" if at > SNIPPET else "") + line[max(0, at - SNIPPET) : at],
                        match=line[at:end],
                        after=line[end : end + SNIPPET]
                        + ("…" if len(line) > end + SNIPPET else ""),
                    )
    # Found by its number.
    return Hit(
        pk=row.pk, title=str(row), url=url, field=_("编号"), before="", match=str(row.pk), after=""
    )
