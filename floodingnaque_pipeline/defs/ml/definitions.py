"""The model domain as one `dg.Definitions`; needs the top-level "database" resource."""

import dagster as dg

from floodingnaque_pipeline.defs.ml.alert_check import alerts_delivered
from floodingnaque_pipeline.defs.ml.automation import retraining_sensor
from floodingnaque_pipeline.defs.ml.backtest import flood_forecast_backtest
from floodingnaque_pipeline.defs.ml.features import flood_features
from floodingnaque_pipeline.defs.ml.model import flood_model
from floodingnaque_pipeline.defs.ml.risk import flood_risk
from floodingnaque_pipeline.defs.ml.sensors import alert_outbox_sensor, run_failure_alert_sensor
from floodingnaque_pipeline.resources.alerts import alert_webhook_from_env

defs = dg.Definitions(
    # The beats_baseline check (WARN, non-blocking) is a check spec of flood_model.
    assets=[flood_features, flood_model, flood_risk, flood_forecast_backtest],
    asset_checks=[alerts_delivered],
    sensors=[alert_outbox_sensor, run_failure_alert_sensor, retraining_sensor],
    resources={"alert_webhook": alert_webhook_from_env()},
)
