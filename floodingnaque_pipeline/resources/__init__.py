"""Dagster resources: thin, configurable wrappers over the pure layers."""
