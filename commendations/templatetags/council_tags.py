"""The tally inputs of the council's meeting page, written out directly: the page shows a form per
nominee (hundreds at a ministry's year-end meeting), and Django's per-widget templates made up most
of its rendering time. The markup is what ``{{ field }}`` gives, plus the error's id that
``aria-describedby`` points at."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def tally_input(field) -> str:
    """Label, number input and errors of one tally field of a BallotForm."""
    attrs = field.field.widget.attrs
    value = field.value()
    errors = field.errors
    error_id = f"{field.auto_id}_error"
    return format_html(
        '<label class="form-label mb-0" for="{id}">{label}</label>'
        '<input type="number" name="{name}" value="{value}" min="{min}" max="{max}" inputmode="numeric" '
        'class="form-control form-control-sm{invalid}"{required}{aria} id="{id}">{errors}',
        id=field.auto_id,
        label=field.label,
        name=field.html_name,
        value="" if value is None else value,
        min=attrs.get("min", 0),
        max=attrs.get("max", 999),
        invalid=" is-invalid" if errors else "",
        required=" required" if field.field.required else "",
        aria=format_html(' aria-invalid="true" aria-describedby="{}"', error_id) if errors else "",
        errors=format_html(
            '<div class="invalid-feedback d-block" id="{}">{}</div>', error_id,
            format_html_join("", "<div>{}</div>", ((error,) for error in errors)),
        ) if errors else "",
    )


@register.simple_tag
def tally_hidden(field, value=None) -> str:
    """A hidden input of the form (the fingerprint), or a field sent as ``value``."""
    current = field.value() if value is None else value
    return format_html('<input type="hidden" name="{}" value="{}">', field.html_name, "" if current is None else current)
