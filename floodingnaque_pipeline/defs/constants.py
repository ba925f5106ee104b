"""Names shared by the Dagster wiring."""

OWNER = "team:floodingnaque"
INGESTION = "ingestion"
WAREHOUSE = "warehouse"
ML = "ml"
