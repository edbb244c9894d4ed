"""Amounts as Chinese reports write them: exact decimals in 万元, shown in 亿元 or 万元.

Every amount field declares the largest value a zone would recognise for it
(`AmountField(..., maximum=...)`, e.g. a project's total investment up to 1000亿元). That one
declaration is the field's `Bound`: the model validator, the back-office form, the API schema
(which publishes it) and the Excel importer all check against it, and their refusals name the
field and the bound in the same sentence (“总投资”不能超过 10,000,000 万元（1000亿元）…).
A bound never needs more than 15 significant digits: SQLite keeps a decimal as a double,
which holds 15 digits exactly; a 16-digit amount would come back altered, or break every read
of its row.

Sums of many amounts are exact too (`AmountSum`): SQLite adds doubles, which loses cents once a
total reaches 12 or so digits; the sum is taken in integer fen there instead.
"""

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

WAN_PER_YI = Decimal(10000)
STORED_DIGITS = 15  # the significant digits SQLite keeps of a decimal (a double holds 15)

_NAME_AND_UNIT = re.compile(r"^(.*?)\s*[（(]\s*([^（()）]+?)\s*[)）]$")


def _grouped(value: Decimal | int) -> str:
    """10000000 → "10,000,000" (digits grouped as in a report; decimals kept)."""
    whole, _dot, fraction = _plain(value).partition(".")
    grouped = f"{int(whole):,}"
    return f"{grouped}.{fraction}" if fraction else grouped


