"""Filters of the printed documents, in the Vietnamese administrative style (NĐ 30/2020).

They always write Vietnamese, whatever the reader's language: the documents are official papers.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@register.filter
def vn_long_date(value) -> str:
    """"ngày 05 tháng 02 năm 2025": days below 10 and the months 1 and 2 take a leading zero (NĐ 30)."""
    day = _as_date(value)
    if day is None:
        return "ngày … tháng … năm …"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


@register.filter
def vn_short_date(value) -> str:
    """"05/02/2025"."""
    day = _as_date(value)
    return day.strftime("%d/%m/%Y") if day else ""


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_vn_number(number: Decimal, decimals: int | None = None) -> str:
    """1234567.5 -> "1.234.567,5": period between thousands, comma before decimals."""
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _, fraction = text.partition(".")
    if decimals is None:
        fraction = fraction.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = ".".join(groups)
    return f"{sign}{result},{fraction}" if fraction else f"{sign}{result}"


@register.filter
def vn_number(value, decimals=None) -> str:
    """A number the Vietnamese way ("1.234,5"); `|vn_number:2` fixes the decimals ("1.234,50")."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return format_vn_number(number, None if decimals in (None, "") else int(decimals))


@register.filter
def vn_money(value, unit="") -> str:
    """An amount in whole đồng ("1.490.000"); `|vn_money:"đồng"` adds the unit."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = format_vn_number(number, 0)
    return f"{text} {unit}" if unit else text


@register.filter
def vn_percent(value, decimals=1) -> str:
    """A share in percent, "87,5%"."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{format_vn_number(number, int(decimals))}%"
