"""Labels and station data: landing-folder sensor, PAGASA daily CSVs, CDRRMO flood records."""