def _plain(value: Decimal | int) -> str:
    """10000000.00 → "10000000"; 0.5 → "0.5" (no exponent, no trailing zeros)."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Bound:
    """The numbers a field accepts: between `minimum` and `maximum`, with at most `places`
    decimals; refusals name the field by `name`, its verbose name with the unit in brackets
    (总投资（万元）), read in the language of the moment."""

    name: str | Promise
    maximum: Decimal
    minimum: Decimal = Decimal(0)
    places: int = 2

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    @property
    def label(self) -> str:
        """总投资（万元） → 总投资."""
        match = _NAME_AND_UNIT.match(str(self.name))
        return match.group(1) if match else str(self.name)

    @property
    def unit(self) -> str:
        """总投资（万元） → 万元; "" when the name has no unit."""
        match = _NAME_AND_UNIT.match(str(self.name))
        return match.group(2) if match else ""

    @property
    def integer_digits(self) -> int:
        return max(len(str(int(self.maximum))), len(str(int(abs(self.minimum)))))

    @classmethod
    def storable(cls, name: str | Promise, *, places: int = 2) -> "Bound":
        """Any number, of either sign, that a column of `places` decimals stores exactly on
        every database: the bound of a number that declares none of its own."""
        maximum = _storable_maximum(STORED_DIGITS, places)
        return cls(name=name, maximum=maximum, minimum=-maximum, places=places)

    def renamed(self, name: str | Promise) -> "Bound":
        """The same bound for an input that another name stands for (期初开工累计)."""
        return replace(self, name=name)

    # Sentences -----------------------------------------------------------------------------

    def too_big(self) -> str:
        values = {"field": self.label, "maximum": _grouped(self.maximum), "unit": self.unit}
        if self.in_wan and self.maximum >= WAN_PER_YI:
            # The usual slip is an amount typed in 元: say the bound as reports write it.
            return _(
                "“%(field)s”不能超过 %(maximum)s 万元（%(yi)s）：请检查是否多填了位数，"
                "或误按“元”而不是“万元”填写。"
            ) % {**values, "yi": format_yi(self.maximum)}
        if self.unit:
            return _("“%(field)s”不能超过 %(maximum)s %(unit)s。") % values
        return _("“%(field)s”不能超过 %(maximum)s。") % values

    @property
    def in_wan(self) -> bool:
        """Whether the field is an amount in 万元 (its Chinese name says so)."""
        with translation.override("zh-hans"):
            return _NAME_AND_UNIT.match(str(self.name)) is not None and str(self.name).endswith(
                "万元）"
            )

    def too_small(self) -> str:
        values = {"field": self.label, "minimum": _plain(self.minimum), "unit": self.unit}
        if self.minimum == 0:
            return _("“%(field)s”不能为负数。") % values
        if self.unit:
            return _("“%(field)s”不能小于 %(minimum)s %(unit)s。") % values
        return _("“%(field)s”不能小于 %(minimum)s。") % values

    def too_precise(self) -> str:
        if self.places == 0:
            return _("“%(field)s”应为整数。") % {"field": self.label}
        return _("“%(field)s”最多保留 %(places)s 位小数。") % {
            "field": self.label,
            "places": self.places,
        }

    def not_a_number(self) -> str:
        return _("“%(field)s”应为数字。") % {"field": self.label}

    # Checks --------------------------------------------------------------------------------

    def problem(self, value: Any) -> str | None:
        """What is wrong with a number for this field, as a sentence; None when it fits."""
        number = self.parse(value)
        if number is None or not number.is_finite():
            return self.not_a_number()
        if number > self.maximum:
            return self.too_big()
        if number < self.minimum:
            return self.too_small()
        # Within the bound, so quantize cannot overflow the context.
        if number != number.quantize(self.quantum):
            return self.too_precise()
        return None

    def parse(self, value: Any) -> Decimal | None:
        """A typed value as an exact number (a float as its shortest decimal); None when it is
        not a number at all."""
        if isinstance(value, Decimal):
            return value
        if isinstance(value, bool):
            return None
        if isinstance(value, float):
            value = repr(value)
        try:
            return Decimal(value)
        except (TypeError, ValueError, ArithmeticError):
            return None

    def clean(self, value: Any, *, field: str) -> Decimal:
        """The value as stored (two places for an amount), or an `ApplicationError` on `field`
        naming this field and what is wrong."""
        from zoneops.common.exceptions import ApplicationError

        number = self.parse(value)
        if number is None:
            raise ApplicationError(self.not_a_number(), field=field)
        problem = self.problem(number)
        if problem:
            raise ApplicationError(problem, field=field)
        return number.quantize(self.quantum)

    def validator(self) -> "BoundValidator":
        return BoundValidator(self)

    def formfield(self, **kwargs: Any) -> forms.Field:
        """A form field that refuses what the bound refuses, in the bound's words, and tells the
        browser the range and the step."""
        form_class = forms.IntegerField if self.places == 0 else forms.DecimalField
        options: dict[str, Any] = {"validators": [self.validator()]}
        if form_class is forms.DecimalField:
            # The bound checks digits and places itself, naming the field.
            options.update(max_digits=None, decimal_places=None)
        field = form_class(**{**options, **kwargs})
        field.widget.attrs.update(self.widget_attrs())
        return field

    def widget_attrs(self) -> dict[str, str]:
        step = "1" if self.places == 0 else _plain(self.quantum)
        return {"min": _plain(self.minimum), "max": _plain(self.maximum), "step": step}


class BoundValidator:
    """A model or form validator that refuses what a `Bound` refuses, with its sentence."""

    def __init__(self, bound: Bound) -> None:
        self.bound = bound

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        problem = self.bound.problem(value)
        if problem:
            raise ValidationError(problem, code="bound")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BoundValidator) and other.bound == self.bound

    def __hash__(self) -> int:
        return hash(self.bound)


def _storable_maximum(max_digits: int, places: int) -> Decimal:
    """The largest value of the column that SQLite gives back exactly."""
    digits = min(max_digits, STORED_DIGITS)
    return Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)


class AmountField(models.DecimalField):
    """An amount in 万元 (ten thousand yuan), exact to the fen, never negative, never above
    `maximum`: the largest value a zone would recognise for the field."""

    def __init__(self, *args: Any, maximum: Decimal | int | str | None = None, **kwargs: Any):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)
        storable = _storable_maximum(self.max_digits, self.decimal_places)
        self.maximum = storable if maximum is None else Decimal(maximum)
        if not 0 < self.maximum <= storable:
            raise ImproperlyConfigured(
                f"AmountField maximum {maximum} must be positive and at most {storable} "
                f"({STORED_DIGITS} significant digits, what SQLite stores exactly)."
            )

    def deconstruct(self) -> Any:
        # The bound and the validators are rules, not the column's: kept out of the migrations
        # (a historical model's amount gets the storable maximum).
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    @cached_property
    def bound(self) -> Bound:
        return Bound(name=self.verbose_name, maximum=self.maximum, places=self.decimal_places)

    @cached_property
    def validators(self) -> list[Any]:
        # The bound replaces Django's digits validator: it checks places and size, naming
        # the field.
        others = [v for v in super().validators if not isinstance(v, DecimalValidator)]
        return [*others, self.bound.validator()]

    def to_python(self, value: Any) -> Any:
        number = super().to_python(value)
        if isinstance(number, Decimal) and number.is_finite() and abs(number) <= self.maximum:
            exact = number.quantize(self.bound.quantum)
            if exact == number:
                return exact  # 1E+7 → 10000000.00, as the database gives it back
        return number

    def formfield(self, **kwargs: Any) -> Any:
        field = super().formfield(
            **{
                "max_digits": None,
                "decimal_places": None,
                "validators": [self.bound.validator()],
                **kwargs,
            }
        )
        assert field is not None
        field.widget.attrs.update(self.bound.widget_attrs())
        return field


def bound_of(field: Any) -> Bound:
    """The bound of a model's number field: an amount's declared maximum; for another decimal
    or an integer, its Min/MaxValueValidators, else what its column holds on every database
    (and within SQLite's 15 digits)."""
    if isinstance(field, AmountField):
        return field.bound
    name = field.verbose_name or field.name
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        low, high = (
            -_storable_maximum(field.max_digits, places),
            _storable_maximum(field.max_digits, places),
        )
    elif isinstance(field, models.IntegerField):
        places = 0
        low, high = (
            Decimal(limit)
            for limit in BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
        )
    else:
        raise TypeError(f"{field!r} is not a number field")
    for validator in field.validators:
        if isinstance(validator, MaxValueValidator) and not callable(validator.limit_value):
            high = min(high, Decimal(validator.limit_value))
        elif isinstance(validator, MinValueValidator) and not callable(validator.limit_value):
            low = max(low, Decimal(validator.limit_value))
    return Bound(name=name, maximum=high, minimum=low, places=places)


def model_bound(model: type[models.Model], field_name: str) -> Bound:
    return bound_of(model._meta.get_field(field_name))


# --- Exact sums ---------------------------------------------------------------------------------


class AmountTotalField(models.DecimalField):
    """The result of an `AmountSum`: SQLite answers whole fen, the others a decimal."""

    def __init__(self) -> None:
        super().__init__(max_digits=30, decimal_places=2)

    def get_internal_type(self) -> str:
        return "AmountTotalField"  # no backend converter: SQLite's would round to 15 digits

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        if connection.vendor == "sqlite":
            return Decimal(int(value)).scaleb(-2)
        return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class AmountSum(models.Sum):
    """The exact sum of an amount column, to the fen, on every database.

    On SQLite each amount is a double; adding thousands of them drifts by cents once the total
    reaches ten or so digits, so there each amount is turned into whole fen before adding.
    """

    output_field = AmountTotalField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="%(function)s(CAST(ROUND(%(expressions)s * 100) AS INTEGER))",
            **extra_context,
        )


