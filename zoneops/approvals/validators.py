"""An applicant who is a person: 18-digit resident identity number (GB 11643-1999, with its
check character) and a phone number (mobile 1xxxxxxxxxx or a landline with its area code)."""

import re

from django.utils.translation import gettext as _

from zoneops.common.inputs import MOBILE_PATTERN

# ASCII digits only: a regex's \d also takes full-width ones.
_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE = re.compile(rf"^({MOBILE_PATTERN}|0[0-9]{{2,3}}-?[0-9]{{7,8}})$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_number_error(value: str) -> str | None:
    """Why `value` is not a resident identity number (None when it is one)."""
    if not _ID.match(value):
        return _("身份证号“%(value)s”应为18位：17位数字加1位校验码（数字或X）。") % {
            "value": value[:30]
        }
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != value[17]:
        return _("身份证号“%(value)s”的校验码不对，请核对。") % {"value": value}
    return None


def phone_error(value: str) -> str | None:
    if not _PHONE.match(value):
        return _("联系电话“%(value)s”应为11位手机号或带区号的固定电话（如 0317-1234567）。") % {
            "value": value[:30]
        }
    return None
