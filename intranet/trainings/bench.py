"""Trainings for the large office of ``make bench`` (filled in below)."""
