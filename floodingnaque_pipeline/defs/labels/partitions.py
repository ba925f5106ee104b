"""One dynamic partition per landing file; the key is its landing-relative path."""

import dagster as dg

# Keys look like 'pagasa/naia_daily.csv'; the landing sensor adds them as files appear.
pagasa_files = dg.DynamicPartitionsDefinition(name="pagasa_files")
flood_record_files = dg.DynamicPartitionsDefinition(name="flood_record_files")
