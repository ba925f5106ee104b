"""The model domain: flood_features -> flood_model -> flood_risk, alerts, retraining."""
