"""The scorecard table's rows, outcomes and feedback, written by emulation.scorecard_html."""

from django import template

from emulation.scorecard_html import RowWriter, appraised_html, feedback_html, outcome_html

register = template.Library()


@register.simple_tag(takes_context=True)
def scorecard_rows(context, views):
    """Every row of the table, with the page's can_edit, save_url and show_appraisal."""
    writer = RowWriter(can_edit=bool(context.get("can_edit")), save_url=context.get("save_url") or "",
                       show_appraisal=bool(context.get("show_appraisal")))
    return writer.rows(views)


register.simple_tag(outcome_html, name="scorecard_outcome")
register.simple_tag(feedback_html, name="scorecard_feedback")
register.simple_tag(appraised_html, name="scorecard_appraised")
