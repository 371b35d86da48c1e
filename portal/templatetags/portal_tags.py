"""Template helpers shared by every app: sortable column headers, query strings, role badges."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one); page resets.
    A page rendered at another URL than its own (a form refused at its action's URL) sets
    ``pagination_base`` to its own path, so the links lead back to it."""
    params = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    base = context.get("pagination_base") or ""
    return f"{base}?{encoded}" if encoded else f"{base}?"


@register.simple_tag(takes_context=True)
def sort_header(context, label: str, key: str) -> str:
    """A column header link that sorts by key, toggling the direction; shows an arrow when active."""
    current = context.get("sort", "")
    if current == key:
        target, arrow, state = f"-{key}", " ▲", "ascending"
    elif current == f"-{key}":
        target, arrow, state = key, " ▼", "descending"
    else:
        target, arrow, state = key, "", "none"
    href = query_with(context, sort=target)
    return format_html(
        '<a href="{}" class="link-body-emphasis text-decoration-none" aria-sort="{}" title="{}">{}{}</a>',
        href,
        state,
        _("Sort by %(column)s") % {"column": label},
        label,
        arrow,
    )
