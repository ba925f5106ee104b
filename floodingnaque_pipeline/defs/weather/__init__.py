"""Weather ingestion: Open-Meteo raw pulls -> weather_data / weather_forecast, OWM, schedule."""
