"""How stored parameters of audit entries and notifications are shown to a reader.

Rows store stable keys ("unit_leader"); the label is looked up when someone reads the row,
so it comes out in that reader's language.
"""

from collections.abc import Callable
from typing import Any

_PARAM_DISPLAY: dict[str, Callable[[Any], str]] = {}


def register_param_display(displays: dict[str, Callable[[Any], str]]) -> None:
    _PARAM_DISPLAY.update(displays)


def display_params(data: dict[str, Any]) -> dict[str, str]:
    """The scalar parameters of a row as display text, in the active language."""
    shown = {}
    for key, value in data.items():
        if isinstance(value, str | int | float):
            display = _PARAM_DISPLAY.get(key)
            shown[key] = str(display(value)) if display else str(value)
    return shown
