"""The online investment hall (线上会客厅): public pages, no login.

Each page reads the portal's selectors and renders plain templates (no JavaScript); the inquiry
form posts to `inquiry`, which guards against floods (per address and per contact, a honeypot
field, a question after repeated posts) and hands the fields to `inquiry_submit`, whose
refusals are shown at the field they name.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from zoneops.chains.selectors import chains_opportunities
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import add_service_error
from zoneops.common.inputs import parse_id
from zoneops.portal.forms import HONEYPOT, BookingForm, InquiryForm, StatusForm
from zoneops.portal.models import Inquiry
from zoneops.portal.selectors import (
    hall_industries,
    hall_news,
    hall_parks,
    hall_profile,
    inquiry_public_status,
    policies_public,
    policy_public,
    slots_open,
)
from zoneops.portal.services import (
    booking_request,
    hall_challenge_needed,
    hall_challenge_new,
    hall_lookup,
    hall_post_guard,
    hall_post_record,
    inquiry_submit,
)

TEMPLATES = "portal/"
SENT_KEY = "portal_inquiry_sent"
HOME_POLICIES = 4
HOME_NEWS = 6


def _page(request: HttpRequest, template: str, section: str, **context: Any) -> HttpResponse:
    status = context.pop("status", 200)
    context.setdefault("canonical", request.build_absolute_uri(request.path))
    return render(request, TEMPLATES + template, {"section": section, **context}, status=status)


def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    chains = chains_opportunities()
    return _page(
        request,
        "home.html",
        "home",
        today=today,
        profile=hall_profile(today=today, chains=chains),
        chains=chains,
        policies=list(policies_public(today=today)[:HOME_POLICIES]),
        news=hall_news(today=today, limit=HOME_NEWS),
    )


def industries(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "industries.html",
        "industries",
        industries=list(hall_industries()),
        chains=chains_opportunities(),
    )


def parks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return _page(request, "parks.html", "parks", today=today, parks=hall_parks(today=today))


def policies(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return _page(
        request, "policies.html", "policies", today=today, policies=policies_public(today=today)
    )


def policy(request: HttpRequest, pk: str) -> HttpResponse:
    today = timezone.localdate()
    number = parse_id(pk)
    found = policy_public(pk=number, today=today) if number is not None else None
    if found is None:
        raise Http404(_("该政策不存在或已失效。"))
    return _page(request, "policy.html", "policies", today=today, policy=found)


def news(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return _page(request, "news.html", "news", today=today, news=hall_news(today=today))


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # nosec B104 # noqa: S104 (an address, not a bind)


@require_http_methods(["GET", "HEAD", "POST"])
def inquiry(request: HttpRequest) -> HttpResponse:
    """发送咨询: the form; a post that passes every guard becomes a lead."""
    address, now = _address(request), timezone.now()
    challenge_needed = hall_challenge_needed(address=address, at=now)
    slots = slots_open(at=now)
    if request.method != "POST":
        return _inquiry_page(request, InquiryForm(slots=slots), challenge_needed=challenge_needed)
    form = InquiryForm(request.POST, slots=slots)
    mobile = str(request.POST.get("mobile", ""))
    status = 400
    accepted = None
    try:
        hall_post_guard(
            address=address,
            mobile=mobile,
            honeypot=str(request.POST.get(HONEYPOT, "")),
            token=str(request.POST.get("challenge_token", "")),
            answer=str(request.POST.get("challenge", "")),
            at=now,
        )
        if form.is_valid():
            data = form.cleaned_data
            accepted = inquiry_submit(
                company=data["company"],
                contact_name=data["contact_name"],
                mobile=data["mobile"],
                industry=data["industry"],
                planned_investment=data["planned_investment"],
                needs=data["needs"],
                message=data["message"],
                slot=data["slot"],
                at=now,
            )
    except ApplicationError as error:
        add_service_error(form, error)
        if error.code == "throttled":
            status = 429
    hall_post_record(
        address=address,
        mobile=mobile,
        accepted=accepted is not None,
        at=now,
    )
    if accepted is not None:
        request.session[SENT_KEY] = accepted.reference
        return HttpResponseRedirect(reverse("portal:inquiry_sent"))
    needed = challenge_needed or hall_challenge_needed(address=address, at=now)
    return _inquiry_page(request, form, challenge_needed=needed, status=status)


def _inquiry_page(
    request: HttpRequest, form: InquiryForm, *, challenge_needed: bool, status: int = 200
) -> HttpResponse:
    challenge = hall_challenge_new() if challenge_needed else None
    if challenge is not None:
        # A fresh question each time the form is shown; the answer typed before is cleared.
        form.data = form.data.copy() if form.is_bound else form.data
        if form.is_bound:
            form.data["challenge"] = ""
            form.data["challenge_token"] = challenge.token
        else:
            form.initial["challenge_token"] = challenge.token
    return _page(
        request,
        "inquiry.html",
        "inquiry",
        form=form,
        challenge=challenge,
        status=status,
    )


def inquiry_sent(request: HttpRequest) -> HttpResponse:
    """The confirmation: the reference number, once, to the browser that sent the inquiry."""
    reference = request.session.get(SENT_KEY)
    if not reference:
        return HttpResponseRedirect(reverse("portal:inquiry"))
    return _page(request, "inquiry_sent.html", "inquiry", reference=reference)


# --- 进度查询: the status of an inquiry by its reference and the mobile's last four digits --------

STATUS_KEY = "portal_status_inquiry"  # the inquiry this browser looked up, and when
STATUS_SECONDS = 30 * 60  # how long a look-up stays open in the browser


def _looked_up(request: HttpRequest) -> Inquiry | None:
    """The inquiry this browser looked up in the last half hour, if any."""
    held = request.session.get(STATUS_KEY)
    if not isinstance(held, list) or len(held) != 2:
        return None
    pk, at = held
    if not isinstance(at, int | float) or timezone.now().timestamp() - at > STATUS_SECONDS:
        request.session.pop(STATUS_KEY, None)
        return None
    return Inquiry.objects.filter(pk=pk).first()


@require_http_methods(["GET", "HEAD", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """进度查询: a post of the reference and the last four digits that `hall_lookup` accepts
    opens the inquiry's status in this browser (for half an hour); a wrong pair, a locked
    address or reference answer its one message."""
    if request.method != "POST":
        inquiry = _looked_up(request)
        if inquiry is not None and "new" not in request.GET:
            return _status_page(request, inquiry=inquiry)
        return _page(request, "status.html", "status", form=StatusForm())
    form = StatusForm(request.POST)
    if request.POST.get("forget"):
        request.session.pop(STATUS_KEY, None)
        return HttpResponseRedirect(reverse("portal:status"))
    code = 400
    if form.is_valid():
        try:
            inquiry = hall_lookup(
                reference=form.cleaned_data["reference"],
                last4=form.cleaned_data["last4"],
                address=_address(request),
                at=timezone.now(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
            code = 429 if error.code == "throttled" else 400
        else:
            request.session[STATUS_KEY] = [inquiry.pk, timezone.now().timestamp()]
            return HttpResponseRedirect(reverse("portal:status"))
    return _page(request, "status.html", "status", form=form, status=code)


def _status_page(
    request: HttpRequest, *, inquiry: Inquiry, booking: BookingForm | None = None, code: int = 200
) -> HttpResponse:
    shown = inquiry_public_status(inquiry=inquiry)
    slots = slots_open(at=timezone.now()) if shown.may_book else []
    if booking is not None:
        booking.offer(slots)
    return _page(
        request,
        "status.html",
        "status",
        shown=shown,
        slots=slots,
        booking=booking or BookingForm(slots=slots),
        status=code,
    )


@require_http_methods(["POST"])
def status_book(request: HttpRequest) -> HttpResponse:
    """预约云洽谈 from the status page: the inquiry this browser looked up books a slot."""
    inquiry = _looked_up(request)
    if inquiry is None:
        return HttpResponseRedirect(reverse("portal:status"))
    form = BookingForm(request.POST)
    if form.is_valid():
        slot = form.cleaned_data["slot"]
        try:
            booking_request(inquiry=inquiry, slot=slot, at=timezone.now())
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return HttpResponseRedirect(reverse("portal:status"))
    return _status_page(request, inquiry=inquiry, booking=form, code=400)
