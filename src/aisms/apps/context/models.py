"""The organisation whose ISMS this is (clause 4). Later: PESTEL issues, interested parties, scope."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=100, blank=True)
    headcount = models.PositiveIntegerField(null=True, blank=True)
    annual_turnover_eur = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, verbose_name="annual turnover (EUR)"
    )
    description = models.TextField(blank=True)
    ai_use = models.TextField(
        blank=True, verbose_name="use of AI", help_text="How the organisation builds, buys and uses AI."
    )
    is_demo = models.BooleanField(default=False)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name
