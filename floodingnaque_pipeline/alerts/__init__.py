"""Alert delivery: the webhook client and the outbox sender. No Dagster here."""
