"""Numbers read from query strings (pure function, no database)."""

import pytest

from portal.params import parse_int


@pytest.mark.parametrize(
    "value", [None, "", "²", "³", "١٢", "-1", "+1", " 1", "1 ", "1.0", "1e3", "9" * 10, "9" * 50, "%", "'", "\x00"]
)
def test_parse_int_refuses_anything_but_a_few_ascii_digits(value):
    assert parse_int(value) is None


def test_parse_int_reads_ascii_digits_within_the_bounds():
    assert parse_int("2026", minimum=1990, maximum=2100) == 2026
    assert parse_int("0042") == 42
    assert parse_int("1989", minimum=1990, maximum=2100) is None
    assert parse_int("2101", minimum=1990, maximum=2100) is None
    assert parse_int("0", minimum=1) is None
