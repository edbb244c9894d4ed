"""Checks of the codes an enterprise is registered under: the 统一社会信用代码 (GB 32100-2015)
and its industry code (GB/T 4754-2017). Each refusal names the field and says why, in Chinese."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

# The industry code is checked where the catalogue keeps GB/T 4754-2017 (one rule for both);
# the name stays importable here for the register's model and its migrations.
from zoneops.industry.gb4754 import validate_industry_code  # noqa: F401


def normalise_credit_code(value: str) -> str:
    """Spaces and dashes out, letters upper case: the form the code is stored in."""
    return uscc.compact(value or "")


def credit_code_problem(value: str) -> str | None:
    """Why a 统一社会信用代码 is not valid (None when it is), checked as GB 32100-2015 says."""
    code = normalise_credit_code(value)
    try:
        uscc.validate(code)
    except stdnum_errors.InvalidLength:
        return _("应为18位（现为%(n)d位）") % {"n": len(code)}
    except stdnum_errors.InvalidChecksum:
        return _("校验码不符，按 GB 32100-2015 第18位应为“%(check)s”") % {
            "check": uscc.calc_check_digit(code[:17])
        }
    except stdnum_errors.ValidationError:
        return _("前8位应为数字，其余应为数字或大写字母（不含 I、O、S、V、Z）")
    return None


def validate_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(
            _("统一社会信用代码“%(value)s”有误：%(problem)s。")
            % {"value": value, "problem": problem},
            code="invalid_credit_code",
        )


# GB 11714-1997: the organisation code's check character (9th of its 9).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code_compose(
    *, region: str, organisation: str, authority: str = "9", kind: str = "1"
) -> str:
    """A 统一社会信用代码 from its parts: registering authority (9 = 市场监管), entity kind
    (1 = 企业), the 6-digit region, and an 8-digit organisation body whose GB 11714 check
    character and the GB 32100-2015 check character are computed (demo data and tests)."""
    if len(region) != 6 or len(organisation) != 8 or not (region + organisation).isdigit():
        raise ValueError("region must be 6 digits and organisation 8 digits")
    remainder = 11 - sum(int(c) * w for c, w in zip(organisation, _ORG_WEIGHTS, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    body = f"{authority}{kind}{region}{organisation}{org_check}"
    return body + uscc.calc_check_digit(body)
