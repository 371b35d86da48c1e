"""Tests of the commendations app: the eligibility engine first (pure, no database)."""
