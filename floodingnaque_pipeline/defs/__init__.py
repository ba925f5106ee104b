"""Thin Dagster wiring: assets, checks, schedules and sensors call the pure layers."""