# --- Showing amounts ------------------------------------------------------------------------------


def wan_to_yi(amount_wan: Decimal | int | None, places: int = 2) -> Decimal:
    """万元 → 亿元, rounded half up like a statistics table."""
    value = Decimal(amount_wan or 0) / WAN_PER_YI
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain(value: Decimal | int, places: int = 2) -> str:
    """A number as reports write it: rounded half up to `places`, trailing zeros dropped
    (21.70 → "21.7", 445.00 → "445")."""
    return _trim(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def format_yi(amount_wan: Decimal | int | None, places: int = 2) -> str:
    """12345678 万元 → "1234.57亿元"; trailing zeros dropped ("23亿元", "61.16亿元")."""
    return AmountWords().yi(amount_wan, places)


def format_wan(amount_wan: Decimal | int | None, places: int = 2) -> str:
    return AmountWords().wan(amount_wan, places)


class AmountWords:
    """`format_wan` and `format_yi` with their units translated once: for the many amounts of
    a list or an import, where translating each one would cost more than the rest."""

    def __init__(self) -> None:
        self._wan = _("%(amount)s万元")
        self._yi = _("%(amount)s亿元")

    def wan(self, amount_wan: Decimal | int | None, places: int = 2) -> str:
        quantum = Decimal(1).scaleb(-places)
        value = Decimal(amount_wan or 0).quantize(quantum, rounding=ROUND_HALF_UP)
        return self._wan % {"amount": _trim(value)}

    def yi(self, amount_wan: Decimal | int | None, places: int = 2) -> str:
        return self._yi % {"amount": _trim(wan_to_yi(amount_wan, places))}


def exact_wan(amount_wan: Decimal | int | None) -> Decimal:
    """An amount in 万元 with its two decimal places, whatever the database's sum returned."""
    return Decimal(amount_wan or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
