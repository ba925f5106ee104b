"""The app database: typed models, engine, migrations and bulk upsert. No Dagster imports."""
