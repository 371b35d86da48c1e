"""The base form of a document's parameters: knows its user and turns its answers into JSON."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext as _


def json_value(value: Any) -> Any:
    """A cleaned form value as something JSON keeps: objects by primary key, dates in ISO."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [json_value(item) for item in value]
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class ReportParamsForm(forms.Form):
    """Subclass it for a document's parameters. It receives the requesting `user` (to scope
    choices: a leader only sees their units) and gives the job its JSON `params()` and a
    one-line `describe()` for the list of earlier documents."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def params(self) -> dict[str, Any]:
        return {name: json_value(value) for name, value in self.cleaned_data.items()}

    def describe(self) -> str:
        parts = []
        for name, value in self.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            label = self.fields[name].label or name
            if isinstance(value, models.QuerySet | list | tuple | set):
                shown = ", ".join(str(item) for item in value)
            elif isinstance(value, bool):
                shown = _("yes") if value else _("no")
            else:
                shown = str(value)
            parts.append(f"{label}: {shown}")
        return " · ".join(parts)
