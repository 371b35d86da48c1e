"""Reading numbers out of query strings without trusting them.

`str.isdigit()` accepts "²" and "٣", which `int()` then refuses or misreads; only ASCII digits of
a sane length are numbers here, and anything else is treated as absent.
"""

from __future__ import annotations

import re

_ASCII_NUMBER = re.compile(r"[0-9]{1,9}")


def parse_int(value: str | None, *, minimum: int = 0, maximum: int = 999_999_999) -> int | None:
    """The value as an int when it is 1-9 ASCII digits within [minimum, maximum], else None."""
    if not value or not _ASCII_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None
