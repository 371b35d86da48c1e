"""Django admin for the commendation data only administrators keep: the base salary (lương cơ sở)
rewards are multiples of, and the quotas per unit and year. Changes are audited like the portal's."""

from django.contrib import admin

from commendations.models import BaseSalary, Quota
from portal.admin import AuditedModelAdmin


@admin.register(BaseSalary)
class BaseSalaryAdmin(AuditedModelAdmin):
    """A new amount is a new row from its date: a decision takes the one in force on its signing
    date, so past decisions keep theirs."""

    list_display = ["effective_from", "amount", "legal_basis"]
    search_fields = ["legal_basis"]
    ordering = ["-effective_from"]


@admin.register(Quota)
class QuotaAdmin(AuditedModelAdmin):
    list_display = ["year", "award", "unit", "population", "population_award", "max_percent", "rounding"]
    list_filter = ["year", "population", "award"]
    search_fields = ["award__name", "award__code", "unit__name"]
    list_select_related = ["award", "unit", "population_award"]
    autocomplete_fields = ["unit"]
